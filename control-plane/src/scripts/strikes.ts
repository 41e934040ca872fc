import type { Hold } from '@switchyard/protocol';
import { and, count, desc, eq, gt, gte } from 'drizzle-orm';
import { uuid } from '../crypto/hash.ts';
import type { Database, Queryable } from '../db/index.ts';
import { dispatchNamespaces, scriptStrikes, scriptVersions, scripts } from '../db/schema.ts';
import { findNamespace } from '../namespaces/namespace-store.ts';
import { findScript } from './script-store.ts';
import type { VersionContent } from './version-content.ts';

/** Strikes within this window that hold a script back, and for how long. */
export const strikePolicy = { window: 10 * 60_000, strikesToHold: 3, holdFor: 60_000 };

export type StrikeReason = 'cpu' | 'memory';

/**
 * Records that the watchdog stopped a script. Returns until when the script is held back when
 * this strike makes `strikesToHold` within the window, else null.
 */
export async function recordStrike(db: Database, accountId: string, namespaceName: string, scriptName: string, reason: StrikeReason): Promise<number | null> {
  return db.transaction(
    async (tx) => {
      const namespace = await findNamespace(tx, accountId, namespaceName);
      const script = namespace ? await findScript(tx, namespace.id, scriptName) : null;
      if (!script) return null;
      const now = Date.now();
      await tx.insert(scriptStrikes).values({ id: uuid(), scriptId: script.id, reason, at: now });
      const [{ recent }] = await tx
        .select({ recent: count() })
        .from(scriptStrikes)
        .where(and(eq(scriptStrikes.scriptId, script.id), gte(scriptStrikes.at, now - strikePolicy.window)));
      if (recent < strikePolicy.strikesToHold) return null;
      const until = now + strikePolicy.holdFor;
      await tx.update(scripts).set({ heldUntil: until }).where(eq(scripts.id, script.id));
      return until;
    },
    { behavior: 'immediate' },
  );
}

export async function listStrikes(db: Queryable, scriptId: string, limit = 100) {
  return db.select().from(scriptStrikes).where(eq(scriptStrikes.scriptId, scriptId)).orderBy(desc(scriptStrikes.at)).limit(limit);
}

/** Scripts held back right now, in every account, so a restarted node keeps holding them. */
export async function activeHolds(db: Queryable): Promise<Hold[]> {
  const rows = await db
    .select({ accountId: dispatchNamespaces.accountId, namespace: dispatchNamespaces.name, script: scripts.name, until: scripts.heldUntil })
    .from(scripts)
    .innerJoin(dispatchNamespaces, eq(dispatchNamespaces.id, scripts.namespaceId))
    .where(gt(scripts.heldUntil, Date.now()));
  return rows.map((row) => ({ accountId: row.accountId, namespace: row.namespace, script: row.script, until: row.until! }));
}
