import { requireString, type BindingType } from '../types.ts';

export const plainText: BindingType = { type: 'plain_text', resolve: (binding) => ({ type: 'plain_text', name: binding.name, text: requireString(binding, 'text') }) };
