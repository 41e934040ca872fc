import { headers } from '@switchyard/protocol';

export const guardModuleName = '__switchyard_guard.mjs';

/**
 * Evaluated first in every user worker's isolate: replaces `fetch` with one that tags each
 * subrequest with the id of the invocation being served (kept in an AsyncLocalStorage), so the
 * outbound guard can apply that invocation's limits. Tenant code never sees the original.
 * `taggedService` does the same for a service binding (another script): the runner counts the
 * call as a subrequest of the caller and runs the callee under the caller's limits.
 */
export const guardModule = `
import { AsyncLocalStorage } from 'node:async_hooks';
export const invocationScope = new AsyncLocalStorage();
const platformFetch = globalThis.fetch;
function tagged(input, init) {
  const request = new Request(input, init);
  request.headers.set(${JSON.stringify(headers.subrequestOf)}, invocationScope.getStore() ?? '');
  return request;
}
globalThis.fetch = function fetch(input, init) {
  return platformFetch(tagged(input, init));
};
export function taggedService(binding) {
  return {
    fetch(input, init) { return binding.fetch(tagged(input, init)); },
    connect() { throw new Error('connect() is not supported on service bindings on this platform.'); },
  };
}
`;
