import type { BindingType } from '../types.ts';

/** The script's static assets; the upload must carry them (checked with the whole version). */
export const assets: BindingType = { type: 'assets', resolve: (binding) => ({ type: 'assets', name: binding.name }) };
