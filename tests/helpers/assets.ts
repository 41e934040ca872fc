import { createHash } from 'node:crypto';
import type { Api } from './api.ts';

/** SHA-256 of the content truncated to 32 hex: the hash Cloudflare documents for direct uploads. */
export const assetHash = (content: string | Uint8Array) => createHash('sha256').update(content).digest('hex').slice(0, 32);

/**
 * Runs the three-step direct upload (session, upload of the missing buckets, completion) and
 * returns the completion token to deploy with.
 */
export async function uploadAssets(api: Api, namespace: string, script: string, files: Record<string, string>): Promise<string> {
  const manifest = Object.fromEntries(Object.entries(files).map(([path, content]) => [path, { hash: assetHash(content), size: Buffer.byteLength(content) }]));
  const session = await api.post(`/workers/dispatch/namespaces/${namespace}/scripts/${script}/assets-upload-session`, { manifest });
  if (session.status !== 200) throw new Error(`assets upload session failed: ${JSON.stringify(session.body.errors)}`);
  let token = session.body.result.jwt as string;
  const byHash = new Map(Object.values(files).map((content) => [assetHash(content), content]));
  for (const bucket of session.body.result.buckets as string[][]) {
    const form = new FormData();
    for (const hash of bucket) form.append(hash, Buffer.from(byHash.get(hash)!).toString('base64'));
    const response = await fetch(api.url('/workers/assets/upload?base64=true'), { method: 'POST', body: form, headers: { authorization: `Bearer ${session.body.result.jwt}` } });
    const body = (await response.json()) as { result: { jwt: string | null } };
    if (!response.ok) throw new Error(`assets upload failed: ${response.status} ${JSON.stringify(body)}`);
    if (body.result.jwt) token = body.result.jwt;
  }
  return token;
}
