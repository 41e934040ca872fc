import type { HostExports } from './config.ts';
import type { WorkerCode, WorkerModule } from './control-plane-client.ts';
import { entryModule, entryModuleName, guardModule, guardModuleName } from './isolate-guard.ts';
import { serviceWorkerCompileShim, serviceWorkerShim } from './service-worker-shim.ts';

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

export interface BindingOwner {
  namespace: string;
  script: string;
  versionId: string;
}

/** The env a user worker sees: one value or stub per binding, nothing of the host's. */
export function userEnv(code: WorkerCode, exports: HostExports, owner: BindingOwner): Record<string, unknown> {
  const env: Record<string, unknown> = {};
  for (const binding of code.bindings) {
    switch (binding.type) {
      case 'plain_text':
      case 'secret_text':
        env[binding.name] = binding.text;
        break;
      case 'json':
        env[binding.name] = binding.json;
        break;
      case 'kv_namespace':
        env[binding.name] = exports.KvNamespace({ props: { namespaceId: binding.namespace_id } });
        break;
      case 'service':
        env[binding.name] = exports.UserWorker({ props: { namespace: owner.namespace, script: binding.service } });
        break;
      case 'assets':
        env[binding.name] = exports.Assets({ props: { versionId: owner.versionId } });
        break;
    }
  }
  return env;
}

/** What the Worker Loader needs to start an isolate for this version. */
export function loaderCode(
  code: WorkerCode,
  env: Record<string, unknown>,
  globalOutbound: Fetcher | null,
  forCompileCheck = false,
  tails: Fetcher[] = [],
): WorkerLoaderWorkerCode {
  const modules: Record<string, WorkerLoaderModule> = {};
  for (const module of code.modules) modules[module.name] = loaderModule(module);
  let mainModule = code.mainModule;
  if (code.format === 'service-worker') {
    modules[shimName] = { js: forCompileCheck ? serviceWorkerCompileShim(code.mainModule) : serviceWorkerShim(code.mainModule, Object.keys(env)) };
    mainModule = shimName;
  } else if (modules[mainModule] && 'cjs' in modules[mainModule]) {
    // A CommonJS entry exports its handlers through module.exports; re-export them as the default.
    modules[commonJsEntryName] = { js: `import worker from ${JSON.stringify(`./${mainModule}`)};\nexport default worker;\n` };
    mainModule = commonJsEntryName;
  }
  if (!forCompileCheck) {
    modules[guardModuleName] = { js: guardModule };
    modules[entryModuleName] = { js: entryModule(mainModule) };
    mainModule = entryModuleName;
  }
  const flags = code.compatibilityFlags;
  const hasAsyncLocalStorage = flags.includes('nodejs_als') || flags.some((flag) => flag.startsWith('nodejs_compat'));
  return {
    compatibilityDate: code.compatibilityDate ?? defaultCompatibilityDate,
    compatibilityFlags: hasAsyncLocalStorage ? flags : [...flags, 'nodejs_als'],
    mainModule,
    modules,
    env,
    globalOutbound,
    tails,
  };
}
