import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api, esModule, uploadScript } from './helpers/api.ts';
import { visit } from './helpers/ingress.ts';
import { repoRoot, type RunningPlatform, usePlatform } from './helpers/platform.ts';

/** A tenant script that fetches every `?target=` and reports what it saw. */
const prober = esModule(
  'probe.mjs',
  `import { connect } from 'cloudflare:sockets';
export default {
  async fetch(request) {
    const url = new URL(request.url);
    const results = [];
    for (const target of url.searchParams.getAll('target')) {
      try {
        const response = await fetch(target, { headers: { 'x-probe': '1' } });
        results.push({ target, status: response.status, body: (await response.text()).slice(0, 500) });
      } catch (error) {
        results.push({ target, error: String(error && error.message || error) });
      }
    }
    if (url.searchParams.has('socket')) {
      try {
        const socket = connect(url.searchParams.get('socket'));
        const writer = socket.writable.getWriter();
        await writer.write(new TextEncoder().encode('GET / HTTP/1.0\\r\\n\\r\\n'));
        const { value } = await socket.readable.getReader().read();
        results.push({ socket: 'connected', body: new TextDecoder().decode(value) });
      } catch (error) {
        results.push({ socket: 'refused', error: String(error && error.message || error) });
      }
    }
    return Response.json(results);
  },
};`,
);

interface ProbeResult {
  target?: string;
  status?: number;
  body?: string;
  error?: string;
  socket?: string;
}

async function probe(platform: RunningPlatform, script: string, targets: string[], socket?: string): Promise<ProbeResult[]> {
  const query = new URLSearchParams();
  for (const target of targets) query.append('target', target);
  if (socket) query.set('socket', socket);
  const response = await visit(platform.ingress, script, `/?${query}`);
  assert.equal(response.status, 200, response.body);
  return JSON.parse(response.body) as ProbeResult[];
}

