import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { createClient } from '@libsql/client';
import { asc } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import * as schema from './schema.ts';

const migrations = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** The migrations folder as it was before `tag`: what an existing installation has applied. */
async function migrationsBefore(tag: string, dir: string): Promise<string> {
  const folder = join(dir, 'drizzle-before');
  await cp(migrations, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: { idx: number; tag: string }[] };
  const at = journal.entries.findIndex((entry) => entry.tag === tag);
  assert.ok(at > 0, `migration ${tag} exists`);
  journal.entries = journal.entries.slice(0, at);
  await writeFile(journalPath, JSON.stringify(journal));
  return folder;
}

describe('migration 0006_version_blobs', () => {
  let dir: string;
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('records the blobs of versions stored before it, so the first sweep keeps them', async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-migration-'));
    const client = createClient({ url: `file:${join(dir, 'db.sqlite')}` });
    const db = drizzle(client, { schema });
    await migrate(db, { migrationsFolder: await migrationsBefore('0006_version_blobs', dir) });
    const account = 'a'.repeat(32);
    const [moduleA, moduleB, assetHash] = ['1'.repeat(64), '2'.repeat(64), 'f'.repeat(32)];
    await db.insert(schema.accounts).values({ id: account, name: 'old', createdAt: 1 });
    await db.insert(schema.dispatchNamespaces).values({ id: 'ns', accountId: account, name: 'production', createdBy: 't', modifiedBy: 't', createdAt: 1, modifiedAt: 1 });
    await db.insert(schema.scripts).values({ id: 's', namespaceId: 'ns', name: 'site', currentVersionId: 'v2', createdAt: 1, modifiedAt: 1 });
    const content = (assets: unknown) =>
      JSON.stringify({
        modules: [
          { name: 'index.mjs', type: 'esModule', contentType: 'application/javascript+module', blob: moduleA, size: 10 },
          { name: 'lib.mjs', type: 'esModule', contentType: 'application/javascript+module', blob: moduleB, size: 20 },
        ],
        assets,
      });
    await db.insert(schema.scriptVersions).values([
      { id: 'v1', scriptId: 's', number: 1, createdAt: 1, content: content(null), etag: 'e1' },
      { id: 'v2', scriptId: 's', number: 2, createdAt: 2, content: content({ manifest: { '/a.html': { hash: assetHash, size: 5 }, '/b.html': { hash: assetHash, size: 5 } }, config: {} }), etag: 'e2' },
    ]);

    await migrate(db, { migrationsFolder: migrations });
    const rows = await db.select().from(schema.versionBlobs).orderBy(asc(schema.versionBlobs.versionId), asc(schema.versionBlobs.kind), asc(schema.versionBlobs.key));
    assert.deepEqual(
      rows.map((row) => [row.versionId, row.accountId, row.kind, row.key, row.size]),
      [
        ['v1', account, 'modules', moduleA, 10],
        ['v1', account, 'modules', moduleB, 20],
        ['v2', account, 'assets', account + assetHash, 5],
        ['v2', account, 'modules', moduleA, 10],
        ['v2', account, 'modules', moduleB, 20],
      ],
    );
    client.close();
  });
});
