import { Hono } from 'hono';
import { assetBlobKey, assetHashMatches } from '../assets/asset-hash.ts';
import {
  completionToken,
  createSession,
  maxAssetBytes,
  missingHashes,
  sessionFromToken,
  sessionManifest,
  validateManifest,
} from '../assets/asset-sessions.ts';
import { errors } from '../http/api-error.ts';
import { bearerToken } from '../http/auth.ts';
import { success } from '../http/envelope.ts';
import { readForm } from '../http/multipart.ts';
import { readJson } from '../http/validation.ts';
import { assertScriptName } from '../scripts/script-store.ts';
import type { AppEnv } from '../platform.ts';

/** `POST .../scripts/:script/assets-upload-session`, under a dispatch namespace. */
export const assetSessionRoutes = new Hono<AppEnv>();

assetSessionRoutes.post('/:script/assets-upload-session', async (c) => {
  const scriptName = c.req.param('script');
  assertScriptName(scriptName);
  const body = (await readJson(c)) as { manifest?: unknown } | undefined;
  const manifest = validateManifest(body?.manifest);
  const result = await createSession(c.var.platform, { accountId: c.var.accountId, namespaceId: c.var.namespace.id, scriptName }, manifest);
  return success(c, result);
});

/**
 * `POST /accounts/:accountId/workers/assets/upload`: authenticated by the session's upload token,
 * not an API token. Each part is named by its hash; every file is checked against that hash.
 */
export const assetUploadRoutes = new Hono<AppEnv>();

assetUploadRoutes.post('/', async (c) => {
  const { platform } = c.var;
  const token = bearerToken(c.req.header('authorization'));
  const session = token ? await sessionFromToken(platform.db, platform.signer, token, 'assets-upload') : null;
  if (!session || session.accountId !== c.req.param('accountId')) {
    throw errors.unauthenticated('Authentication error: send the "jwt" of an unexpired assets upload session as "Authorization: Bearer <jwt>".');
  }
  const manifest = sessionManifest(session);
  const pathOf = new Map(Object.entries(manifest).map(([path, entry]) => [entry.hash, path]));
  const base64 = c.req.query('base64') === 'true';
  const form = await readForm(c);
  for (const [hash, value] of form.entries()) {
    const path = pathOf.get(hash);
    if (!path) throw errors.badRequest(`Part "${hash}" is not the hash of any asset in this upload session.`, 10001);
    const raw = typeof value === 'string' ? Buffer.from(value) : Buffer.from(await value.arrayBuffer());
    const bytes = base64 ? Buffer.from(raw.toString('latin1'), 'base64') : raw;
    if (bytes.byteLength > maxAssetBytes) throw errors.tooLarge(10001, `Asset ${path} is larger than 25 MiB.`);
    if (!assetHashMatches(hash, path, bytes)) {
      throw errors.badRequest(`The content uploaded for ${path} does not match its hash ${hash}.`, 10001);
    }
    // The session was admitted against the storage quota by the sizes its manifest declared.
    if (bytes.byteLength !== manifest[path].size) {
      throw errors.badRequest(`Asset ${path} is ${bytes.byteLength} bytes, but the upload session's manifest says ${manifest[path].size}: start a session with its real size.`, 10001);
    }
    await platform.blobs.put('assets', assetBlobKey(session.accountId, hash), bytes);
  }
  const missing = await missingHashes(platform.blobs, session.accountId, manifest);
  if (missing.length > 0) return success(c, { jwt: null }, undefined, 202);
  return success(c, { jwt: completionToken(platform.signer, session.id) }, undefined, 201);
});
