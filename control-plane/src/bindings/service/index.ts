import { requireString, type BindingType } from '../types.ts';

/** Another script of the same dispatch namespace. */
export const service: BindingType = {
  type: 'service',
  resolve(binding) {
    const extra: Record<string, unknown> = {};
    if (typeof binding.environment === 'string') extra.environment = binding.environment;
    if (typeof binding.entrypoint === 'string') extra.entrypoint = binding.entrypoint;
    return { type: 'service', name: binding.name, service: requireString(binding, 'service'), ...extra };
  },
};
