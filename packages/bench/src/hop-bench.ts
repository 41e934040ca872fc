import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { renderConfig, workerdBinary, type WorkerdConfig } from '@switchyard/runtime';
import { freePort } from '@switchyard/runtime/free-port';
import { ms } from './stats.ts';
import { wrk, type LoadResult } from './wrk.ts';

/*
 * The ingress → runner hop, measured on bare workerd: an "ingress" workerd forwards every request
 * to a "runner" workerd that serves hello world through the Worker Loader. Each variant is one way
 * of crossing that process boundary; P (no loader) and L (loader, one process) bound them.
 */

const compatibilityDate = '2025-09-01';
const hello = `export default { fetch() { return new Response('hello world'); } };`;
/** The user worker the runners load: hello world, no outbound network. */
const loadHello = `const code = { compatibilityDate: '${compatibilityDate}', mainModule: 'm.js', modules: { 'm.js': ${JSON.stringify(hello)} }, globalOutbound: null };
const load = () => code;`;

const loaderOnly = `${loadHello}
export default { fetch(request, env) { return env.LOADER.get('v1', load).getEntrypoint().fetch(request); } };`;

/** A: everything the ingress knows in a JSON header, every header copied, the original URL rebuilt. */
const ingressA = (secret: string) => `const SECRET = ${JSON.stringify(secret)};
export default {
  async fetch(request, env) {
    const target = { namespace: 'ns', script: 'hello', requestId: crypto.randomUUID(), url: request.url, limits: {}, outbound: {} };
    const headers = new Headers(request.headers);
    for (const name of [...headers.keys()]) if (name.startsWith('x-switchyard-')) headers.delete(name);
    headers.set('x-switchyard-target', JSON.stringify(target));
    headers.set('x-switchyard-internal', SECRET);
    return env.RUNNERS.fetch(env.RUNNER_URL, { method: request.method, headers, body: request.body, redirect: 'manual' });
  }
};`;
const runnerA = (secret: string) => `${loadHello}
const SECRET = ${JSON.stringify(secret)};
export default {
  async fetch(request, env) {
    const raw = request.headers.get('x-switchyard-target');
    if (!raw || request.headers.get('x-switchyard-internal') !== SECRET) return new Response('forbidden', { status: 403 });
    const target = JSON.parse(raw);
    const headers = new Headers(request.headers);
    headers.delete('x-switchyard-target');
    headers.delete('x-switchyard-internal');
    const original = new Request(target.url, { method: request.method, headers, body: request.body, redirect: 'manual' });
    return env.LOADER.get(\`\${target.namespace}/\${target.script}@1\`, load).getEntrypoint().fetch(original);
  }
};`;

/** C: a tab-separated target header and a counter id; the secret comes from the external service. */
const ingressC = `let prefix = null;
let n = 0;
export default {
  fetch(request, env) {
    const headers = new Headers(request.headers);
    headers.set('x-sy-t', 'ns\\thello\\t' + (prefix ??= crypto.randomUUID().slice(0, 8)) + '-' + ++n);
    return env.RUNNERS.fetch(request.url, { method: request.method, headers, body: request.body, redirect: 'manual' });
  }
};`;
const runnerC = (secret: string) => `${loadHello}
const SECRET = ${JSON.stringify(secret)};
export default {
  fetch(request, env) {
    const t = request.headers.get('x-sy-t');
    if (!t || request.headers.get('x-sy-k') !== SECRET) return new Response('forbidden', { status: 403 });
    const tab = t.indexOf('\\t');
    const namespace = t.slice(0, tab), script = t.slice(tab + 1, t.indexOf('\\t', tab + 1));
    const headers = new Headers(request.headers);
    headers.delete('x-sy-t');
    headers.delete('x-sy-k');
    return env.LOADER.get(namespace + '/' + script + '@1', load).getEntrypoint().fetch(new Request(request, { headers }));
  }
};`;

