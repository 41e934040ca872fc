import { percentile, ms, timed } from './stats.ts';
import { ingressGet } from './ingress.ts';
import { rssMiB, workerdProcesses } from './process-memory.ts';
import { startBenchPlatform, upload, type BenchPlatform } from './platform-process.ts';
import { wrk } from './wrk.ts';

const hello = (name: string) => `export default { fetch() { return new Response(${JSON.stringify(name)}); } };`;

async function seed(platform: BenchPlatform, namespace: string, count: number, from = 0, concurrency = 4): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        await upload(platform, namespace, `script-${String(index).padStart(5, '0')}`, hello(`s${index}`));
      }
    }),
  );
}

async function visit(platform: BenchPlatform, script: string): Promise<void> {
  const { status, body } = await ingressGet(platform.ingress, `${script}.localhost`);
  if (status !== 200) {
    const recent = platform.output().split('\n').filter((line) => /runner-pool|worker_stopped|node\]/.test(line)).slice(-15).join('\n');
    throw new Error(`${script} answered ${status}: ${body.slice(0, 300)}\nlast platform lines:\n${recent}`);
  }
}

async function measure(platform: BenchPlatform, namespace: string) {
  const base = `${platform.api}/accounts/${platform.accountId}/workers/dispatch/namespaces/${namespace}`;
  const headers = { authorization: `Bearer ${platform.token}` };
  const uploads: number[] = [];
  for (let i = 0; i < 100; i++) {
    const [, took] = await timed(() => upload(platform, namespace, `measured-${i % 10}`, hello(`m${i}`)));
    uploads.push(took);
  }
  const details: number[] = [];
  for (let i = 0; i < 200; i++) {
    const [, took] = await timed(async () => (await fetch(`${base}/scripts/measured-${i % 10}`, { headers })).arrayBuffer());
    details.push(took);
  }
  // Same page size at both namespace sizes, pages spread over the whole namespace.
  const pages: number[] = [];
  const [first] = await timed(async () => (await fetch(`${base}/scripts?per_page=10&page=1`, { headers })).json() as Promise<{ result_info: { total_pages: number } }>);
  for (let i = 0; i < 100; i++) {
    const page = 1 + Math.floor((i / 100) * first.result_info.total_pages);
    const [, took] = await timed(async () => (await fetch(`${base}/scripts?per_page=10&page=${page}`, { headers })).arrayBuffer());
    pages.push(took);
  }
  let pageCount = 0;
  const [total, listing] = await timed(async () => {
    let seen = 0;
    for (let page = 1; ; page++) {
      const body = (await (await fetch(`${base}/scripts?per_page=100&page=${page}`, { headers })).json()) as { result: unknown[]; result_info: { total_pages: number } };
      pageCount++;
      seen += body.result.length;
      if (page >= body.result_info.total_pages) break;
    }
    return seen;
  });
  return { uploads, details, pages, listing, total, pageCount };
}

const runnerRss = (platform: BenchPlatform) => workerdProcesses(platform.pid).runners.reduce((sum, pid) => sum + rssMiB(pid), 0);

/**
 * With 10 and then 10,000 scripts in the namespace the ingress routes to: upload, details and
 * listing latency, routing throughput to one script, and the runners' memory while requests
 * touch many different scripts (runners are replaced past 500 loaded versions each).
 */
export async function controlPlaneBench(sizes = [10, 10_000]): Promise<string[]> {
  const lines = [
    '| scripts in namespace | upload p50 | upload p99 | details p50 | details p99 | list page p50 / p99 (10 per page, anywhere in the namespace) | full listing, 100 per page | routing to one script (wrk -c8 -d5s) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const platform = await startBenchPlatform({ SWITCHYARD_RUNNER_MAX_ISOLATES: '500' });
  let memory = '';
  try {
    let seeded = 0;
    for (const size of sizes) {
      const [, seedTime] = await timed(() => seed(platform, 'production', size, seeded));
      seeded = size;
      process.stderr.write(`bench: seeded ${size} scripts in ${(seedTime / 1000).toFixed(1)} s\n`);
      const r = await measure(platform, 'production');
      await visit(platform, 'script-00001');
      const routed = await wrk(`${platform.ingress}/`, { host: 'script-00001.localhost', connections: 8, seconds: 5 });
      lines.push(
        `| ${r.total} | ${ms(percentile(r.uploads, 50))} | ${ms(percentile(r.uploads, 99))} | ${ms(percentile(r.details, 50))} | ${ms(percentile(r.details, 99))} | ${ms(percentile(r.pages, 50))} / ${ms(percentile(r.pages, 99))} | ${ms(r.listing)} (${r.pageCount} pages) | ${routed.requestsPerSecond.toFixed(0)} req/s, p50 ${ms(routed.p50Ms)}, p99 ${ms(routed.p99Ms)} |`,
      );
    }
    const touched = 1500;
    let peak = 0;
    for (let i = 0; i < touched; i++) {
      await visit(platform, `script-${String(i * 6).padStart(5, '0')}`);
      if (i % 50 === 0) peak = Math.max(peak, runnerRss(platform));
    }
    memory = `Runners' memory after requests to ${touched} different scripts (2 runners, each replaced past 500 loaded versions): peak ${peak.toFixed(0)} MiB, now ${runnerRss(platform).toFixed(0)} MiB; without the cap the Worker Loader keeps every isolate (~2.4 MB each, see DESIGN.md), so 10,000 scripts would hold ~24 GB.`;
  } finally {
    await platform.stop();
  }
  return [...lines, '', memory];
}
