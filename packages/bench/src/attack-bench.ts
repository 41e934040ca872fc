import { ingressGet } from './ingress.ts';
import { startBenchPlatform, type BenchPlatform } from './platform-process.ts';
import { ms, percentile, timed } from './stats.ts';
import { wrk, type LoadResult } from './wrk.ts';

const good = `export default { fetch() { return new Response('good'); } };`;
const spinner = `export default { fetch() { while (true) {} } };`;
const hog = `export default { fetch() { const keep = []; while (true) keep.push(new Array(1e6).fill(Math.random())); } };`;

async function uploadWithMetadata(platform: BenchPlatform, name: string, source: string, metadata: Record<string, unknown>) {
  const form = new FormData();
  form.append('metadata', new Blob([JSON.stringify({ main_module: 'index.mjs', ...metadata })], { type: 'application/json' }));
  form.append('index.mjs', new File([source], 'index.mjs', { type: 'application/javascript+module' }));
  const response = await fetch(`${platform.api}/accounts/${platform.accountId}/workers/dispatch/namespaces/production/scripts/${name}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${platform.token}` },
    body: form,
  });
  if (!response.ok) throw new Error(`upload of ${name} failed: ${await response.text()}`);
}

const row = (label: string, r: LoadResult) =>
  `| ${label} | ${r.requestsPerSecond.toFixed(0)} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${r.non2xx + r.errors} |`;

/**
 * A well-behaved tenant's latency and success with and without attackers on the same platform.
 * With `tenantTags`, each attacker's scripts carry its customer tag and the platform holds a
 * tenant back across its scripts (`SWITCHYARD_TENANT_TAG_PREFIX`), as a platform that tags its
 * customers' scripts would run it.
 */
export async function attackBench(seconds = 10, { tenantTags = false } = {}): Promise<string[]> {
  const platform = await startBenchPlatform({ SWITCHYARD_RUNNER_HEAP_MB: '128', ...(tenantTags ? { SWITCHYARD_TENANT_TAG_PREFIX: 'customer:' } : {}) });
  const tags = (tenant: string) => (tenantTags ? { tags: [`customer:${tenant}`] } : {});
  try {
    await uploadWithMetadata(platform, 'good', good, tags('good'));
    // Many attacking scripts, so that strikes holding one back do not end the attack.
    for (let i = 0; i < 40; i++) {
      await uploadWithMetadata(platform, `spinner-${i}`, spinner, { limits: { cpu_ms: 50 }, ...tags('looper') });
      await uploadWithMetadata(platform, `hog-${i}`, hog, tags('allocator'));
    }
    await ingressGet(platform.ingress, 'good.localhost');
    // On an idle platform: how long a runaway request takes to be answered, and a runner to come back.
    const alone: number[] = [];
    for (let i = 0; i < 10; i++) alone.push((await timed(() => ingressGet(platform.ingress, `spinner-${39 - i}.localhost`)))[1]);
    const quietRestarts = [...platform.output().matchAll(/replaced in (\d+) ms/g)].map((m) => Number(m[1]));
    const quiet = await wrk(`${platform.ingress}/`, { host: 'good.localhost', seconds, connections: 8 });

    const runaway: number[] = [];
    const outcomes = new Map<number, number>();
    let attacking = true;
    const attacker = (async () => {
      for (let i = 0; attacking; i++) {
        const host = i % 2 === 0 ? `spinner-${(i / 2) % 40}.localhost` : `hog-${((i - 1) / 2) % 40}.localhost`;
        const [{ status }, took] = await timed(() => ingressGet(platform.ingress, host));
        if (i % 2 === 0) runaway.push(took);
        outcomes.set(status, (outcomes.get(status) ?? 0) + 1);
      }
    })();
    const attacked = await wrk(`${platform.ingress}/`, { host: 'good.localhost', seconds, connections: 8 });
    attacking = false;
    await attacker;
    const restarts = [...platform.output().matchAll(/replaced in (\d+) ms/g)].map((m) => Number(m[1])).slice(quietRestarts.length);
    return [
      `On an idle platform, a request that loops forever with \`cpu_ms\` 50 is answered 503 (1102) after p50 ${ms(percentile(alone, 50))}, p99 ${ms(percentile(alone, 99))} (10 runs); its runner is replaced in p50 ${ms(percentile(quietRestarts, 50))}.`,
      '',
      `A well-behaved tenant under wrk -t1 -c8 -d${seconds}s, alone and while two tenants attack without pause: one loops forever (\`cpu_ms\` 50), one allocates without bound (runner heap 128 MiB)${tenantTags ? '; each tenant\'s scripts carry its customer tag and holds follow it (SWITCHYARD_TENANT_TAG_PREFIX=customer:)' : ''}.`,
      '',
      '| well-behaved tenant | req/s | p50 | p99 | failed requests |',
      '|---|---|---|---|---|',
      row('no attacker', quiet),
      row('under attack', attacked),
      '',
      `Attack requests: ${[...outcomes.entries()].map(([status, n]) => `${n} × ${status}`).join(', ')}; runaway request start to its 503: p50 ${ms(percentile(runaway, 50))}, p99 ${ms(percentile(runaway, 99))}; runner replaced in p50 ${ms(percentile(restarts, 50))}, p99 ${ms(percentile(restarts, 99))} (${restarts.length} replacements).`,
    ];
  } finally {
    await platform.stop();
  }
}
