import type { HostEnv, HostExports } from './config.ts';
import type { WorkerCode } from './control-plane-client.ts';
import { loaderCode, userEnv } from './loaded-code.ts';

/** An entrypoint no script can have: asking for it starts the isolate without running a handler. */
export const probeEntrypoint = '__switchyard_compile_probe__';

/**
 * Loads a candidate version in a throwaway isolate and evaluates its modules without calling any
 * handler: asking for an entrypoint that cannot exist makes workerd start the worker (so syntax
 * and top-level errors surface) and then fail to find the entrypoint, which means it compiled.
 */
export async function compileError(code: WorkerCode, env: HostEnv, exports: HostExports): Promise<string | null> {
  const bindings = userEnv(code, exports, { namespace: '', script: code.script, versionId: code.versionId });
  const worker = env.LOADER.load(loaderCode(code, bindings, null, true));
  try {
    await worker.getEntrypoint(probeEntrypoint).fetch('http://compile-check/');
    return null;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return message.includes(probeEntrypoint) ? null : message;
  }
}

