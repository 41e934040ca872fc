import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The workerd executable that the npm `workerd` package installed. */
export function workerdBinary(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('workerd/package.json')), 'bin', 'workerd');
}
