import { htmlHandlings, notFoundHandlings } from '@switchyard/protocol';
import { sha256Hex } from '../crypto/hash.ts';
import { errors } from '../http/api-error.ts';
import { coerce, decodeBracketFields } from '../http/bracket-form.ts';
import { assertJsonSize, parseJsonWithin } from '../http/json-limits.ts';
import { textFieldBytes, textFields } from '../http/multipart.ts';
import type { Platform } from '../platform.ts';
import type { UploadedBlob } from './deploy.ts';
import { missingHashes, sessionFromToken, sessionManifest } from '../assets/asset-sessions.ts';
import { resolveBindings } from './bindings.ts';
import { moduleTypeOf } from './module-types.ts';
import { resolveLimits } from './script-limits.ts';
import { assertTags, type LiveScript } from './script-store.ts';
import { readTailConsumers } from './tail-consumers.ts';
import { assertPartsWithinLimits, uploadLimits } from './upload-limits.ts';
import { readAnnotations } from './version-annotations.ts';
import type { StoredAssets, StoredModule, VersionContent } from './version-content.ts';

export interface UploadTarget {
  accountId: string;
  namespaceId: string;
  scriptName: string;
  previous: LiveScript | null;
}

const isMetadataField = (field: string) => field === 'metadata' || field.startsWith('metadata[');
/** The SDK sends modules as `files[]` parts; those are named by their file name. */
const isFileListField = (field: string) => field === 'files[]' || field === 'files';

/** Reads the `metadata` part of a Worker upload as JSON (or as the SDK's `metadata[...]` fields), within its size and depth limits. */
export async function readMetadata(form: FormData, required: boolean): Promise<Record<string, unknown>> {
  if (form.getAll('metadata').length > 1) throw errors.badRequest('The upload has more than one "metadata" part: send exactly one.', 10021);
  const part = form.get('metadata');
  if (part === null) {
    const fields = textFields(form).filter(([field]) => isMetadataField(field));
    assertJsonSize('The total of the "metadata[...]" fields', textFieldBytes(fields), uploadLimits.metadataBytes, 10021);
    const bracketed = decodeBracketFields(fields, 'metadata', 10021);
    if (bracketed) return coerce(bracketed) as Record<string, unknown>;
    if (required) throw errors.badRequest('The upload has no "metadata" part: send it as JSON with at least "main_module" or "body_part".', 10021);
    return {};
  }
  const what = 'The "metadata" part';
  if (typeof part !== 'string') assertJsonSize(what, part.size, uploadLimits.metadataBytes, 10021);
  const text = typeof part === 'string' ? part : await part.text();
  const metadata = parseJsonWithin(text, { what, maxBytes: uploadLimits.metadataBytes, code: 10021 });
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw errors.badRequest('The "metadata" part must be a JSON object.', 10021);
  }
  return metadata as Record<string, unknown>;
}

/**
 * Reads the module parts of an upload and describes them; their bytes are stored when the version
 * is deployed. Every part but the metadata is a module, named by its form field (or file name in
 * `files[]`); the parts are checked against the upload limits, by their sizes, before any is read.
 */
export async function readModules(form: FormData): Promise<{ modules: StoredModule[]; blobs: UploadedBlob[] }> {
  const parts = [...form.entries()]
    .filter(([field]) => !isMetadataField(field))
    .map(([field, value]) => {
      const isFile = typeof value !== 'string';
      const name = isFile && isFileListField(field) ? value.name : field;
      const contentType = isFile ? value.type : '';
      return { name, value, contentType, type: moduleTypeOf(name, contentType), size: isFile ? value.size : Buffer.byteLength(value) };
    });
  assertPartsWithinLimits(parts);
  const modules: StoredModule[] = [];
  const blobs = new Map<string, UploadedBlob>();
  for (const { name, value, contentType, type } of parts) {
    if (modules.some((module) => module.name === name)) throw errors.badRequest(`Module "${name}" appears more than once in the upload.`, 10021);
    const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : new Uint8Array(await value.arrayBuffer());
    const key = sha256Hex(bytes);
    blobs.set(key, { kind: 'modules', key, bytes });
    modules.push({ name, type, contentType: contentType || 'application/octet-stream', blob: key, size: bytes.byteLength });
  }
  return { modules, blobs: [...blobs.values()] };
}

