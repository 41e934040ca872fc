import type { Context } from 'hono';
import { errors } from '../http/api-error.ts';
import type { AppEnv, Platform } from '../platform.ts';
import type { VersionContent } from './version-content.ts';
import type { UploadedBlob } from './deploy.ts';
import { entryPoint, readMetadata, readModules } from './worker-upload.ts';

/** The live version's modules as multipart/form-data, entry point named in `CF-Entrypoint`. */
export async function contentResponse(platform: Platform, content: VersionContent): Promise<Response> {
  const form = new FormData();
  for (const module of content.modules) {
    const bytes = await platform.blobs.get('modules', module.blob);
    if (!bytes) throw new Error(`blob ${module.blob} of module ${module.name} is missing from the blob store`);
    form.append(module.name, new File([new Uint8Array(bytes)], module.name, { type: module.contentType }));
  }
  const response = new Response(form);
  response.headers.set('cf-entrypoint', content.mainModule);
  return response;
}

/**
 * A new version with the modules of `form` and every setting of `base`, its blobs not stored yet.
 * The entry point comes from a `metadata` part or from the `CF-WORKER-MAIN-MODULE-PART` /
 * `CF-WORKER-BODY-PART` headers.
 */
export async function versionWithNewContent(c: Context<AppEnv>, base: VersionContent, form: FormData): Promise<{ content: VersionContent; blobs: UploadedBlob[] }> {
  const metadata = await readMetadata(form, false);
  const mainPart = c.req.header('cf-worker-main-module-part');
  const bodyPart = c.req.header('cf-worker-body-part');
  if (metadata.main_module === undefined && metadata.body_part === undefined) {
    if (mainPart) metadata.main_module = mainPart;
    else if (bodyPart) metadata.body_part = bodyPart;
    else metadata[base.format === 'modules' ? 'main_module' : 'body_part'] = base.mainModule;
  }
  const { modules, blobs } = await readModules(form);
  if (modules.length === 0) throw errors.badRequest('The upload has no module parts.', 10021);
  return { content: { ...base, ...entryPoint(metadata, modules) }, blobs };
}
