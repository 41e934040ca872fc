import type { Context } from 'hono';
import { uuid } from '../crypto/hash.ts';
import { settleChange } from '../internal/announce.ts';
import type { AppEnv } from '../platform.ts';
import { assertStarts } from './compile-check.ts';
import { writeVersion, type LiveScript } from './script-store.ts';
import type { VersionContent } from './version-content.ts';

/**
 * Makes `content` the live version of script `name` of the request's namespace: checked and warmed
 * on the nodes under its final id, stored in one transaction, and applied by every connected node
 * before the caller acknowledges it.
 */
export async function deployVersion(c: Context<AppEnv>, name: string, content: VersionContent, tags?: string[]): Promise<{ live: LiveScript; startupTimeMs: number }> {
  const { platform, namespace, accountId } = c.var;
  const versionId = uuid();
  const createdAt = Date.now();
  const { startupTimeMs } = await assertStarts(platform, content, { versionId, createdAt, accountId, namespaceId: namespace.id, namespace: namespace.name, script: name });
  const live = await writeVersion(platform.db, { namespaceId: namespace.id, name, content, tags, versionId, createdAt });
  await settleChange(c);
  return { live, startupTimeMs };
}
