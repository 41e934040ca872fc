import { createHash, randomBytes, randomUUID } from 'node:crypto';

export const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** 32 lowercase hex characters, the shape of Cloudflare's account, namespace and KV ids. */
export const randomHexId = () => randomBytes(16).toString('hex');

export const uuid = () => randomUUID();
