// `npm run bench`: every benchmark, printed as Markdown tables for BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { attackBench } from './attack-bench.ts';
import { controlPlaneBench } from './control-plane-bench.ts';
import { dataPlaneBench } from './data-plane-bench.ts';
import { hopBench } from './hop-bench.ts';

/** wrk drives the load; as root on Debian it is one package away. */
function ensureWrk(): void {
  if (spawnSync('wrk', ['--version']).error === undefined) return;
  if (process.getuid?.() !== 0) throw new Error('the benchmark needs wrk: install the Debian package wrk');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (spawnSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'inherit', env }).status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    spawnSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'inherit', env });
  }
}

ensureWrk();
const only = process.argv[2];
const sections: [string, () => Promise<string[]>][] = [
  ['data-plane', () => dataPlaneBench()],
  ['attack', async () => [...(await attackBench()), '', '### The same, with tenant tags', '', ...(await attackBench(10, { tenantTags: true }))]],
  ['control-plane', () => controlPlaneBench()],
  ['hop', () => hopBench()],
];
for (const [name, run] of sections) {
  if (only && only !== name) continue;
  console.log(`\n## ${name}\n`);
  for (const line of await run()) console.log(line);
}
