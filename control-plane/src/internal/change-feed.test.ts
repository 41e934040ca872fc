import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureAccount } from '../accounts/accounts.ts';
import { openDatabase, type Database } from '../db/index.ts';
import { changeEvents } from '../db/schema.ts';
import { createNamespace, deleteNamespace, findNamespace } from '../namespaces/namespace-store.ts';
import { deleteScriptRows, findScript, writeVersion } from '../scripts/script-store.ts';
import { versionContent } from '../scripts/version-content-fixture.ts';
import { ChangeFeed } from './change-feed.ts';

const content = versionContent();

describe('the durable change feed', () => {
  let dir: string;
  let db: Database;
  let close: () => void;
  const account = 'a'.repeat(32);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-feed-'));
    const opened = await openDatabase(`file:${join(dir, 'feed.db')}`);
    db = opened.db;
    close = () => opened.client.close();
    await ensureAccount(db, account, 'test');
  });

  after(async () => {
    close();
    await rm(dir, { recursive: true, force: true });
  });

  it('gets an event from the write itself, in its transaction, for every change to a script or a namespace', async () => {
    const feed = new ChangeFeed(db);
    const start = await feed.last();
    const namespace = await createNamespace(db, account, 'shop', 'test');
    await writeVersion(db, { accountId: account, namespaceId: namespace.id, name: 'cart', content });
    const script = (await findScript(db, namespace.id, 'cart'))!;
    await db.transaction((tx) => deleteScriptRows(tx, [script.id]));
    await db.transaction(async (tx) => deleteNamespace(tx, (await findNamespace(tx, account, 'shop'))!));
    const page = await feed.poll('node-a', start, 0);
    const seen = page.events.map((event) => `${event.namespace}/${event.script ?? '*'}`);
    assert.deepEqual([...new Set(seen)], ['shop/cart', 'shop/*']);
    assert.equal(seen.at(-1), 'shop/*');
    assert.ok(page.events.every((event) => event.accountId === account));
    assert.equal(page.last, page.events.at(-1)!.seq);
    assert.equal(page.reset, false);
  });

  it('keeps the newest events when it prunes, and tells a node that was away longer to start over', async () => {
    const feed = new ChangeFeed(db);
    const old = Date.now() - 30 * 24 * 3600_000;
    const rows = Array.from({ length: 10_050 }, (_, i) => ({ accountId: account, namespace: 'bulk', script: `s${i}`, at: old }));
    for (let i = 0; i < rows.length; i += 1000) await db.insert(changeEvents).values(rows.slice(i, i + 1000));
    const last = await feed.last();
    await feed.prune();
    assert.equal(await feed.last(), last, 'the newest event is never pruned');

    const away = await feed.poll('node-away', 3, 0);
    assert.deepEqual(away, { events: [], last, reset: true });
    const recent = await feed.poll('node-recent', last - 5, 0);
    assert.equal(recent.reset, false);
    assert.deepEqual(recent.events.map((event) => event.seq), [last - 4, last - 3, last - 2, last - 1, last]);
    const fresh = await feed.poll('node-fresh', null, 0);
    assert.deepEqual(fresh, { events: [], last, reset: false });
    const ahead = await feed.poll('node-ahead', last + 50, 0);
    assert.deepEqual(ahead, { events: [], last, reset: true }, 'a node ahead of a restored database starts over too');
  });

  it('answers a waiting poll as soon as a change is written, and settles once the node has applied it', async () => {
    const feed = new ChangeFeed(db);
    const namespace = await createNamespace(db, account, 'live', 'test');
    const last = await feed.last();
    const started = Date.now();
    const waiting = feed.poll('node-w', last, 10_000);
    await writeVersion(db, { accountId: account, namespaceId: namespace.id, name: 'fresh', content });
    const settled = feed.settle();
    const page = await waiting;
    assert.ok(Date.now() - started < 2000, 'the poll was answered at once, not at the end of its wait');
    assert.ok(page.events.some((event) => event.namespace === 'live' && event.script === 'fresh'));
    let done = false;
    void settled.then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(done, false, 'not settled before the node polled again');
    const next = feed.poll('node-w', page.last, 50);
    await settled;
    await next;
  });
});
