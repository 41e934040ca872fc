import { blake3 } from '@noble/hashes/blake3.js';
import { createHash } from 'node:crypto';
import { posix } from 'node:path';

/**
 * Whether `bytes` are the content of an asset announced as `hash` at `path`. Two schemes are
 * accepted: wrangler's (BLAKE3 of the base64 content followed by the file extension) and the one
 * Cloudflare documents for direct uploads (SHA-256 of the content); both truncated to 32 hex.
 */
export function assetHashMatches(hash: string, path: string, bytes: Uint8Array): boolean {
  // As wrangler computes it: path.extname without the dot, so dotfiles ("/.hidden") have none.
  const extension = posix.extname(path).slice(1);
  const wrangler = Buffer.from(blake3(Buffer.from(Buffer.from(bytes).toString('base64') + extension))).toString('hex').slice(0, 32);
  if (wrangler === hash) return true;
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32) === hash;
}

export const isAssetHash = (hash: unknown): hash is string => typeof hash === 'string' && /^[0-9a-f]{32}$/.test(hash);

/** Assets are stored per account, so one tenant can neither read nor probe another's files. */
export const assetBlobKey = (accountId: string, hash: string) => `${accountId}${hash}`;
