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
  /** Whether the script's invocations are logged (settings `observability.enabled`, as Cloudflare's Workers Logs). */
  logs: boolean;
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
  const scope = `${row.namespaceId}/${row.name}`;
  return workerCode(platform, content, { versionId, script: row.name, openSecret: (sealed, name) => platform.secretBox.open(sealed, secretAad(scope, name)) });
}

/** The code of a version that is not stored yet, for checking that it compiles; secrets stay empty. */
export function candidateWorkerCode(platform: Platform, content: VersionContent, script: string): Promise<WorkerCode> {
  return workerCode(platform, content, { versionId: 'candidate', script, openSecret: () => '' });
}

async function workerCode(
  platform: Platform,
  content: VersionContent,
  context: { versionId: string; script: string; openSecret: (sealed: string, name: string) => string },
): Promise<WorkerCode> {
  const modules = await Promise.all(
    content.modules
      .filter((module) => module.type !== 'sourceMap')
      .map(async (module): Promise<WorkerModule> => {
        const bytes = await platform.blobs.get('modules', module.blob);
        if (!bytes) throw new Error(`blob ${module.blob} of ${context.script}/${module.name} is missing`);
        const buffer = Buffer.from(bytes);
        return binaryTypes.has(module.type)
          ? { name: module.name, type: module.type, base64: buffer.toString('base64') }
          : { name: module.name, type: module.type, text: buffer.toString('utf8') };
      }),
  );
  const bindings = content.bindings.map(({ sealed, ...binding }) => (sealed ? { ...binding, text: context.openSecret(sealed, binding.name) } : binding));
  return {
    versionId: context.versionId,
    script: context.script,
    format: content.format,
    mainModule: content.mainModule,
    compatibilityDate: content.compatibilityDate,
    compatibilityFlags: content.compatibilityFlags,
    modules,
    bindings,
    assets: content.assets,
    limits: content.limits,
    logs: content.observability?.enabled === true,
  };
}
