import type { WorkerCode, WorkerModule } from '@switchyard/protocol';
import { guardModule, guardModuleName } from '../../../outbound/src/subrequest-tagging.ts';
import { activityBinding, entryModule, entryModuleName } from './entry-module.ts';
import { serviceWorkerShim } from './service-worker-shim.ts';

const shimName = '__switchyard_service_worker.mjs';
const commonJsEntryName = '__switchyard_commonjs_entry.mjs';
const defaultCompatibilityDate = '2024-09-23';

function base64Bytes(base64: string): ArrayBuffer {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

function loaderModule(module: WorkerModule): WorkerLoaderModule {
  switch (module.type) {
    case 'esModule':
      return { js: module.text ?? '' };
    case 'commonJsModule':
      return { cjs: module.text ?? '' };
    case 'text':
      return { text: module.text ?? '' };
    case 'json':
      return { json: JSON.parse(module.text ?? 'null') };
    case 'data':
      return { data: base64Bytes(module.base64 ?? '') };
    case 'wasm':
      return { wasm: base64Bytes(module.base64 ?? '') };
  }
}

/** What the Worker Loader needs to start an isolate for this version. */
export function loaderCode(code: WorkerCode, env: Record<string, unknown>, globalOutbound: Fetcher, tails: Fetcher[]): WorkerLoaderWorkerCode {
  const modules: Record<string, WorkerLoaderModule> = {};
  for (const module of code.modules) modules[module.name] = loaderModule(module);
  let mainModule = code.mainModule;
  const services = code.bindings.filter((binding) => binding.type === 'service').map((binding) => binding.name);
  if (code.format === 'service-worker') {
    modules[shimName] = { js: serviceWorkerShim(code.mainModule, Object.keys(env).filter((name) => name !== activityBinding), services) };
    mainModule = shimName;
  } else if (modules[mainModule] && 'cjs' in modules[mainModule]) {
    // A CommonJS entry exports its handlers through module.exports; re-export them as the default.
    modules[commonJsEntryName] = { js: `import worker from ${JSON.stringify(`./${mainModule}`)};\nexport default worker;\n` };
    mainModule = commonJsEntryName;
  }
  modules[guardModuleName] = { js: guardModule };
  modules[entryModuleName] = { js: entryModule(mainModule, services) };
  const flags = code.compatibilityFlags;
  const hasAsyncLocalStorage = flags.includes('nodejs_als') || flags.some((flag) => flag.startsWith('nodejs_compat'));
  return {
    compatibilityDate: code.compatibilityDate ?? defaultCompatibilityDate,
    compatibilityFlags: hasAsyncLocalStorage ? flags : [...flags, 'nodejs_als'],
    mainModule: entryModuleName,
    modules,
    env,
    globalOutbound,
    tails,
  };
}
