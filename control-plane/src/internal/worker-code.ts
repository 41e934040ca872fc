import type { WorkerCode, WorkerModule } from '@switchyard/protocol';
import { eq } from 'drizzle-orm';
import { dispatchNamespaces, scriptVersions, scripts } from '../db/schema.ts';
import type { Platform } from '../platform.ts';
import { secretAad } from '../scripts/bindings.ts';
import type { VersionContent } from '../scripts/version-content.ts';

const binaryTypes = new Set(['data', 'wasm']);

/** Where a version belongs, and what identifies it, beside its content. */
export interface VersionIdentity {
  versionId: string;
  accountId: string;
  namespaceId: string;
  script: string;
  createdAt: number;
}

export async function loadWorkerCode(platform: Platform, versionId: string): Promise<WorkerCode | null> {
  const [row] = await platform.db
    .select({ content: scriptVersions.content, createdAt: scriptVersions.createdAt, name: scripts.name, namespaceId: scripts.namespaceId, accountId: dispatchNamespaces.accountId })
    .from(scriptVersions)
    .innerJoin(scripts, eq(scripts.id, scriptVersions.scriptId))
    .innerJoin(dispatchNamespaces, eq(dispatchNamespaces.id, scripts.namespaceId))
    .where(eq(scriptVersions.id, versionId));
  if (!row) return null;
  const identity = { versionId, accountId: row.accountId, namespaceId: row.namespaceId, script: row.name, createdAt: row.createdAt };
  return workerCode(platform, JSON.parse(row.content) as VersionContent, identity);
}

/**
 * Everything a node needs to run a version, secrets opened: read once per version, by the node
 * that warms an upload or misses it in its cache.
 */
export async function workerCode(platform: Platform, content: VersionContent, identity: VersionIdentity): Promise<WorkerCode> {
  const modules = await Promise.all(
    content.modules
      .filter((module) => module.type !== 'sourceMap')
      .map(async (module): Promise<WorkerModule> => {
        const bytes = await platform.blobs.get('modules', module.blob);
        if (!bytes) throw new Error(`blob ${module.blob} of ${identity.script}/${module.name} is missing`);
        const buffer = Buffer.from(bytes);
        return binaryTypes.has(module.type)
          ? { name: module.name, type: module.type as WorkerModule['type'], base64: buffer.toString('base64') }
          : { name: module.name, type: module.type as WorkerModule['type'], text: buffer.toString('utf8') };
      }),
  );
  const scope = `${identity.namespaceId}/${identity.script}`;
  const bindings = content.bindings.map(({ sealed, ...binding }) => (sealed ? { ...binding, text: platform.secretBox.open(sealed, secretAad(scope, binding.name)) } : binding));
  const tag = content.annotations['workers/tag'];
  return {
    versionId: identity.versionId,
    accountId: identity.accountId,
    script: identity.script,
    createdAt: new Date(identity.createdAt).toISOString(),
    tag: typeof tag === 'string' ? tag : null,
    format: content.format,
    mainModule: content.mainModule,
    compatibilityDate: content.compatibilityDate,
    compatibilityFlags: content.compatibilityFlags,
    modules,
    bindings,
    assets: content.assets as WorkerCode['assets'],
    limits: content.limits,
    logs: content.observability?.enabled === true,
  };
}