describe('egress: what tenant scripts can reach', () => {
  let upstream: Server;
  let upstreamUrl: string;
  const seen: { url: string; authorization?: string }[] = [];

  before(async () => {
    upstream = createServer((req, res) => {
      seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
      res.end(`upstream saw ${req.url} auth=${req.headers.authorization ?? 'none'}`);
    });
    // Both loopbacks (127.0.0.1 and ::1): an address check that let either through would show here.
    await new Promise<void>((resolve) => upstream.listen({ port: 0, host: '::', ipv6Only: false }, resolve));
    const address = upstream.address();
    upstreamUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

  describe('by default: the public internet only', () => {
    let platform: RunningPlatform;
    usePlatform({}, async (started) => {
      platform = started.platform;
      assert.equal((await uploadScript(new Api(platform), 'production', 'attacker', {}, [prober])).status, 200);
    });

    it('refuses loopback, private, link-local and metadata addresses, and the platform itself', async () => {
      const apiPort = new URL(platform.origin).port;
      const ingressPort = new URL(platform.ingress).port;
      const targets = [
        upstreamUrl,
        `http://127.0.0.1:${apiPort}/client/v4/accounts`,
        `http://127.0.0.1:${ingressPort}/`,
        `http://localhost:${apiPort}/healthz`,
        `http://[::1]:${apiPort}/healthz`,
        'http://169.254.169.254/latest/meta-data/',
        'http://10.0.0.1/',
        'http://192.168.1.1/',
        'http://172.16.0.1/',
        'http://100.64.0.1/',
        'http://0.0.0.0/',
        'http://2130706433/',
        'http://[fd00::1]/',
        'http://[::ffff:127.0.0.1]/',
        'http://[::127.0.0.1]/',
        'http://[64:ff9b::a00:1]/',
        'http://0x7f.1/',
      ];
      const results = await probe(platform, 'attacker', targets);
      for (const result of results) {
        assert.equal(result.status, undefined, `${result.target} was reachable: ${result.body}`);
        assert.match(result.error ?? '', /Switchyard refused the subrequest .*private, loopback and link-local/, result.target);
      }
      assert.equal(seen.length, 0, 'the upstream on loopback saw no request');
    });

    it('refuses host names that resolve to loopback, after DNS', async (t) => {
      // The sandboxed runner's own /etc/hosts names ::1 ip6-localhost, which no name check refuses;
      // the upstream listens on ::1 too, so only the address check after resolution stops it.
      if (!/runner sandbox: bubblewrap/.test(platform.output())) return t.skip('needs the runner sandbox (bubblewrap), which gives runners their own /etc/hosts');
      const port = new URL(upstreamUrl).port;
      const [result] = await probe(platform, 'attacker', [`http://ip6-localhost:${port}/`]);
      assert.equal(result.status, undefined, `reached ${result.target}: ${result.body}`);
      assert.ok(result.error, 'the fetch failed');
      assert.equal(seen.length, 0, 'the upstream on ::1 saw no request');
    });

    it('refuses TCP sockets', async () => {
      const port = new URL(upstreamUrl).port;
      const results = await probe(platform, 'attacker', [], `127.0.0.1:${port}`);
      assert.equal(results[0].socket, 'refused', JSON.stringify(results));
      assert.equal(seen.length, 0, 'the upstream saw no connection');
    });
  });

  describe("with the built-in router, which sets no dispatch limits: the script's own", () => {
    let platform: RunningPlatform;
    usePlatform({ env: { SWITCHYARD_EGRESS_ALLOW: '127.0.0.1/32' } }, async (started) => {
      platform = started.platform;
      assert.equal((await uploadScript(new Api(platform), 'production', 'frugal', { limits: { subrequests: 2 } }, [prober])).status, 200);
    });

    it('throws "Too many subrequests." past limits.subrequests of the script\'s settings', async () => {
      const results = await probe(platform, 'frugal', [1, 2, 3].map((i) => `${upstreamUrl}/own${i}`));
      assert.deepEqual(results.map((r) => r.status ?? r.error), [200, 200, 'Too many subrequests.']);
    });
  });

  describe("with the owner's outbound worker, limits and egress rules", () => {
    let platform: RunningPlatform;
    let api: Api;
    const env = {
      SWITCHYARD_DISPATCH_WORKER: join(repoRoot, 'tests/fixtures/dispatch-outbound/wrangler.toml'),
      SWITCHYARD_OUTBOUND_WORKER: join(repoRoot, 'tests/fixtures/outbound-worker/wrangler.toml'),
      SWITCHYARD_EGRESS_ALLOW: '127.0.0.1/32',
    };
    usePlatform({ env }, async (started) => {
      ({ platform, api } = started);
      assert.equal((await uploadScript(api, 'production', 'tenant', {}, [prober])).status, 200);
    });

    it("injects credentials and blocks domains in the owner's outbound worker, with the dispatch call's parameters", async () => {
      seen.length = 0;
      const results = await probe(platform, 'tenant', [`${upstreamUrl}/data`, 'http://malicious.com/steal']);
      assert.equal(results[0].status, 200, JSON.stringify(results[0]));
      assert.equal(results[0].body, 'upstream saw /data auth=Bearer jwt-for-tenant');
      assert.deepEqual(seen, [{ url: '/data', authorization: 'Bearer jwt-for-tenant' }]);
      assert.equal(results[1].status, 403);
      assert.equal(results[1].body, 'Blocked');
    });

    it('throws "Too many subrequests." past limits.subRequests of the dispatch call', async () => {
      const results = await probe(platform, 'tenant', [1, 2, 3, 4, 5].map((i) => `${upstreamUrl}/n${i}`));
      assert.deepEqual(results.map((r) => r.status ?? r.error), [200, 200, 200, 'Too many subrequests.', 'Too many subrequests.']);
      const fresh = await probe(platform, 'tenant', [`${upstreamUrl}/again`]);
      assert.equal(fresh[0].status, 200, 'the count is per request');
    });

    it("counts service-binding calls as the caller's subrequests, under its limits and outbound parameters", async () => {
      // A binding to itself: each call to /leaf is a subrequest, and so is the fetch the callee makes.
      const selfish = esModule(
        'selfish.mjs',
        `export default { async fetch(request, env) {
          const url = new URL(request.url);
          const upstream = url.searchParams.get('upstream');
          if (url.pathname === '/leaf') return new Response(await (await fetch(upstream + '/leaf' + url.searchParams.get('n'))).text());
          const results = [];
          for (let n = 0; n < 4; n++) {
            try {
              const response = await env.SELF.fetch('http://selfish/leaf?n=' + n + '&upstream=' + encodeURIComponent(upstream));
              results.push(response.status + ' ' + (await response.text()).slice(0, 60));
            } catch (error) {
              results.push(error.message);
            }
          }
          return Response.json(results);
        } };`,
      );
      assert.equal((await uploadScript(api, 'production', 'selfish', {}, [selfish])).status, 200);
      assert.equal((await uploadScript(api, 'production', 'selfish', { bindings: [{ type: 'service', name: 'SELF', service: 'selfish' }] }, [selfish])).status, 200);
      seen.length = 0;
      const response = await visit(platform.ingress, 'selfish', `/?upstream=${encodeURIComponent(upstreamUrl)}`);
      assert.equal(response.status, 200, response.body);
      const results = JSON.parse(response.body) as string[];
      // limits.subRequests is 3: call 0 and its fetch (2), call 1 (3) whose fetch is refused, then no more calls.
      assert.equal(results[0], '200 upstream saw /leaf0 auth=Bearer jwt-for-selfish');
      assert.match(results[1], /^500 /, 'the callee threw "Too many subrequests." at its fetch');
      assert.deepEqual(results.slice(2), ['Too many subrequests.', 'Too many subrequests.']);
      assert.deepEqual(seen, [{ url: '/leaf0', authorization: 'Bearer jwt-for-selfish' }], "one fetch went out, with the caller's outbound parameters");
    });

    it("applies the namespace's egress rules, managed through the API", async () => {
      const denied = await api.put('/workers/dispatch/namespaces/production/egress', { deny: ['127.0.0.1'] });
      assert.equal(denied.status, 200);
      const [refused] = await probe(platform, 'tenant', [`${upstreamUrl}/x`]);
      assert.match(refused.error ?? '', /egress rules deny "127\.0\.0\.1"/);

      await api.put('/workers/dispatch/namespaces/production/egress', { deny: ['blocked.example', '*.evil.example'] });
      const dotted = await probe(platform, 'tenant', ['http://blocked.example./x', 'http://WWW.Evil.Example../x', 'http://localhost./x']);
      assert.match(dotted[0].error ?? '', /egress rules deny "blocked\.example"/, 'a trailing dot does not get past a deny rule');
      assert.match(dotted[1].error ?? '', /egress rules deny "\*\.evil\.example"/);
      assert.match(dotted[2].error ?? '', /private, loopback and link-local/);

      await api.put('/workers/dispatch/namespaces/production/egress', { allow: ['api.example.com', '*.example.org'] });
      const [notAllowed] = await probe(platform, 'tenant', [`${upstreamUrl}/x`]);
      assert.match(notAllowed.error ?? '', /not in the namespace's egress allow list/);

      await api.put('/workers/dispatch/namespaces/production/egress', { allow: [], deny: [] });
      assert.equal((await probe(platform, 'tenant', [`${upstreamUrl}/x`]))[0].status, 200);
      assert.deepEqual((await api.get('/workers/dispatch/namespaces/production/egress')).body.result, { allow: [], deny: [] });
      const bad = await api.put('/workers/dispatch/namespaces/production/egress', { deny: ['http://no/'] });
      assert.equal(bad.status, 400);
      assert.match(bad.body.errors[0].message, /not a host pattern/);
    });
  });
});
