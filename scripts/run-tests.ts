// `npm test`: type-checks the workspace, then runs every test file with Node's test runner.
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const run = (args: string[]) => spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1;

const typecheck = run(['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']) || run(['node_modules/typescript/bin/tsc', '-p', 'dispatcher/tsconfig.json']);
if (typecheck !== 0) {
  console.error('npm test: type errors (above) must be fixed first.');
  process.exit(typecheck);
}
const only = process.argv.slice(2);
const files = only.length > 0 ? only : globSync(['tests/**/*.test.ts', 'control-plane/src/**/*.test.ts', 'packages/*/src/**/*.test.ts']).sort();
process.exit(run(['--disable-warning=ExperimentalWarning', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files]));
