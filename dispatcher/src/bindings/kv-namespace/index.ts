import { field, type WorkerBindingType } from '../types.ts';

export const kvNamespace: WorkerBindingType = {
  type: 'kv_namespace',
  envValue: (binding, { exports }) => exports.KvNamespace({ props: { namespaceId: field<string>(binding, 'namespace_id') } }),
};
