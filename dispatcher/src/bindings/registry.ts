import type { WorkerBinding } from '@switchyard/protocol';
import { assets } from './assets/index.ts';
import { json } from './json/index.ts';
import { kvNamespace } from './kv-namespace/index.ts';
import { plainText } from './plain-text/index.ts';
import { secretText } from './secret-text/index.ts';
import { service } from './service/index.ts';
import type { EnvContext, WorkerBindingType } from './types.ts';
import { versionMetadata } from './version-metadata/index.ts';

/** Every binding type a user worker can have, worker side: one line each. */
const bindingTypes: WorkerBindingType[] = [plainText, secretText, json, kvNamespace, service, assets, versionMetadata];

const byType = new Map(bindingTypes.map((bindingType) => [bindingType.type, bindingType]));

/** The env a user worker sees: one value or stub per binding, nothing of the host's. */
export function userEnv(bindings: WorkerBinding[], context: EnvContext): Record<string, unknown> {
  const env: Record<string, unknown> = {};
  for (const binding of bindings) {
    const bindingType = byType.get(binding.type);
    if (!bindingType) throw new Error(`Binding "${binding.name}" has type ${binding.type}, which this node does not know: update the node.`);
    env[binding.name] = bindingType.envValue(binding, context);
  }
  return env;
}
