import type { BlobCollector } from './blobs/blob-collector.ts';
import type { BlobStore } from './blobs/blob-store.ts';
import type { SecretBox } from './crypto/secret-box.ts';
import type { TokenSigner } from './crypto/signed-token.ts';
import type { Database } from './db/index.ts';
import type { ChangeFeed } from './internal/change-feed.ts';
import type { InvocationBoard } from './internal/invocation-jobs.ts';
import type { WarmUpBoard } from './internal/warm-ups.ts';
import type { NamespaceRow } from './namespaces/namespace-store.ts';
import type { PlatformMaxima } from './scripts/script-limits.ts';

/** What every route needs: storage, keys and the nodes' channels, created once at start. */
export interface Platform {
  db: Database;
  blobs: BlobStore;
  /** Removes blobs nothing names any more; uploads hold theirs with it. */
  blobCollector: BlobCollector;
  secretBox: SecretBox;
  signer: TokenSigner;
  /** The durable change feed nodes follow. */
  changes: ChangeFeed;
  /** Uploads being warmed on the nodes before they are stored. */
  warmUps: WarmUpBoard;
  /** Invocations the control plane runs on a node (cron firings). */
  invocations: InvocationBoard;
  /** The account a node's dispatch worker belongs to unless its config names one. */
  defaultAccountId: string;
  /** Platform maxima a script's settings may not exceed. */
  limits: PlatformMaxima;
  /** The tag prefix that names a script's tenant (`SWITCHYARD_TENANT_TAG_PREFIX`): strikes and holds also follow it. */
  tenantTagPrefix: string | null;
  /** The bytes each account may store (`SWITCHYARD_ACCOUNT_STORAGE_MB`; see accounts/storage-quota.ts). */
  storageQuotaBytes: number;
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
