import type { BindingType } from '../types.ts';

/** `env.X.id`, `.tag` and `.timestamp` of the running version, as on Cloudflare. */
export const versionMetadata: BindingType = { type: 'version_metadata', resolve: (binding) => ({ type: 'version_metadata', name: binding.name }) };