/** Chooses the entry point named by `main_module` (modules) or `body_part` (service worker). */
export function entryPoint(metadata: Record<string, unknown>, modules: StoredModule[]): Pick<VersionContent, 'format' | 'mainModule' | 'modules'> {
  const { main_module: mainModule, body_part: bodyPart } = metadata;
  if (mainModule === undefined && bodyPart === undefined) {
    throw errors.badRequest('metadata needs "main_module" (ES modules) or "body_part" (service-worker script) naming the entry part.', 10021);
  }
  const wanted = (mainModule ?? bodyPart) as unknown;
  const field = mainModule !== undefined ? 'main_module' : 'body_part';
  if (typeof wanted !== 'string') throw errors.badRequest(`metadata.${field} must be a string.`, 10021);
  const entry = modules.find((module) => module.name === wanted);
  if (!entry) {
    const names = modules.map((module) => `"${module.name}"`).join(', ') || 'none';
    throw errors.badRequest(`metadata.${field} names "${wanted}", but no part of the upload has that name (parts: ${names}).`, 10021);
  }
  if (entry.type !== 'esModule' && entry.type !== 'commonJsModule') {
    throw errors.badRequest(`The entry part "${wanted}" must be JavaScript (application/javascript+module or application/javascript), not ${entry.contentType}.`, 10021);
  }
  if (bodyPart !== undefined) {
    return { format: 'service-worker', mainModule: wanted, modules: modules.map((module) => (module === entry ? { ...module, type: 'commonJsModule' } : module)) };
  }
  return { format: 'modules', mainModule: wanted, modules };
}

const compatibilityDatePattern = /^\d{4}-\d{2}-\d{2}$/;

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw errors.badRequest(`metadata.${field} must be an array of strings.`, 10021);
  return value as string[];
}

/** The settings part of a version (everything but modules and assets) from metadata or a settings patch. */
export async function resolveSettings(
  platform: Platform,
  target: UploadTarget,
  metadata: Record<string, unknown>,
  base: VersionContent | null,
): Promise<Omit<VersionContent, 'format' | 'mainModule' | 'modules' | 'assets'>> {
  const compatibilityDate = metadata.compatibility_date ?? base?.compatibilityDate ?? null;
  if (compatibilityDate !== null && (typeof compatibilityDate !== 'string' || !compatibilityDatePattern.test(compatibilityDate))) {
    throw errors.badRequest(`metadata.compatibility_date must be a date written YYYY-MM-DD, got ${JSON.stringify(compatibilityDate)}.`, 10021);
  }
  const limits = resolveLimits(metadata.limits ?? base?.limits ?? {}, platform.limits, metadata.limits !== undefined);
  const keepTypes = metadata.keep_bindings === undefined ? [] : stringList(metadata.keep_bindings, 'keep_bindings');
  const bindingsGiven = metadata.bindings !== undefined;
  const bindings = bindingsGiven || keepTypes.length > 0 || !base
    ? await resolveBindings(metadata.bindings, {
        db: platform.db,
        accountId: target.accountId,
        namespaceId: target.namespaceId,
        scriptName: target.scriptName,
        secretBox: platform.secretBox,
        secretScope: `${target.namespaceId}/${target.scriptName}`,
        previous: target.previous?.content.bindings ?? [],
      }, keepTypes)
    : base.bindings;
  return {
    bindings,
    compatibilityDate: compatibilityDate as string | null,
    compatibilityFlags: metadata.compatibility_flags !== undefined ? stringList(metadata.compatibility_flags, 'compatibility_flags') : (base?.compatibilityFlags ?? []),
    usageModel: typeof metadata.usage_model === 'string' ? metadata.usage_model : (base?.usageModel ?? 'standard'),
    limits,
    placement: (metadata.placement as Record<string, unknown>) ?? base?.placement ?? {},
    logpush: typeof metadata.logpush === 'boolean' ? metadata.logpush : (base?.logpush ?? false),
    observability: (metadata.observability as Record<string, unknown>) ?? base?.observability ?? null,
    tailConsumers: metadata.tail_consumers !== undefined && metadata.tail_consumers !== null ? readTailConsumers(metadata.tail_consumers) : (base?.tailConsumers ?? []),
    annotations: readAnnotations(metadata.annotations),
  };
}


