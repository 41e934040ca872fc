import { requireString, secretAad, type BindingType } from '../types.ts';

/** The value is sealed here and never stored in the clear; it is opened only for a node. */
export const secretText: BindingType = {
  type: 'secret_text',
  resolve: (binding, context) => ({ type: 'secret_text', name: binding.name, sealed: context.secretBox.seal(requireString(binding, 'text'), secretAad(context.secretScope, binding.name)) }),
};
