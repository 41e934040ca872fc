import { eq } from 'drizzle-orm';
import { scriptVersions, scripts } from '../db/schema.ts';
import type { Platform } from '../platform.ts';
import { secretAad } from '../scripts/bindings.ts';
import type { VersionContent } from '../scripts/version-content.ts';

/** A module as the data plane loads it: text for source, base64 for binary. */
export interface WorkerModule {
  name: string;
  type: VersionContent['modules'][number]['type'];
  text?: string;
  base64?: string;
}

/** Everything the data plane needs to run one version, secrets opened. Never leaves the machine. */
export interface WorkerCode {
  versionId: string;
  script: string;
  format: VersionContent['format'];
  mainModule: string;
  compatibilityDate: string | null;
  compatibilityFlags: string[];
  modules: WorkerModule[];
  bindings: Record<string, unknown>[];
  assets: VersionContent['assets'];
  limits: VersionContent['limits'];
}

const binaryTypes = new Set(['data', 'wasm']);

export async function loadWorkerCode(platform: Platform, versionId: string): Promise<WorkerCode | null> {
  const [row] = await platform.db
    .select({ content: scriptVersions.content, name: scripts.name, namespaceId: scripts.namespaceId })
    .from(scriptVersions)
    .innerJoin(scripts, eq(scripts.id, scriptVersions.scriptId))
    .where(eq(scriptVersions.id, versionId));
  if (!row) return null;
  const content = JSON.parse(row.content) as VersionContent;
  const modules = await Promise.all(
    content.modules
      .filter((module) => module.type !== 'sourceMap')
      .map(async (module): Promise<WorkerModule> => {
        const bytes = await platform.blobs.get('modules', module.blob);
        if (!bytes) throw new Error(`blob ${module.blob} of ${row.name}/${module.name} is missing`);
        const buffer = Buffer.from(bytes);
        return binaryTypes.has(module.type)
          ? { name: module.name, type: module.type, base64: buffer.toString('base64') }
          : { name: module.name, type: module.type, text: buffer.toString('utf8') };
      }),
  );
  const scope = `${row.namespaceId}/${row.name}`;
  const bindings = content.bindings.map(({ sealed, ...binding }) =>
    sealed ? { ...binding, text: platform.secretBox.open(sealed, secretAad(scope, binding.name)) } : binding,
  );
  return {
    versionId,
    script: row.name,
    format: content.format,
    mainModule: content.mainModule,
    compatibilityDate: content.compatibilityDate,
    compatibilityFlags: content.compatibilityFlags,
    modules,
    bindings,
    assets: content.assets,
    limits: content.limits,
  };
}
