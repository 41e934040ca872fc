import type { WorkerBindingType } from '../types.ts';

/** `env.X.id`, `.tag` and `.timestamp` of the version running, as Cloudflare's version metadata binding. */
export const versionMetadata: WorkerBindingType = {
  type: 'version_metadata',
  envValue: (_binding, { code }) => ({ id: code.versionId, tag: code.tag ?? '', timestamp: code.createdAt }),
};
