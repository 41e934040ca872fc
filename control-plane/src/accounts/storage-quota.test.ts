import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { BlobRef } from '../blobs/blob-store.ts';
import { openDatabase } from '../db/index.ts';
import { assetUploadSessions } from '../db/schema.ts';
import { createNamespace } from '../namespaces/namespace-store.ts';
import { writeVersion } from '../scripts/script-store.ts';
import type { VersionContent } from '../scripts/version-content.ts';
import { versionContent } from '../scripts/version-content-fixture.ts';
import { ensureAccount } from './accounts.ts';
import { distinctBytes, formatBytes, quotaRefusal, storedBytes } from './storage-quota.ts';

const kib = 1024;
const module = (key: string, size: number): BlobRef => ({ kind: 'modules', key, size });

describe('storage quota arithmetic', () => {
  it('counts a blob once however many versions name it', () => {
    assert.equal(distinctBytes([module('a', 10), module('a', 10), module('b', 5), { kind: 'assets', key: 'a', size: 7 }]), 22);
    assert.equal(distinctBytes([]), 0);
  });

  it('refuses growth past the quota, saying the usage, the quota, the growth and what to delete', () => {
    const stored = { blobs: [module('a', 600 * kib)], rowBytes: 0 };
    const refusal = quotaRefusal(1024 * kib, stored, { blobs: [module('b', 500 * kib)], rowBytes: 100 });
    assert.equal(refusal?.status, 413);
    assert.equal(refusal?.code, 10029);
    assert.match(refusal!.message, /stores 600\.0 KiB of its 1\.0 MiB storage quota, and this upload would add 500\.1 KiB\. Delete scripts .* or versions .* you no longer need/);
  });

  it('admits a version that reuses stored blobs, paying only for its row', () => {
    const stored = { blobs: [module('a', 1000 * kib)], rowBytes: 10 * kib };
    assert.equal(quotaRefusal(1024 * kib, stored, { blobs: [module('a', 1000 * kib)], rowBytes: 10 * kib }), null);
    assert.notEqual(quotaRefusal(1024 * kib, stored, { blobs: [module('a', 1000 * kib)], rowBytes: 15 * kib }), null);
  });

  it('writes sizes for people', () => {
    assert.deepEqual([formatBytes(512), formatBytes(1536), formatBytes(5 * 1024 * 1024), formatBytes(3 * 1024 ** 3)], ['512 bytes', '1.5 KiB', '5.0 MiB', '3.0 GiB']);
  });
});

describe('storedBytes', () => {
  let dir: string;
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("sums an account's distinct blobs, its open sessions' assets and its version rows, and no other account's", async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-quota-'));
    const { db, client } = await openDatabase(`file:${join(dir, 'db.sqlite')}`);
    const [mine, theirs] = ['a'.repeat(32), 'b'.repeat(32)];
    const shared = '1'.repeat(64);
    const content = (blobs: [string, number][]): VersionContent =>
      versionContent({
        mainModule: 'm0',
        modules: blobs.map(([blob, size], index) => ({ name: `m${index}`, type: 'esModule', contentType: 'application/javascript+module', blob, size })),
        assets: { manifest: { '/a.html': { hash: 'c'.repeat(32), size: 300 } }, config: {} },
      });
    let rowBytes = 0;
    for (const account of [mine, theirs]) {
      await ensureAccount(db, account, account);
      const namespace = await createNamespace(db, account, 'production', 'test');
      for (const blobs of [[[shared, 1000]], [[shared, 1000], ['2'.repeat(64), 50]]] as [string, number][][]) {
        const written = await writeVersion(db, { accountId: account, namespaceId: namespace.id, name: 'site', content: content(blobs) });
        if (account === mine) rowBytes += Buffer.byteLength(written.version.content);
      }
    }
    await db.insert(assetUploadSessions).values([
      { id: 'open', accountId: mine, namespaceId: 'n', scriptName: 's', manifest: JSON.stringify({ '/b.html': { hash: 'd'.repeat(32), size: 70 }, '/a.html': { hash: 'c'.repeat(32), size: 300 } }), createdAt: Date.now(), expiresAt: Date.now() + 3600_000 },
      { id: 'expired', accountId: mine, namespaceId: 'n', scriptName: 's', manifest: JSON.stringify({ '/e.html': { hash: 'e'.repeat(32), size: 9999 } }), createdAt: 0, expiresAt: 1 },
    ]);

    const stored = await storedBytes(db, mine);
    assert.equal(distinctBytes(stored.blobs), 1000 + 50 + 300 + 70);
    assert.equal(stored.rowBytes, rowBytes);
    assert.ok(rowBytes > 0);
    client.close();
  });
});
