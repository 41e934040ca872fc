import { field, type WorkerBindingType } from '../types.ts';

export const plainText: WorkerBindingType = { type: 'plain_text', envValue: (binding) => field<string>(binding, 'text') };
