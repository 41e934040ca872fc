import type { BlobStore } from './blobs/blob-store.ts';
import type { SecretBox } from './crypto/secret-box.ts';
import type { TokenSigner } from './crypto/signed-token.ts';
import type { Database } from './db/index.ts';
import type { ChangeFeed } from './internal/change-feed.ts';
import type { WorkerCode } from './internal/worker-code.ts';
import type { NamespaceRow } from './namespaces/namespace-store.ts';

/** What every route needs: storage and keys, created once at start. */
export interface Platform {
  db: Database;
  blobs: BlobStore;
  secretBox: SecretBox;
  signer: TokenSigner;
  changes: ChangeFeed;
  /** Set once the whole platform (data plane included) serves; `/healthz` answers 503 until then. */
  readiness: { ready: boolean };
  /** Compiles a candidate version in the data plane; resolves to the compile error, or null. */
  compileCheck: { check: ((code: WorkerCode) => Promise<string | null>) | null };
}

export interface AppEnv {
  Variables: {
    platform: Platform;
    accountId: string;
    tokenId: string;
    isAdmin: boolean;
    namespace: NamespaceRow;
  };
}
