import type { WorkerBindingType } from '../types.ts';

export const assets: WorkerBindingType = {
  type: 'assets',
  envValue: (_binding, { exports, owner }) => exports.Assets({ props: { versionId: owner.versionId } }),
};
