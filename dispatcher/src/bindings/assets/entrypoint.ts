import { WorkerEntrypoint } from 'cloudflare:workers';
import type { ReadApiClient, WorkerCode } from '@switchyard/protocol';
import { readApi, type HostEnv } from '../../host-env.ts';
import { versionCode } from '../../runner/script-cache.ts';
import { contentTypeFor, matchAsset, notFoundAsset, type AssetMatch } from './routing.ts';

/** Serves a matched asset (or redirect) of a version; reads bytes through the node's read API. */
export async function serveMatch(client: ReadApiClient, code: WorkerCode, match: NonNullable<AssetMatch>, request: Request): Promise<Response> {
  if (match.kind === 'redirect') {
    const url = new URL(request.url);
    return new Response(null, { status: 307, headers: { location: `${match.location}${url.search}` } });
  }
  const entry = code.assets!.manifest[match.path];
  const etag = `"${entry.hash}"`;
  const headers = { 'content-type': contentTypeFor(match.path), etag, 'cache-control': 'public, max-age=0, must-revalidate' };
  if (match.status === 200 && request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  const blob = await client.asset(code.accountId, entry.hash);
  if (!blob.ok) throw new Error(`asset ${match.path} (${entry.hash}) could not be read: ${blob.status}`);
  return new Response(request.method === 'HEAD' ? null : blob.body, { status: match.status, headers });
}

/** The request's asset if one matches by path alone (asset-first serving), else null. */
export async function matchingAsset(client: ReadApiClient, code: WorkerCode, request: Request): Promise<Response | null> {
  if (!code.assets || (request.method !== 'GET' && request.method !== 'HEAD')) return null;
  const match = matchAsset(decodeURIComponent(new URL(request.url).pathname), code.assets.manifest, code.assets.config.html_handling);
  return match ? serveMatch(client, code, match, request) : null;
}

/** `env.ASSETS`: the script's assets with `html_handling` and `not_found_handling` applied. */
export class Assets extends WorkerEntrypoint<HostEnv, { versionId: string }> {
  async fetch(request: Request): Promise<Response> {
    const client = readApi(this.env);
    const code = await versionCode(client, this.ctx.props.versionId);
    if (!code?.assets) return new Response('Not Found', { status: 404 });
    const found = await matchingAsset(client, code, request);
    if (found) return found;
    const pathname = decodeURIComponent(new URL(request.url).pathname);
    const fallback = notFoundAsset(pathname, code.assets.manifest, code.assets.config.not_found_handling);
    if (fallback && (request.method === 'GET' || request.method === 'HEAD')) return serveMatch(client, code, fallback, request);
    return new Response('Not Found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }
}
