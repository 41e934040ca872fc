import { errors } from '../../http/api-error.ts';
import type { BindingType } from '../types.ts';

export const json: BindingType = {
  type: 'json',
  resolve(binding) {
    if (!('json' in binding)) throw errors.badRequest(`Binding "${binding.name}" of type json needs a "json" value.`, 10021);
    return { type: 'json', name: binding.name, json: binding.json };
  },
};
