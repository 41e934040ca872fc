import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sha256Hex } from '../crypto/hash.ts';
import { BlobCollector, type BlobId, type BlobReferences } from './blob-collector.ts';
import { LocalBlobStore } from './local-blob-store.ts';

/** References as a set the test edits; `gate` lets a test hold a lookup open, as a slow database would. */
class NamedBlobs implements BlobReferences {
  readonly named = new Set<string>();
  gate: Promise<void> = Promise.resolve();
  async isReferenced(blob: BlobId) {
    await this.gate;
    return this.named.has(blob.key);
  }
  async referencedKeys() {
    return new Set(this.named);
  }
}

const blobOf = (text: string) => {
  const bytes = new TextEncoder().encode(text);
  return { kind: 'modules' as const, key: sha256Hex(bytes), bytes };
};

async function keys(store: LocalBlobStore): Promise<string[]> {
  const found: string[] = [];
  for await (const key of store.list('modules')) found.push(key);
  return found.sort();
}

describe('BlobCollector', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-blobs-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const setUp = async (name: string) => {
    const store = new LocalBlobStore(join(dir, name));
    const references = new NamedBlobs();
    return { store, references, collector: new BlobCollector(store, references) };
  };

  it('removes the blobs nothing names and keeps the named ones', async () => {
    const { store, references, collector } = await setUp('collect');
    const [kept, orphan] = [blobOf('kept'), blobOf('orphan')];
    for (const blob of [kept, orphan]) await store.put('modules', blob.key, blob.bytes);
    references.named.add(kept.key);
    assert.equal(await collector.collect([kept, orphan, orphan]), 1);
    assert.deepEqual(await keys(store), [kept.key]);
  });

  it('removes what a failed upload held and nothing names, keeping what another version names', async () => {
    const { store, references, collector } = await setUp('failed');
    const [shared, fresh] = [blobOf('shared'), blobOf('fresh')];
    await store.put('modules', shared.key, shared.bytes);
    references.named.add(shared.key);
    await assert.rejects(
      collector.holding([shared, fresh], async () => {
        await store.put('modules', fresh.key, fresh.bytes);
        assert.equal(await collector.collect([fresh]), 0, 'a held blob is not removed');
        assert.equal(await collector.sweep(), 0, 'nor swept');
        throw new Error('refused');
      }),
      /refused/,
    );
    assert.deepEqual(await keys(store), [shared.key]);
  });

  it('keeps what a successful upload named once it is committed', async () => {
    const { store, references, collector } = await setUp('committed');
    const blob = blobOf('committed');
    await collector.holding([blob], async () => {
      await store.put('modules', blob.key, blob.bytes);
      references.named.add(blob.key);
    });
    assert.equal(await collector.sweep(), 0);
    assert.deepEqual(await keys(store), [blob.key]);
  });

  it('lets an upload that arrives during a removal wait for it, then write the blob anew', async () => {
    const { store, references, collector } = await setUp('race');
    const blob = blobOf('raced');
    await store.put('modules', blob.key, blob.bytes);
    let open!: () => void;
    references.gate = new Promise((resolve) => (open = resolve));
    const removal = collector.collect([blob]);
    const upload = collector.holding([blob], async () => {
      await store.put('modules', blob.key, blob.bytes);
      references.named.add(blob.key);
    });
    open();
    assert.equal(await removal, 1, 'the removal that began first completes');
    await upload;
    assert.deepEqual(await keys(store), [blob.key], 'and the upload that came during it still finds its blob');
  });

  it('sweeps every stored blob nothing names', async () => {
    const { store, references, collector } = await setUp('sweep');
    const blobs = ['a', 'b', 'c', 'd'].map(blobOf);
    for (const blob of blobs) await store.put('modules', blob.key, blob.bytes);
    references.named.add(blobs[1].key);
    assert.equal(await collector.sweep(), 3);
    assert.deepEqual(await keys(store), [blobs[1].key]);
  });
});
