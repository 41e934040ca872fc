import { errors } from '../../http/api-error.ts';
import type { BindingType } from '../types.ts';

/** Keeps the binding of that name from the previous version, whatever its type. */
export const inherit: BindingType = {
  type: 'inherit',
  resolve(binding, context) {
    const previous = context.previous.find((candidate) => candidate.name === binding.name);
    if (!previous) throw errors.badRequest(`Binding "${binding.name}" of type inherit has no binding of that name in the previous version to inherit.`, 10021);
    return previous;
  },
};
