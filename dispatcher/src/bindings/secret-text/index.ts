import { field, type WorkerBindingType } from '../types.ts';

/** The control plane opens the sealed value only when it hands the version's code to a node. */
export const secretText: WorkerBindingType = { type: 'secret_text', envValue: (binding) => field<string>(binding, 'text') };
