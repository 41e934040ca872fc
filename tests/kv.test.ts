import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Api } from './helpers/api.ts';
import { type RunningPlatform, usePlatform } from './helpers/platform.ts';

const kv = '/storage/kv/namespaces';

describe('Workers KV REST API', () => {
  let platform: RunningPlatform;
  let api: Api;

  /** A fresh namespace for one test, so tests share nothing. */
  const namespace = async (title: string): Promise<string> => {
    const created = await api.post(kv, { title });
    assert.equal(created.status, 200, JSON.stringify(created.body.errors));
    return created.body.result.id as string;
  };
  const valuePath = (id: string, key: string) => `${kv}/${id}/values/${encodeURIComponent(key)}`;
  const metadataPath = (id: string, key: string) => `${kv}/${id}/metadata/${encodeURIComponent(key)}`;
  const readValue = async (id: string, key: string) => {
    const response = await api.raw('GET', valuePath(id, key));
    return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
  };
  const readText = async (id: string, key: string) => Buffer.from((await readValue(id, key)).bytes).toString('utf8');
  const listAll = async (id: string, query = '') => (await api.get(`${kv}/${id}/keys${query}`)).body.result as { name: string; metadata?: unknown; expiration?: number }[];
  const withMetadata = (value: string | Uint8Array, metadata: unknown) => {
    const form = new FormData();
    form.append('value', typeof value === 'string' ? value : new Blob([new Uint8Array(value)]));
    form.append('metadata', JSON.stringify(metadata));
    return form;
  };
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  usePlatform({}, (started) => ({ platform, api } = started));

  describe('namespaces', () => {
    it('creates a namespace and refuses a duplicate or missing title', async () => {
      const created = await api.post(kv, { title: 'create-me' });
      assert.equal(created.status, 200);
      assert.equal(created.body.success, true);
      assert.match(created.body.result.id, /^[0-9a-f]{32}$/);
      assert.equal(created.body.result.title, 'create-me');

      const duplicate = await api.post(kv, { title: 'create-me' });
      assert.equal(duplicate.status, 400);
      assert.equal(duplicate.body.success, false);
      assert.match(duplicate.body.errors[0].message, /already exists/);

      assert.equal((await api.post(kv, {})).status, 400);
      assert.equal((await api.post(kv, { title: '   ' })).status, 400);
      assert.equal((await api.post(kv, { title: 42 })).status, 400);
      const notJson = await api.call('POST', kv, '{oops', { 'content-type': 'application/json' });
      assert.equal(notJson.status, 400);
      assert.match(notJson.body.errors[0].message, /not valid JSON/);
    });

    it('lists namespaces page by page with result_info', async () => {
      // A fresh account, so the totals are exact whatever other tests create.
      const account = await api.call('POST', '//accounts', { name: 'kv listing' });
      assert.equal(account.status, 200);
      const owner = new Api(platform, platform.token, account.body.result.id);
      const titles = ['list-a', 'list-b', 'list-c', 'list-d', 'list-e'];
      const ids = new Map<string, string>();
      for (const title of titles) ids.set(title, (await owner.post(kv, { title })).body.result.id);

      const first = await owner.get(`${kv}?page=1&per_page=2&order=title`);
      assert.equal(first.status, 200);
      assert.deepEqual(
        first.body.result.map((n: { title: string }) => n.title),
        ['list-a', 'list-b'],
      );
      assert.deepEqual(first.body.result_info, { page: 1, per_page: 2, count: 2, total_count: 5, total_pages: 3 });
      const last = await owner.get(`${kv}?page=3&per_page=2&order=title`);
      assert.deepEqual(
        last.body.result.map((n: { title: string }) => n.title),
        ['list-e'],
      );
      assert.deepEqual(last.body.result_info, { page: 3, per_page: 2, count: 1, total_count: 5, total_pages: 3 });
      const beyond = await owner.get(`${kv}?page=4&per_page=2`);
      assert.deepEqual(beyond.body.result, []);
      assert.equal(beyond.body.result_info?.count, 0);

      const all = await owner.get(kv);
      assert.equal(all.body.result.length, 5);
      assert.deepEqual(
        all.body.result.map((n: { id: string }) => n.id).sort(),
        [...ids.values()].sort(),
      );
      assert.equal(all.body.result_info?.per_page, 20);

      const paged: string[] = [];
      for (let page = 1; page <= 3; page++) {
        paged.push(...(await owner.get(`${kv}?page=${page}&per_page=2`)).body.result.map((n: { id: string }) => n.id));
      }
      assert.deepEqual(paged.sort(), [...ids.values()].sort(), 'paging visits every namespace exactly once');

      assert.equal((await owner.get(`${kv}?per_page=0`)).status, 400);
      assert.equal((await owner.get(`${kv}?page=abc`)).status, 400);
    });

    it('gets, renames and deletes a namespace', async () => {
      const id = await namespace('to-rename');
      const fetched = await api.get(`${kv}/${id}`);
      assert.equal(fetched.status, 200);
      assert.equal(fetched.body.result.id, id);
      assert.equal(fetched.body.result.title, 'to-rename');

      const renamed = await api.put(`${kv}/${id}`, { title: 'renamed' });
      assert.equal(renamed.status, 200);
      assert.equal(renamed.body.result.id, id);
      assert.equal(renamed.body.result.title, 'renamed');
      assert.equal((await api.get(`${kv}/${id}`)).body.result.title, 'renamed');
      assert.equal((await api.put(`${kv}/${id}`, { title: 'renamed' })).status, 200, 'renaming to its own title is fine');
      await namespace('taken-title');
      const clash = await api.put(`${kv}/${id}`, { title: 'taken-title' });
      assert.equal(clash.status, 400);
      assert.match(clash.body.errors[0].message, /already exists/);
      assert.equal((await api.put(`${kv}/${id}`, {})).status, 400);

      assert.equal((await api.call('PUT', valuePath(id, 'inside'), 'v')).status, 200);
      const deleted = await api.delete(`${kv}/${id}`);
      assert.equal(deleted.status, 200);
      assert.equal(deleted.body.success, true);
      for (const path of [`${kv}/${id}`, valuePath(id, 'inside'), `${kv}/${id}/keys`]) {
        const gone = await api.get(path);
        assert.equal(gone.status, 404, path);
        assert.equal(gone.body.errors[0].code, 10013, path);
      }
      const again = await api.delete(`${kv}/${id}`);
      assert.equal(again.status, 404);
      assert.equal(again.body.errors[0].code, 10013);
      const unknown = await api.get(`${kv}/${'0'.repeat(32)}`);
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.errors[0].code, 10013);

      // The title is free again once the namespace is gone.
      assert.equal((await api.post(kv, { title: 'renamed' })).status, 200);
    });
  });

  describe('values', () => {
    it('stores the exact bytes of a raw body, under keys with "/", spaces and "%"', async () => {
      const id = await namespace('raw-values');
      const binary = new Uint8Array([0, 1, 2, 0x7f, 0x80, 0xc3, 0x28, 0xfe, 0xff, 0x00, 0x0a, 0x0d]);
      const key = 'dir/sub dir/file name.bin';
      const put = await api.call('PUT', valuePath(id, key), binary);
      assert.equal(put.status, 200);
      assert.equal(put.body.success, true);
      const read = await readValue(id, key);
      assert.equal(read.status, 200);
      assert.deepEqual(read.bytes, binary);
      assert.equal(read.headers.get('expiration'), null);

      const random = new Uint8Array(randomBytes(64 * 1024));
      assert.equal((await api.call('PUT', valuePath(id, 'random'), random)).status, 200);
      assert.deepEqual((await readValue(id, 'random')).bytes, random);

      const odd = ['100% sure', 'a%2Fb', 'ünïcödé/ключ', 'emoji 😀', 'q?x=1&y=2#frag', 'trailing/'];
      for (const oddKey of odd) {
        assert.equal((await api.call('PUT', valuePath(id, oddKey), `value of ${oddKey}`)).status, 200, oddKey);
      }
      for (const oddKey of odd) assert.equal(await readText(id, oddKey), `value of ${oddKey}`, oddKey);

      const names = (await listAll(id)).map((k) => k.name);
      assert.deepEqual(names.sort(), [key, 'random', ...odd].sort(), 'keys are listed decoded, exactly as written');

      const overwritten = await api.call('PUT', valuePath(id, key), 'second');
      assert.equal(overwritten.status, 200);
      assert.equal(await readText(id, key), 'second');
      const empty = await api.call('PUT', valuePath(id, 'empty'), new Uint8Array());
      assert.equal(empty.status, 200);
      const readEmpty = await readValue(id, 'empty');
      assert.equal(readEmpty.status, 200);
      assert.equal(readEmpty.bytes.byteLength, 0);
    });

    it('stores a multipart value with metadata', async () => {
      const id = await namespace('multipart-values');
      const metadata = { owner: 'alice', tags: ['a', 'b'], nested: { n: 1, ok: true } };
      const put = await api.call('PUT', valuePath(id, 'with/meta'), withMetadata('hello metadata', metadata));
      assert.equal(put.status, 200, JSON.stringify(put.body.errors));
      assert.equal(await readText(id, 'with/meta'), 'hello metadata');
      const meta = await api.get(metadataPath(id, 'with/meta'));
      assert.equal(meta.status, 200);
      assert.deepEqual(meta.body.result, metadata);

      const bytes = new Uint8Array([0xff, 0x00, 0xfe]);
      assert.equal((await api.call('PUT', valuePath(id, 'binary-file'), withMetadata(bytes, 'just a string'))).status, 200);
      assert.deepEqual((await readValue(id, 'binary-file')).bytes, bytes);
      assert.equal((await api.get(metadataPath(id, 'binary-file'))).body.result, 'just a string');

      const plain = new FormData();
      plain.append('value', 'no metadata');
      assert.equal((await api.call('PUT', valuePath(id, 'plain'), plain)).status, 200);
      const none = await api.get(metadataPath(id, 'plain'));
      assert.equal(none.status, 200);
      assert.equal(none.body.result, null);

      // Writing again without metadata drops the old metadata.
      assert.equal((await api.call('PUT', valuePath(id, 'with/meta'), 'replaced')).status, 200);
      assert.equal((await api.get(metadataPath(id, 'with/meta'))).body.result, null);

      const noValue = new FormData();
      noValue.append('metadata', '{}');
      assert.equal((await api.call('PUT', valuePath(id, 'no-value'), noValue)).status, 400);
      const badJson = new FormData();
      badJson.append('value', 'x');
      badJson.append('metadata', '{not json');
      assert.equal((await api.call('PUT', valuePath(id, 'bad-json'), badJson)).status, 400);
      assert.equal((await readValue(id, 'bad-json')).status, 404, 'a refused write stores nothing');

      const missing = await api.get(metadataPath(id, 'nothing-here'));
      assert.equal(missing.status, 404);
      assert.equal(missing.body.errors[0].code, 10009);
    });

    it('expires values by expiration_ttl or expiration and refuses bad expirations', async () => {
      const id = await namespace('expiring-values');
      const before = nowSeconds();
      assert.equal((await api.call('PUT', `${valuePath(id, 'ttl')}?expiration_ttl=3600`, 'ttl')).status, 200);
      const ttlRead = await readValue(id, 'ttl');
      const ttlExpiration = Number(ttlRead.headers.get('expiration'));
      assert.ok(ttlExpiration >= before + 3600 && ttlExpiration <= nowSeconds() + 3600, `expiration header ${ttlExpiration}`);

      const at = nowSeconds() + 7200;
      assert.equal((await api.call('PUT', `${valuePath(id, 'absolute')}?expiration=${at}`, 'abs')).status, 200);
      assert.equal((await readValue(id, 'absolute')).headers.get('expiration'), String(at));
      const multipart = await api.call('PUT', `${valuePath(id, 'multi')}?expiration=${at}`, withMetadata('m', { m: 1 }));
      assert.equal(multipart.status, 200);

      const listed = await listAll(id);
      assert.deepEqual(listed, [
        { name: 'absolute', expiration: at },
        { name: 'multi', expiration: at, metadata: { m: 1 } },
        { name: 'ttl', expiration: ttlExpiration },
      ]);

      // Minimum TTL is 60 s; expirations must be at least 60 s in the future.
      for (const query of ['expiration_ttl=59', 'expiration_ttl=0', 'expiration_ttl=-5', 'expiration_ttl=abc', 'expiration_ttl=90.5']) {
        const refused = await api.call('PUT', `${valuePath(id, 'refused')}?${query}`, 'x');
        assert.equal(refused.status, 400, query);
        assert.equal(refused.body.success, false, query);
      }
      for (const expiration of [1000, nowSeconds() - 10, nowSeconds() + 10]) {
        const refused = await api.call('PUT', `${valuePath(id, 'refused')}?expiration=${expiration}`, 'x');
        assert.equal(refused.status, 400, String(expiration));
      }
      assert.equal((await readValue(id, 'refused')).status, 404);
      assert.equal((await api.call('PUT', `${valuePath(id, 'min-ttl')}?expiration_ttl=60`, 'x')).status, 200);
      assert.equal((await api.call('PUT', valuePath(id, 'ttl'), 'no longer expiring')).status, 200);
      assert.equal((await readValue(id, 'ttl')).headers.get('expiration'), null, 'a rewrite without expiration clears it');
    });

    it('deletes values and answers 404 (10009) for missing keys', async () => {
      const id = await namespace('delete-values');
      await api.call('PUT', valuePath(id, 'doomed/key one'), 'bye');
      await api.call('PUT', valuePath(id, 'survivor'), 'stays');
      const deleted = await api.delete(valuePath(id, 'doomed/key one'));
      assert.equal(deleted.status, 200);
      assert.equal(deleted.body.success, true);
      const gone = await api.get(valuePath(id, 'doomed/key one'));
      assert.equal(gone.status, 404);
      assert.equal(gone.body.success, false);
      assert.equal(gone.body.errors[0].code, 10009);
      assert.equal(await readText(id, 'survivor'), 'stays');
      assert.deepEqual(
        (await listAll(id)).map((k) => k.name),
        ['survivor'],
      );
      assert.equal((await api.delete(valuePath(id, 'never-existed'))).status, 200, 'deleting a missing key is not an error');
      const never = await api.get(valuePath(id, 'never-existed'));
      assert.equal(never.status, 404);
      assert.equal(never.body.errors[0].code, 10009);
    });

    it('enforces key, metadata and value size limits', async () => {
      const id = await namespace('limits');
      const longKey = await api.call('PUT', valuePath(id, 'k'.repeat(513)), 'x');
      assert.equal(longKey.status, 400);
      assert.match(longKey.body.errors[0].message, /512/);
      assert.equal((await api.call('PUT', valuePath(id, 'k'.repeat(512)), 'x')).status, 200, '512 bytes is the limit, inclusive');
      // 171 three-byte characters are 513 bytes but only 171 characters.
      assert.equal((await api.call('PUT', valuePath(id, '€'.repeat(171)), 'x')).status, 400, 'the limit counts UTF-8 bytes');
      const withNul = await api.call('PUT', valuePath(id, 'before\u0000after'), 'x');
      assert.equal(withNul.status, 400);
      assert.match(withNul.body.errors[0].message, /NUL/);
      const listed = await api.get(`/storage/kv/namespaces/${id}/keys`);
      assert.ok(!listed.body.result.some((key: { name: string }) => key.name.startsWith('before')), 'nothing stored under a cut key');

      const bigMetadata = await api.call('PUT', valuePath(id, 'big-metadata'), withMetadata('x', { pad: 'p'.repeat(1100) }));
      assert.equal(bigMetadata.status, 400);
      assert.match(bigMetadata.body.errors[0].message, /1024/);
      assert.equal((await readValue(id, 'big-metadata')).status, 404);
      // {"p":"…"} is 8 bytes of JSON around the padding: exactly 1024 bytes is allowed.
      assert.equal((await api.call('PUT', valuePath(id, 'max-metadata'), withMetadata('x', { p: 'p'.repeat(1016) }))).status, 200);
      assert.equal((await api.call('PUT', valuePath(id, 'over-metadata'), withMetadata('x', { p: 'p'.repeat(1017) }))).status, 400);

      const huge = new Uint8Array(25 * 1024 * 1024 + 1);
      const tooLarge = await api.call('PUT', valuePath(id, 'huge'), huge);
      assert.equal(tooLarge.status, 413);
      assert.equal(tooLarge.body.success, false);
      assert.equal((await readValue(id, 'huge')).status, 404);
      const largest = new Uint8Array(25 * 1024 * 1024);
      largest[largest.length - 1] = 7;
      assert.equal((await api.call('PUT', valuePath(id, 'largest'), largest)).status, 200, '25 MiB exactly is allowed');
      const readBack = await readValue(id, 'largest');
      assert.equal(readBack.bytes.byteLength, largest.byteLength);
      assert.equal(readBack.bytes[readBack.bytes.length - 1], 7);
    });
  });

  describe('key listing', () => {
    it('pages through keys with limit and cursor, each key exactly once and in order', async () => {
      const id = await namespace('cursor-listing');
      const keys = Array.from({ length: 25 }, (_, i) => `page/${String(i).padStart(2, '0')}`);
      // Written out of order: listing orders them.
      for (const key of [...keys].reverse()) assert.equal((await api.call('PUT', valuePath(id, key), key)).status, 200);
      await api.call('PUT', valuePath(id, 'other/1'), 'x');

      const seen: string[] = [];
      const cursors: string[] = [];
      let cursor = '';
      for (let round = 0; round < 10; round++) {
        const page = await api.get(`${kv}/${id}/keys?prefix=page/&limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.equal(page.status, 200);
        assert.equal(page.body.result_info?.count, page.body.result.length);
        seen.push(...page.body.result.map((k: { name: string }) => k.name));
        cursor = page.body.result_info?.cursor as string;
        assert.equal(typeof cursor, 'string');
        cursors.push(cursor);
        if (cursor === '') break;
      }
      assert.deepEqual(seen, keys);
      assert.equal(cursors.length, 3);
      assert.deepEqual(
        cursors.map((c) => c === ''),
        [false, false, true],
        'only the last page has an empty cursor',
      );

      const exact = await api.get(`${kv}/${id}/keys?prefix=page/&limit=25`);
      assert.equal(exact.body.result.length, 25);
      assert.equal(exact.body.result_info?.cursor, '', 'a page that ends the listing has no cursor');

      const everything = await listAll(id);
      assert.deepEqual(
        everything.map((k) => k.name),
        ['other/1', ...keys],
      );
      const limitOne = await api.get(`${kv}/${id}/keys?limit=1`);
      assert.deepEqual(
        limitOne.body.result.map((k: { name: string }) => k.name),
        ['other/1'],
      );

      for (const bad of ['limit=0', 'limit=1001', 'limit=abc', 'cursor=not-a-cursor!']) {
        const refused = await api.get(`${kv}/${id}/keys?${bad}`);
        assert.equal(refused.status, 400, bad);
      }
    });

    it('filters by prefix literally (no wildcards, any UTF-8)', async () => {
      const id = await namespace('prefix-listing');
      const keys = ['a_1', 'a%2', 'ab', 'abc', 'b', 'user:1', 'user:10', 'user:2', 'users', 'é/1', 'é/2', '😀/a', '😀/b', '😀x'];
      const bulk = await api.put(
        `${kv}/${id}/bulk`,
        keys.map((key) => ({ key, value: key })),
      );
      assert.equal(bulk.status, 200);
      const names = async (prefix: string) => (await listAll(id, `?prefix=${encodeURIComponent(prefix)}`)).map((k) => k.name);
      assert.deepEqual(await names('user:'), ['user:1', 'user:10', 'user:2']);
      assert.deepEqual(await names('user:1'), ['user:1', 'user:10']);
      assert.deepEqual(await names('a_'), ['a_1'], '"_" is not a wildcard');
      assert.deepEqual(await names('a%'), ['a%2'], '"%" is not a wildcard');
      assert.deepEqual(await names('ab'), ['ab', 'abc']);
      assert.deepEqual(await names('é/'), ['é/1', 'é/2']);
      assert.deepEqual(await names('😀/'), ['😀/a', '😀/b'], 'prefixes outside the BMP work too');
      assert.deepEqual(await names('zzz'), []);
      assert.deepEqual(await names(''), (await listAll(id)).map((k) => k.name));
    });

    it('shows metadata and expiration in the listing', async () => {
      const id = await namespace('listing-details');
      const at = nowSeconds() + 3600;
      await api.call('PUT', `${valuePath(id, 'both')}?expiration=${at}`, withMetadata('v', { color: 'blue' }));
      await api.call('PUT', valuePath(id, 'meta-only'), withMetadata('v', [1, 2, 3]));
      await api.call('PUT', `${valuePath(id, 'ttl-only')}?expiration=${at}`, 'v');
      await api.call('PUT', valuePath(id, 'plain'), 'v');
      const listed = await api.get(`${kv}/${id}/keys`);
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body.result, [
        { name: 'both', expiration: at, metadata: { color: 'blue' } },
        { name: 'meta-only', metadata: [1, 2, 3] },
        { name: 'plain' },
        { name: 'ttl-only', expiration: at },
      ]);
      assert.deepEqual(listed.body.result_info, { count: 4, cursor: '' });
    });
  });

  describe('bulk', () => {
    it('writes in bulk, with base64 values, metadata and expiration, and reads back', async () => {
      const id = await namespace('bulk-write');
      const binary = Buffer.from([0, 255, 1, 254, 10, 13]);
      const at = nowSeconds() + 3600;
      const written = await api.put(`${kv}/${id}/bulk`, [
        { key: 'text', value: 'plain text' },
        { key: 'bin/ary', value: binary.toString('base64'), base64: true },
        { key: 'meta', value: 'with meta', metadata: { who: 'bulk' } },
        { key: 'expiring', value: 'soon', expiration: at },
        { key: 'ttl', value: 'later', expiration_ttl: 600 },
      ]);
      assert.equal(written.status, 200, JSON.stringify(written.body.errors));
      assert.deepEqual(written.body.result, { successful_key_count: 5, unsuccessful_keys: [] });

      assert.equal(await readText(id, 'text'), 'plain text');
      assert.deepEqual(Buffer.from((await readValue(id, 'bin/ary')).bytes), binary);
      assert.equal(await readText(id, 'meta'), 'with meta');
      assert.deepEqual((await api.get(metadataPath(id, 'meta'))).body.result, { who: 'bulk' });
      assert.equal((await readValue(id, 'expiring')).headers.get('expiration'), String(at));
      const ttl = Number((await readValue(id, 'ttl')).headers.get('expiration'));
      assert.ok(Math.abs(ttl - (nowSeconds() + 600)) <= 5, `ttl expiration ${ttl}`);

      // A second bulk write overwrites.
      await api.put(`${kv}/${id}/bulk`, [{ key: 'text', value: 'replaced' }]);
      assert.equal(await readText(id, 'text'), 'replaced');
    });

    it('refuses a bulk write with any bad item and writes none of it', async () => {
      const id = await namespace('bulk-refused');
      const bodies: unknown[] = [
        { not: 'an array' },
        'a string',
        [{ key: 'ok', value: 'fine' }, { key: 'k'.repeat(513), value: 'x' }],
        [{ key: 'ok', value: 'fine' }, { key: 'meta', value: 'x', metadata: { pad: 'p'.repeat(1100) } }],
        [{ key: 'ok', value: 'fine' }, { key: 'short', value: 'x', expiration_ttl: 30 }],
        [{ key: 'ok', value: 'fine' }, { key: 'past', value: 'x', expiration: 1000 }],
        [{ key: 'ok', value: 'fine' }, { key: 'number', value: 42 }],
        [{ key: 'ok', value: 'fine' }, { value: 'no key' }],
        [{ key: 'ok', value: 'fine' }, null],
      ];
      for (const body of bodies) {
        const refused = await api.put(`${kv}/${id}/bulk`, body);
        assert.equal(refused.status, 400, JSON.stringify(body).slice(0, 80));
        assert.equal(refused.body.success, false);
      }
      assert.deepEqual(await listAll(id), [], 'no item of a refused bulk write was stored');
      const notJson = await api.call('PUT', `${kv}/${id}/bulk`, '[{', { 'content-type': 'application/json' });
      assert.equal(notJson.status, 400);
      const empty = await api.put(`${kv}/${id}/bulk`, []);
      assert.equal(empty.status, 200);
      assert.equal(empty.body.result.successful_key_count, 0);
    });

    it('deletes in bulk with DELETE /bulk and POST /bulk/delete', async () => {
      const id = await namespace('bulk-delete');
      const keys = ['d1', 'd2', 'd/3', 'd 4', 'keep'];
      await api.put(
        `${kv}/${id}/bulk`,
        keys.map((key) => ({ key, value: key })),
      );
      const viaDelete = await api.delete(`${kv}/${id}/bulk`, ['d1', 'd/3', 'not-there']);
      assert.equal(viaDelete.status, 200, JSON.stringify(viaDelete.body.errors));
      assert.equal(viaDelete.body.success, true);
      assert.deepEqual(
        (await listAll(id)).map((k) => k.name),
        ['d 4', 'd2', 'keep'],
      );
      const viaPost = await api.post(`${kv}/${id}/bulk/delete`, ['d2', 'd 4']);
      assert.equal(viaPost.status, 200, JSON.stringify(viaPost.body.errors));
      assert.equal(viaPost.body.success, true);
      assert.deepEqual(
        (await listAll(id)).map((k) => k.name),
        ['keep'],
      );
      for (const key of ['d1', 'd2', 'd/3', 'd 4']) assert.equal((await readValue(id, key)).status, 404, key);
      assert.equal(await readText(id, 'keep'), 'keep');

      for (const body of [{ keys: ['keep'] }, 'keep', [1, 2], [{ key: 'keep' }]]) {
        assert.equal((await api.delete(`${kv}/${id}/bulk`, body)).status, 400, JSON.stringify(body));
        assert.equal((await api.post(`${kv}/${id}/bulk/delete`, body)).status, 400, JSON.stringify(body));
      }
      assert.equal(await readText(id, 'keep'), 'keep');
    });

    it('reads in bulk as text or json, with or without metadata', async () => {
      const id = await namespace('bulk-get');
      const at = nowSeconds() + 3600;
      await api.put(`${kv}/${id}/bulk`, [
        { key: 'j1', value: '{"n":1}' },
        { key: 'j2', value: '[true,"x"]', metadata: { m: 2 } },
        { key: 'j3', value: '"str"', expiration: at, metadata: { m: 3 } },
        { key: 'text', value: 'not json' },
      ]);
      const path = `${kv}/${id}/bulk/get`;

      const text = await api.post(path, { keys: ['j1', 'j2', 'text', 'missing'] });
      assert.equal(text.status, 200);
      assert.deepEqual(text.body.result.values, { j1: '{"n":1}', j2: '[true,"x"]', text: 'not json', missing: null });
      const explicitText = await api.post(path, { keys: ['j1'], type: 'text' });
      assert.deepEqual(explicitText.body.result.values, { j1: '{"n":1}' });

      const json = await api.post(path, { keys: ['j1', 'j2', 'j3', 'missing'], type: 'json' });
      assert.equal(json.status, 200);
      assert.deepEqual(json.body.result.values, { j1: { n: 1 }, j2: [true, 'x'], j3: 'str', missing: null });

      const withMeta = await api.post(path, { keys: ['j1', 'j2', 'j3', 'missing'], type: 'json', withMetadata: true });
      assert.deepEqual(withMeta.body.result.values, {
        j1: { value: { n: 1 }, metadata: null },
        j2: { value: [true, 'x'], metadata: { m: 2 } },
        j3: { value: 'str', metadata: { m: 3 }, expiration: at },
        missing: { value: null, metadata: null },
      });
      const textWithMeta = await api.post(path, { keys: ['j2'], withMetadata: true });
      assert.deepEqual(textWithMeta.body.result.values, { j2: { value: '[true,"x"]', metadata: { m: 2 } } });

      assert.equal((await api.post(path, { keys: ['text'], type: 'json' })).status, 400, 'a value that is not JSON cannot be read as json');
      assert.equal((await api.post(path, { keys: 'j1' })).status, 400);
      assert.equal((await api.post(path, {})).status, 400);
      assert.equal((await api.post(path, { keys: [1] })).status, 400);
      assert.equal((await api.post(path, { keys: Array.from({ length: 101 }, (_, i) => `k${i}`) })).status, 400, 'at most 100 keys');
      assert.equal((await api.post(path, { keys: Array.from({ length: 100 }, (_, i) => `k${i}`) })).status, 200);
    });
  });

  it("keeps one account's KV namespaces from another account's token", async () => {
    const id = await namespace('private-kv');
    await api.call('PUT', valuePath(id, 'secret'), 'account A only');

    const account = await api.call('POST', '//accounts', { name: 'kv tenant b' });
    assert.equal(account.status, 200);
    const otherId = account.body.result.id as string;
    const issued = await new Api(platform, platform.token, otherId).post('/tokens', { name: 'kv tenant b token' });
    assert.equal(issued.status, 200);
    const tenantB = new Api(platform, issued.body.result.value, otherId);
    const intoA = new Api(platform, issued.body.result.value, platform.accountId);

    for (const [method, path, body] of [
      ['GET', `${kv}/${id}`, undefined],
      ['GET', kv, undefined],
      ['GET', valuePath(id, 'secret'), undefined],
      ['GET', `${kv}/${id}/keys`, undefined],
      ['PUT', valuePath(id, 'secret'), 'overwritten'],
      ['DELETE', `${kv}/${id}`, undefined],
      ['POST', kv, { title: 'sneaky' }],
    ] as const) {
      const denied = await intoA.call(method, path, body);
      assert.equal(denied.status, 403, `${method} ${path}`);
      assert.equal(denied.body.success, false);
    }

    for (const [method, path, body] of [
      ['GET', `${kv}/${id}`, undefined],
      ['GET', valuePath(id, 'secret'), undefined],
      ['GET', metadataPath(id, 'secret'), undefined],
      ['GET', `${kv}/${id}/keys`, undefined],
      ['PUT', valuePath(id, 'secret'), 'overwritten'],
      ['PUT', `${kv}/${id}`, { title: 'stolen' }],
      ['PUT', `${kv}/${id}/bulk`, [{ key: 'secret', value: 'overwritten' }]],
      ['POST', `${kv}/${id}/bulk/get`, { keys: ['secret'] }],
      ['DELETE', valuePath(id, 'secret'), undefined],
      ['DELETE', `${kv}/${id}`, undefined],
    ] as const) {
      const missing = await tenantB.call(method, path, body);
      assert.equal(missing.status, 404, `${method} ${path}`);
      assert.equal(missing.body.errors[0].code, 10013, `${method} ${path}`);
    }
    assert.deepEqual((await tenantB.get(kv)).body.result, []);

    // Account B may use the same title; account A's namespace is untouched.
    assert.equal((await tenantB.post(kv, { title: 'private-kv' })).status, 200);
    assert.equal((await api.get(`${kv}/${id}`)).body.result.title, 'private-kv');
    assert.equal(await readText(id, 'secret'), 'account A only');
  });
});