/**
 * Resolves `metadata.assets` (a completion token and config) or keeps the previous version's assets;
 * `sessionId` names the upload session a completion token completed, which the deploy closes.
 */
export async function resolveAssets(platform: Platform, target: UploadTarget, metadata: Record<string, unknown>): Promise<{ assets: StoredAssets | null; sessionId?: string }> {
  const raw = metadata.assets as { jwt?: unknown; config?: unknown } | undefined;
  const previous = target.previous?.content.assets ?? null;
  if (raw === undefined || raw === null) return { assets: metadata.keep_assets === true ? previous : null };
  if (typeof raw !== 'object') throw errors.badRequest('metadata.assets must be an object with "jwt" and optional "config".', 10021);
  const config = (raw.config ?? {}) as Record<string, unknown>;
  if (typeof config !== 'object' || Array.isArray(config)) throw errors.badRequest('metadata.assets.config must be an object.', 10021);
  if (config.html_handling !== undefined && !(htmlHandlings as readonly string[]).includes(config.html_handling as string)) {
    throw errors.badRequest(`metadata.assets.config.html_handling must be one of ${htmlHandlings.join(', ')}.`, 10021);
  }
  if (config.not_found_handling !== undefined && !(notFoundHandlings as readonly string[]).includes(config.not_found_handling as string)) {
    throw errors.badRequest(`metadata.assets.config.not_found_handling must be one of ${notFoundHandlings.join(', ')}.`, 10021);
  }
  if (raw.jwt === undefined) {
    if (!previous) throw errors.badRequest('metadata.assets has no "jwt" and the script has no assets to keep: upload them through an assets upload session first.', 10021);
    return { assets: { manifest: previous.manifest, config } };
  }
  if (typeof raw.jwt !== 'string') throw errors.badRequest('metadata.assets.jwt must be the completion token of an assets upload session.', 10021);
  const session = await sessionFromToken(platform.db, platform.signer, raw.jwt, 'assets-complete');
  if (!session || session.accountId !== target.accountId) {
    throw errors.badRequest('metadata.assets.jwt is not a valid, unexpired completion token of this account: start a new assets upload session.', 10021);
  }
  if (session.namespaceId !== target.namespaceId || session.scriptName !== target.scriptName) {
    throw errors.badRequest(`metadata.assets.jwt completes an assets upload session of script "${session.scriptName}", not of this one: start a session for "${target.scriptName}".`, 10021);
  }
  const manifest = sessionManifest(session);
  const missing = await missingHashes(platform.blobs, target.accountId, manifest);
  if (missing.length > 0) throw errors.badRequest(`${missing.length} assets of the upload session were never uploaded (for example ${missing[0]}).`, 10021);
  return { assets: { manifest, config }, sessionId: session.id };
}

export function assertAssetsBinding(content: Pick<VersionContent, 'bindings' | 'assets'>): void {
  const binding = content.bindings.find((candidate) => candidate.type === 'assets');
  if (binding && !content.assets) {
    throw errors.badRequest(`Binding "${binding.name}" of type assets needs assets: pass metadata.assets.jwt from an assets upload session.`, 10021);
  }
}

/** Builds the whole new version from a multipart Worker upload; nothing is stored yet. */
export async function versionFromUpload(
  platform: Platform,
  target: UploadTarget,
  form: FormData,
): Promise<{ content: VersionContent; tags?: string[]; blobs: UploadedBlob[]; assetSession?: string }> {
  const metadata = await readMetadata(form, true);
  const { modules, blobs } = await readModules(form);
  const entry = entryPoint(metadata, modules);
  const settings = await resolveSettings(platform, target, metadata, null);
  const { assets, sessionId } = await resolveAssets(platform, target, metadata);
  const content: VersionContent = { ...entry, ...settings, assets };
  assertAssetsBinding(content);
  let tags: string[] | undefined;
  if (metadata.tags !== undefined) {
    tags = stringList(metadata.tags, 'tags');
    assertTags(tags);
  }
  return { content, tags, blobs, assetSession: sessionId };
}
