import { and, eq, like, ne } from 'drizzle-orm';
import type { Queryable } from '../db/index.ts';
import { scriptVersions, scripts } from '../db/schema.ts';
import type { VersionContent } from './version-content.ts';

/** Names of the namespace's other scripts whose live version binds `name` as a service. */
export async function findDependents(db: Queryable, namespaceId: string, name: string): Promise<string[]> {
  const candidates = await db
    .select({ name: scripts.name, content: scriptVersions.content })
    .from(scripts)
    .innerJoin(scriptVersions, eq(scriptVersions.id, scripts.currentVersionId))
    .where(and(eq(scripts.namespaceId, namespaceId), ne(scripts.name, name), like(scriptVersions.content, `%${JSON.stringify(name)}%`)));
  return candidates
    .filter((row) => (JSON.parse(row.content) as VersionContent).bindings.some((b) => b.type === 'service' && b.service === name))
    .map((row) => row.name);
}
