import { field, type WorkerBindingType } from '../types.ts';

/** Another script of the same namespace, as a Fetcher that runs it in its own isolate. */
export const service: WorkerBindingType = {
  type: 'service',
  envValue: (binding, { exports, owner }) =>
    exports.UserWorker({ props: { accountId: owner.accountId, namespace: owner.namespace, script: field<string>(binding, 'service') } }),
};
