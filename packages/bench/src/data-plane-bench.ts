import { startPlainWorkerd } from './plain-workerd.ts';
import { rssMiB, workerdProcesses } from './process-memory.ts';
import { ingressGet } from './ingress.ts';
import { startBenchPlatform, upload } from './platform-process.ts';
import { ms, percentile, timed } from './stats.ts';
import { wrk } from './wrk.ts';

const hello = `export default { fetch() { return new Response('hello world'); } };`;
/** Plain workerd forwarding every request to the same hello world loaded through the Worker Loader. */
const loaderOnly = `const code = { compatibilityDate: '2025-09-01', mainModule: 'm.js', modules: { 'm.js': ${JSON.stringify(hello)} }, globalOutbound: null };
export default { fetch(request, env) { return env.LOADER.get('hello', () => code).getEntrypoint().fetch(request); } };`;

/** A ~100 KB module: real code plus a large constant table, as bundles look. */
function bigScript(tag: string): string {
  const table = Array.from({ length: 2500 }, (_, i) => `  "k${i}": "${tag}-${i.toString(36).padStart(24, 'x')}",`).join('\n');
  return `const table = {\n${table}\n};\nexport default { fetch(request) { return new Response(${JSON.stringify(tag)} + ' ' + Object.keys(table).length); } };\n`;
}

export async function dataPlaneBench(): Promise<string[]> {
  const lines: string[] = [];
  const plain = await startPlainWorkerd(hello);
  const baseline = await wrk(plain.url);
  await plain.stop();
  const loader = await startPlainWorkerd(loaderOnly, { loader: true });
  const ceiling = await wrk(loader.url);
  await loader.stop();

  const platform = await startBenchPlatform();
  try {
    await upload(platform, 'production', 'hello', hello);
    await ingressGet(platform.ingress, 'hello.localhost');
    const full = await wrk(`${platform.ingress}/`, { host: 'hello.localhost' });
    lines.push('### Throughput: hello world, wrk -t1 -c32 -d10s on loopback', '');
    lines.push('| path | req/s | p50 | p99 | errors / non-2xx |', '|---|---|---|---|---|');
    lines.push(`| plain workerd (one service) | ${baseline.requestsPerSecond.toFixed(0)} | ${ms(baseline.p50Ms)} | ${ms(baseline.p99Ms)} | ${baseline.errors} / ${baseline.non2xx} |`);
    lines.push(`| plain workerd → Worker Loader → hello (the loader's ceiling) | ${ceiling.requestsPerSecond.toFixed(0)} | ${ms(ceiling.p50Ms)} | ${ms(ceiling.p99Ms)} | ${ceiling.errors} / ${ceiling.non2xx} |`);
    lines.push(`| Switchyard: ingress → dispatch worker → user worker | ${full.requestsPerSecond.toFixed(0)} | ${ms(full.p50Ms)} | ${ms(full.p99Ms)} | ${full.errors} / ${full.non2xx} |`);
    lines.push(
      '',
      `Ratio Switchyard / plain workerd: **${(full.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)}**; Worker Loader ceiling / plain workerd: ${(ceiling.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)}; Switchyard / ceiling: ${(full.requestsPerSecond / ceiling.requestsPerSecond).toFixed(2)}`,
      '',
    );

    const cold: number[] = [];
    const startup: number[] = [];
    const deployToLive: number[] = [];
    for (let i = 0; i < 20; i++) {
      const name = `big-${i}`;
      startup.push(await upload(platform, 'production', name, bigScript(`v0-${i}`)));
      const [, first] = await timed(() => ingressGet(platform.ingress, `${name}.localhost`));
      const warm: number[] = [];
      for (let j = 0; j < 5; j++) warm.push((await timed(() => ingressGet(platform.ingress, `${name}.localhost`)))[1]);
      cold.push(first - percentile(warm, 50));
      const [, live] = await timed(async () => {
        await upload(platform, 'production', name, bigScript(`v1-${i}`));
        const { body } = await ingressGet(platform.ingress, `${name}.localhost`);
        if (!body.startsWith(`v1-${i}`)) throw new Error(`expected the new version right after the PUT, got ${body.slice(0, 40)}`);
      });
      deployToLive.push(live);
    }
    lines.push('### Cold start and deploy-to-live (100 KB module, 20 scripts)', '');
    lines.push('| measure | p50 | p99 |', '|---|---|---|');
    lines.push(`| first response after a deploy minus a warm response (the deploy pre-warms the isolate) | ${ms(percentile(cold, 50))} | ${ms(percentile(cold, 99))} |`);
    lines.push(`| starting the isolate of a never-loaded version (the upload's compile check, \`startup_time_ms\`) | ${ms(percentile(startup, 50))} | ${ms(percentile(startup, 99))} |`);
    lines.push(`| deploy-to-live: PUT start to first response of the new version | ${ms(percentile(deployToLive, 50))} | ${ms(percentile(deployToLive, 99))} |`);
    const { runners, checker, ingress } = workerdProcesses(platform.pid);
    const total = (pids: number[]) => pids.reduce((sum, pid) => sum + rssMiB(pid), 0).toFixed(0);
    lines.push('', `RSS after loading ${20 * 2 + 1} versions: runners ${total(runners)} MiB (${runners.length} processes), check runner ${total(checker)} MiB, ingress ${total(ingress)} MiB`, '');
  } finally {
    await platform.stop();
  }
  return lines;
}
