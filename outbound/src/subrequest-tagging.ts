import { headers } from '@switchyard/protocol';

export const guardModuleName = '__switchyard_guard.mjs';

/**
 * Evaluated first in every user worker's isolate: replaces `fetch` with one that tags each
 * subrequest with the id of the invocation being served (kept in an AsyncLocalStorage), so the
 * outbound guard can apply that invocation's limits. Tenant code never sees the original.
 */
export const guardModule = `
import { AsyncLocalStorage } from 'node:async_hooks';
export const invocationScope = new AsyncLocalStorage();
const platformFetch = globalThis.fetch;
globalThis.fetch = function fetch(input, init) {
  const request = new Request(input, init);
  request.headers.set(${JSON.stringify(headers.subrequestOf)}, invocationScope.getStore() ?? '');
  return platformFetch(request);
};
`;
