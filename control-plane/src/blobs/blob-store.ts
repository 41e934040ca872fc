/**
 * Immutable, content-addressed bytes: modules and assets. `kind` separates key spaces (module
 * blobs are keyed by full SHA-256, assets by the 32-hex hash the client computed). A local
 * directory implements it now; an S3-compatible bucket can implement it later.
 */
export interface BlobStore {
  put(kind: BlobKind, key: string, bytes: Uint8Array): Promise<void>;
  get(kind: BlobKind, key: string): Promise<Uint8Array | null>;
  has(kind: BlobKind, key: string): Promise<boolean>;
}

export type BlobKind = 'modules' | 'assets';

export const isBlobKey = (key: string) => /^[0-9a-f]{32,64}$/.test(key);