/** D and D-fetch: one runner, a WorkerEntrypoint reached over capnp (JS RPC, or its fetch). */
const runnerD = `import { WorkerEntrypoint } from 'cloudflare:workers';
${loadHello}
export class Runner extends WorkerEntrypoint {
  invoke(d, request) {
    return this.env.LOADER.get(d.namespace + '/' + d.script + '@1', load).getEntrypoint().fetch(request);
  }
  fetch(request) {
    return this.env.LOADER.get('ns/hello@1', load).getEntrypoint().fetch(request);
  }
}
export default { fetch() { return new Response('use rpc', { status: 400 }); } };`;
const ingressD = `let prefix = null;
let n = 0;
export default {
  fetch(request, env) {
    return env.RUNNER.invoke({ namespace: 'ns', script: 'hello', requestId: (prefix ??= crypto.randomUUID().slice(0, 8)) + '-' + ++n }, request);
  }
};`;
const ingressDFetch = `export default { fetch(request, env) { return env.RUNNER.fetch(request); } };`;

type Service = WorkerdConfig['services'][number];
type Binding = NonNullable<Extract<Service, { worker: unknown }>['worker']['bindings']>[number];

type Socket = WorkerdConfig['sockets'][number];

/** A typed config (renderConfig): one worker service behind one socket, plus any other services. */
function oneWorker(name: string, source: string, address: string, options: { bindings?: Binding[]; services?: Service[]; socket?: Partial<Socket> } = {}): string {
  return renderConfig({
    services: [{ name, worker: { modules: [{ name: 'index.mjs', esModule: source }], compatibilityDate, bindings: options.bindings ?? [] } }, ...(options.services ?? [])],
    sockets: [{ name: 'http', address, service: { name }, ...options.socket }],
  });
}
const loader: Binding = { name: 'LOADER', workerLoader: {} };

interface Variant {
  key: string;
  label: string;
  /** The configs in start order (runner first, ingress last); the ingress listens on `ingressPort`. */
  configs(dir: string, ingressPort: number): Promise<string[]>;
}

const secret = randomUUID();
const ingressAt = (port: number) => `127.0.0.1:${port}`;
/** The runner's Unix socket: a fresh path in the variant's temp dir (far below the 108-byte limit). */
const socketIn = (dir: string) => join(dir, 'runner.sock');
const rpcHost = 'runner.capnp';
const rpcVariant = (ingressSource: string) => async (dir: string, port: number) => [
  oneWorker('runner', runnerD, `unix:${socketIn(dir)}`, {
    bindings: [loader],
    socket: { name: 'rpc', service: { name: 'runner', entrypoint: 'Runner' }, http: { capnpConnectHost: rpcHost } },
  }),
  oneWorker('ingress', ingressSource, ingressAt(port), {
    bindings: [{ name: 'RUNNER', service: { name: 'runner' } }],
    services: [{ name: 'runner', external: { address: `unix:${socketIn(dir)}`, http: { capnpConnectHost: rpcHost } } }],
  }),
];

const variants: Variant[] = [
  { key: 'P', label: 'plain workerd hello world (one process, no loader)', configs: async (_, port) => [oneWorker('hello', hello, ingressAt(port))] },
  { key: 'L', label: 'one workerd → Worker Loader → hello (the ceiling)', configs: async (_, port) => [oneWorker('hello', loaderOnly, ingressAt(port), { bindings: [loader] })] },
  {
    key: 'A',
    label: 'ingress → runner over loopback TCP (`network` service), JSON target header, all headers copied, URL rebuilt',
    configs: async (_, port) => {
      const runnerPort = await freePort('127.0.0.1');
      return [
        oneWorker('runner', runnerA(secret), `127.0.0.1:${runnerPort}`, { bindings: [loader] }),
        oneWorker('ingress', ingressA(secret), ingressAt(port), {
          bindings: [
            { name: 'RUNNERS', service: { name: 'runners' } },
            { name: 'RUNNER_URL', text: `http://127.0.0.1:${runnerPort}/` },
          ],
          services: [{ name: 'runners', network: { allow: ['127.0.0.1/32'] } }],
        }),
      ];
    },
  },
  {
    key: 'C',
    label: 'ingress → runner over a Unix socket (`external` service), tab-separated header, counter id, secret injected by the service',
    configs: async (dir, port) => [
      oneWorker('runner', runnerC(secret), `unix:${socketIn(dir)}`, { bindings: [loader] }),
      oneWorker('ingress', ingressC, ingressAt(port), {
        bindings: [{ name: 'RUNNERS', service: { name: 'runners' } }],
        services: [{ name: 'runners', external: { address: `unix:${socketIn(dir)}`, http: { injectRequestHeaders: [{ name: 'x-sy-k', value: secret }] } } }],
      }),
    ],
  },
  { key: 'D', label: 'ingress → runner by JS RPC over a Unix socket: `env.RUNNER.invoke(descriptor, request)`', configs: rpcVariant(ingressD) },
  { key: 'D-fetch', label: "ingress → runner over D's socket: `env.RUNNER.fetch(request)`", configs: rpcVariant(ingressDFetch) },
];

