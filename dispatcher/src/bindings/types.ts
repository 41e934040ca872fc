import type { WorkerBinding, WorkerCode } from '@switchyard/protocol';
import type { HostExports } from '../host-env.ts';

/** Whose env a binding is built for: the version of a script being loaded. */
export interface BindingOwner {
  accountId: string;
  namespace: string;
  script: string;
  versionId: string;
}

export interface EnvContext {
  exports: HostExports;
  owner: BindingOwner;
  code: WorkerCode;
}

/** A binding type, worker side: how one binding of it becomes a value in the script's `env`. */
export interface WorkerBindingType {
  type: string;
  envValue(binding: WorkerBinding, context: EnvContext): unknown;
}

/** A field of a binding that the control plane validated at upload. */
export function field<T>(binding: WorkerBinding, name: string): T {
  if (!(name in binding)) throw new Error(`Binding "${binding.name}" of type ${binding.type} has no "${name}".`);
  return binding[name] as T;
}
