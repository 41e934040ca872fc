import type { LogEntry } from '@switchyard/protocol';
import { and, desc, eq, lt } from 'drizzle-orm';
import type { Database, Queryable } from '../db/index.ts';
import { scriptLogs, scriptVersions } from '../db/schema.ts';

export const logsKeptPerScript = 1000;


/** Stores a version's tail entries and drops the script's entries beyond the newest 1,000. */
export async function appendLogs(db: Database, versionId: string, entries: LogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.transaction(
    async (tx) => {
      const [version] = await tx.select({ scriptId: scriptVersions.scriptId }).from(scriptVersions).where(eq(scriptVersions.id, versionId));
      if (!version) return;
      await tx.insert(scriptLogs).values(
        entries.slice(0, 500).map((entry) => ({
          scriptId: version.scriptId,
          versionId,
          at: Math.trunc(entry.at),
          level: String(entry.level).slice(0, 16),
          message: String(entry.message).slice(0, 4096),
          outcome: entry.outcome ?? null,
          url: entry.url ?? null,
        })),
      );
      const [cutoff] = await tx
        .select({ id: scriptLogs.id })
        .from(scriptLogs)
        .where(eq(scriptLogs.scriptId, version.scriptId))
        .orderBy(desc(scriptLogs.id))
        .limit(1)
        .offset(logsKeptPerScript - 1);
      if (cutoff) await tx.delete(scriptLogs).where(and(eq(scriptLogs.scriptId, version.scriptId), lt(scriptLogs.id, cutoff.id)));
    },
    { behavior: 'immediate' },
  );
}

export function recentLogs(db: Queryable, scriptId: string, limit: number) {
  return db.select().from(scriptLogs).where(eq(scriptLogs.scriptId, scriptId)).orderBy(desc(scriptLogs.id)).limit(limit);
}