interface Running {
  url: string;
  stop(): Promise<void>;
}

/** Starts a variant's processes in a fresh temp dir and waits until its ingress answers hello world. */
async function start(variant: Variant): Promise<Running> {
  const dir = await mkdtemp(join(tmpdir(), `switchyard-hop-${variant.key.toLowerCase()}-`));
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const child of children.reverse()) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const port = await freePort('127.0.0.1');
    const configs = await variant.configs(dir, port);
    await rm(socketIn(dir), { force: true }); // a stale socket would make workerd's listen fail
    for (const [i, text] of configs.entries()) {
      const file = join(dir, `config-${i}.capnp`);
      await writeFile(file, text);
      const child = spawn(workerdBinary(), ['serve', file, '--experimental'], { stdio: ['ignore', 'inherit', 'inherit'] });
      child.once('error', () => {}); // shows as an exit with no code; the wait below reports it
      children.push(child);
    }
    const url = `http://127.0.0.1:${port}/`;
    for (let i = 0; ; i++) {
      const dead = children.find((child) => child.exitCode !== null || child.signalCode !== null);
      if (dead) throw new Error(`hop variant ${variant.key}: workerd exited (${dead.exitCode ?? dead.signalCode}) at start-up`);
      try {
        const response = await fetch(url);
        const body = await response.text();
        if (response.ok && body === 'hello world') break;
        if (i >= 200) throw new Error(`hop variant ${variant.key}: answered ${response.status} ${body.slice(0, 80)}`);
      } catch (error) {
        if (i >= 200) throw error;
      }
      await sleep(25);
    }
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The variants interleaved for `rounds` rounds: a 2 s warm-up, then wrk -t1 -c32 for `seconds`. */
export async function hopBench(rounds = 2, seconds = 10): Promise<string[]> {
  const results = new Map<string, LoadResult[]>(variants.map((variant) => [variant.key, []]));
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) {
      const running = await start(variant);
      try {
        await wrk(running.url, { seconds: 2 });
        results.get(variant.key)!.push(await wrk(running.url, { seconds }));
      } finally {
        await running.stop();
      }
    }
  }
  const rps = (key: string) => median(results.get(key)!.map((r) => r.requestsPerSecond));
  const lines = [`### The ingress → runner hop: two bare workerd processes, hello world through the Worker Loader, wrk -t1 -c32 -d${seconds}s, median of ${rounds} interleaved rounds`, ''];
  lines.push('| variant | path | req/s | p50 | ÷L | ÷P | errors / non-2xx |', '|---|---|---|---|---|---|---|');
  for (const variant of variants) {
    const runs = results.get(variant.key)!;
    const errors = runs.reduce((sum, r) => sum + r.errors, 0);
    const non2xx = runs.reduce((sum, r) => sum + r.non2xx, 0);
    const p50 = median(runs.map((r) => r.p50Ms));
    lines.push(`| ${variant.key} | ${variant.label} | ${rps(variant.key).toFixed(0)} | ${ms(p50)} | ${(rps(variant.key) / rps('L')).toFixed(2)} | ${(rps(variant.key) / rps('P')).toFixed(2)} | ${errors} / ${non2xx} |`);
  }
  lines.push(
    '',
    `What one process boundary costs on top of the loader's ceiling: the forwarding variants serve ${(rps('A') / rps('L')).toFixed(2)} (A), ${(rps('C') / rps('L')).toFixed(2)} (C), ${(rps('D-fetch') / rps('L')).toFixed(2)} (D-fetch) and, by JS RPC, ${(rps('D') / rps('L')).toFixed(2)} (D) of L's requests per second.`,
    '',
  );
  return lines;
}
