import { serve, type ServerType } from '@hono/node-server';
import { asc, count, eq } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ensureAccount } from './accounts/accounts.ts';
import { registerToken } from './accounts/token-store.ts';
import { createApp } from './app.ts';
import { BlobCollector } from './blobs/blob-collector.ts';
import { sweepBlobs } from './blobs/sweep.ts';
import { LocalBlobStore } from './blobs/local-blob-store.ts';
import { loadOrCreateKey } from './crypto/key-file.ts';
import { randomHexId } from './crypto/hash.ts';
import { SecretBox } from './crypto/secret-box.ts';
import { TokenSigner } from './crypto/signed-token.ts';
import { openDatabase } from './db/index.ts';
import { ChangeFeed } from './internal/change-feed.ts';
import { InvocationBoard } from './internal/invocation-jobs.ts';
import { CronScheduler } from './schedules/scheduler.ts';
import { WarmUpBoard } from './internal/warm-ups.ts';
import { createInternalApp } from './internal/internal-app.ts';
import { accounts, apiTokens } from './db/schema.ts';
import { createNamespace, findNamespace } from './namespaces/namespace-store.ts';
import type { Platform } from './platform.ts';
import { versionBlobReferences } from './scripts/version-blobs.ts';


export interface ControlPlaneOptions {
  dataDir: string;
  port: number;
  host: string;
  /** The default account; created if missing. Generated on first start when absent. */
  accountId?: string;
  /** Registered as a root token of the default account when given. */
  apiToken?: string;
  /** The token data plane nodes present on the internal API (`SWITCHYARD_NODE_TOKEN`). */
  nodeToken: string;
  /** The most CPU time a script's settings may ask for (`SWITCHYARD_MAX_CPU_MS`, default 30,000). */
  maxCpuMs?: number;
  /** The most subrequests a script's settings may ask for (`SWITCHYARD_MAX_SUBREQUESTS`, default 1,000). */
  maxSubrequests?: number;
  /** The MiB each account may store: script blobs, assets and version rows (`SWITCHYARD_ACCOUNT_STORAGE_MB`, default 1,024). */
  accountStorageMb?: number;
  /** Tags starting with this name a script's tenant: strikes across a tenant's scripts hold them all back. */
  tenantTagPrefix?: string;
}

export interface ControlPlane {
  url: string;
  accountId: string;
  /** A token generated on this start because the account had none; shown once. */
  generatedToken: string | null;
  platform: Platform;
  close(): Promise<void>;
}

const defaultNamespace = 'production';

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const databasePath = join(dataDir, 'switchyard.db');
  const { db, client } = await openDatabase(`file:${databasePath}`);
  // Only this process reads the database (SQLite gives its -wal and -shm files the same mode).
  await chmod(databasePath, 0o600);
  if (options.nodeToken.length < 16) throw new Error('SWITCHYARD_NODE_TOKEN must be at least 16 characters.');
  const accountId = options.accountId ?? (await firstAccountId(db)) ?? randomHexId();
  const blobs = new LocalBlobStore(join(dataDir, 'blobs'));
  const platform: Platform = {
    db,
    blobs,
    blobCollector: new BlobCollector(blobs, versionBlobReferences(db)),
    secretBox: new SecretBox(await loadOrCreateKey(join(dataDir, 'keys', 'secrets.key'))),
    signer: new TokenSigner(await loadOrCreateKey(join(dataDir, 'keys', 'signing.key'))),
    changes: new ChangeFeed(db),
    warmUps: new WarmUpBoard(),
    invocations: new InvocationBoard(),
    defaultAccountId: accountId,
    limits: { maxCpuMs: options.maxCpuMs ?? 30_000, maxSubrequests: options.maxSubrequests ?? 1000 },
    storageQuotaBytes: (options.accountStorageMb ?? 1024) * 1024 * 1024,
    tenantTagPrefix: options.tenantTagPrefix || null,
  };

  if (!/^[0-9a-f]{32}$/.test(accountId)) throw new Error(`SWITCHYARD_ACCOUNT_ID must be 32 lowercase hex characters, got "${accountId}"`);
  await ensureAccount(db, accountId, 'Default account');
  let generatedToken: string | null = null;
  if (options.apiToken) {
    const root = await registerToken(db, accountId, options.apiToken, 'root (SWITCHYARD_API_TOKEN)', true);
    if (root.revokedAt !== null) {
      client.close();
      throw new Error(`SWITCHYARD_API_TOKEN was revoked on ${new Date(root.revokedAt).toISOString()}; revocation is permanent: set a new token.`);
    }
  } else {
    const [{ tokens }] = await db.select({ tokens: count() }).from(apiTokens).where(eq(apiTokens.accountId, accountId));
    if (tokens === 0) {
      generatedToken = randomBytes(30).toString('base64url');
      await registerToken(db, accountId, generatedToken, 'root (generated)', true);
    }
  }
  if (!(await findNamespace(db, accountId, defaultNamespace))) {
    await createNamespace(db, accountId, defaultNamespace, 'switchyard');
  }

  await platform.changes.prune();
  const pruning = setInterval(() => void platform.changes.prune().catch((error) => console.error('[change-feed] pruning:', error)), 3600_000);
  pruning.unref();
  const sweep = () => void sweepBlobs(platform).catch((error) => console.error('[blobs] sweeping:', error));
  sweep();
  const sweeping = setInterval(sweep, 3600_000);
  sweeping.unref();
  const server = await listen(createApp(platform, createInternalApp(platform, options.nodeToken)).fetch, options.host, options.port);
  const cron = new CronScheduler(platform);
  cron.start();
  return {
    url: urlOf(server, options.host),
    accountId,
    generatedToken,
    platform,
    async close() {
      clearInterval(pruning);
      clearInterval(sweeping);
      cron.stop();
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((done) => server.close(() => done()));
      client.close();
    },
  };
}

function listen(fetch: (request: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<ServerType> {
  return new Promise((resolveServer, reject) => {
    const started = serve({ fetch, port, hostname }, () => resolveServer(started));
    started.once('error', reject);
  });
}

function urlOf(server: ServerType, host: string): string {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

async function firstAccountId(db: Platform['db']): Promise<string | null> {
  const [row] = await db.select({ id: accounts.id }).from(accounts).orderBy(asc(accounts.createdAt)).limit(1);
  return row?.id ?? null;
}
