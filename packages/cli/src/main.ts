// `npm start [-- api | node]`. Each mode loads only its own modules: the node process never loads the control plane.
const commands: Record<string, () => Promise<void>> = {
  start: async () => (await import('./all-command.ts')).runAll(),
  api: async () => (await import('./api-command.ts')).runApi(),
  node: async () => (await import('./node-command.ts')).runNode(),
};
const mode = process.argv[2] ?? 'start';
const command = commands[mode];
if (!command) {
  console.error('usage: npm start [-- api | node]   (no argument: the API and a node, as two processes)');
  process.exit(2);
}
try {
  await command();
} catch (error) {
  const { SettingError } = await import('./environment.ts');
  if (!(error instanceof SettingError)) throw error;
  console.error(`switchyard ${mode}: ${error.message}`);
  process.exit(1);
}
