/**
 * Immutable, content-addressed bytes: modules and assets. `kind` separates key spaces (module
 * blobs are keyed by full SHA-256, assets by the 32-hex hash the client computed). A local
 * directory implements it now; an S3-compatible bucket can implement it later. Only the blob
 * collector deletes (blob-collector.ts), and only blobs nothing names.
 */
export interface BlobStore {
  put(kind: BlobKind, key: string, bytes: Uint8Array): Promise<void>;
  get(kind: BlobKind, key: string): Promise<Uint8Array | null>;
  has(kind: BlobKind, key: string): Promise<boolean>;
  /** Removes a blob; removing one that is not there is no error. */
  delete(kind: BlobKind, key: string): Promise<void>;
  /** Every stored key of a kind. */
  list(kind: BlobKind): AsyncIterable<string>;
}

export type BlobKind = 'modules' | 'assets';

export const blobKinds: readonly BlobKind[] = ['modules', 'assets'];

/** A blob as a version names it: what it is, and how many bytes it holds. */
export interface BlobRef {
  kind: BlobKind;
  key: string;
  size: number;
}

export const isBlobKey = (key: string) => /^[0-9a-f]{32,64}$/.test(key);
