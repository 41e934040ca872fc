// The entrypoint classes binding stubs are made from; a runner's and the ingress's main modules export them.
export { Assets } from './assets/entrypoint.ts';
export { KvNamespace } from './kv-namespace/entrypoint.ts';
