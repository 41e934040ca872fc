import { runAll } from './all-command.ts';
import { runApi } from './api-command.ts';
import { runNode } from './node-command.ts';

const commands: Record<string, () => Promise<void>> = { start: runAll, api: runApi, node: runNode };
const mode = process.argv[2] ?? 'start';
const command = commands[mode];
if (!command) {
  console.error('usage: npm start [-- api | node]   (no argument: the API and a node, as two processes)');
  process.exit(2);
}
await command();
