import { percentile, ms, timed } from './stats.ts';
import { startBenchPlatform, upload, type BenchPlatform } from './platform-process.ts';

const hello = (name: string) => `export default { fetch() { return new Response(${JSON.stringify(name)}); } };`;

async function seed(platform: BenchPlatform, namespace: string, count: number, concurrency = 4): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        await upload(platform, namespace, `script-${String(index).padStart(5, '0')}`, hello(`s${index}`));
      }
    }),
  );
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

/** Upload, details and listing latency with 10 and with 10,000 scripts in a namespace. */
export async function controlPlaneBench(sizes = [10, 10_000]): Promise<string[]> {
  const lines = ['| scripts in namespace | upload p50 | upload p99 | details p50 | details p99 | list page p50 / p99 (10 per page, anywhere in the namespace) | full listing, 100 per page |', '|---|---|---|---|---|---|---|'];
  const platform = await startBenchPlatform();
  try {
    for (const size of sizes) {
      const namespace = `bench-${size}`;
      await fetch(`${platform.api}/accounts/${platform.accountId}/workers/dispatch/namespaces`, {
        method: 'POST',
        headers: { authorization: `Bearer ${platform.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: namespace }),
      });
      const [, seedTime] = await timed(() => seed(platform, namespace, size));
      process.stderr.write(`bench: seeded ${size} scripts in ${(seedTime / 1000).toFixed(1)} s\n`);
      const r = await measure(platform, namespace);
      lines.push(
        `| ${r.total} | ${ms(percentile(r.uploads, 50))} | ${ms(percentile(r.uploads, 99))} | ${ms(percentile(r.details, 50))} | ${ms(percentile(r.details, 99))} | ${ms(percentile(r.pages, 50))} / ${ms(percentile(r.pages, 99))} | ${ms(r.listing)} (${r.pageCount} pages) |`,
      );
    }
  } finally {
    await platform.stop();
  }
  return lines;
}
