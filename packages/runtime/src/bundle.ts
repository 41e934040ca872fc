import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const dispatcherSource = (file: string) => fileURLToPath(new URL(`../../../dispatcher/src/${file}`, import.meta.url));
const defaultOutbound = fileURLToPath(new URL('../../../outbound/src/default-worker.ts', import.meta.url));

async function bundle(entry: string, alias: Record<string, string>): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2023',
    write: false,
    external: ['cloudflare:*', 'node:*'],
    alias,
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    logLevel: 'silent',
    minify: true,
    keepNames: true,
  });
  return result.outputFiles[0].text;
}

/** The ingress module for workerd: the owner's dispatch worker (`switchyard:owner-dispatch-worker`) and its host. */
export const bundleIngress = (dispatchMain: string) => bundle(dispatcherSource('ingress/index.ts'), { 'switchyard:owner-dispatch-worker': dispatchMain });

/** The runner module for workerd, with the owner's outbound worker or the default one (outbound/). */
export const bundleRunner = (outboundMain = defaultOutbound) => bundle(dispatcherSource('runner/index.ts'), { 'switchyard:owner-outbound-worker': outboundMain });
