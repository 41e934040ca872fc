// `npm run bench`: every benchmark, printed as Markdown tables for BENCHMARKS.md.
import { attackBench } from './attack-bench.ts';
import { controlPlaneBench } from './control-plane-bench.ts';
import { dataPlaneBench } from './data-plane-bench.ts';

const only = process.argv[2];
const sections: [string, () => Promise<string[]>][] = [
  ['data-plane', () => dataPlaneBench()],
  ['attack', () => attackBench()],
  ['control-plane', () => controlPlaneBench()],
];
for (const [name, run] of sections) {
  if (only && only !== name) continue;
  console.log(`\n## ${name}\n`);
  for (const line of await run()) console.log(line);
}
