import { field, type WorkerBindingType } from '../types.ts';

export const json: WorkerBindingType = { type: 'json', envValue: (binding) => field<unknown>(binding, 'json') };
