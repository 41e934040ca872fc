import { requestIdHeader } from './runner-protocol.ts';

export const guardModuleName = '__switchyard_guard.mjs';
export const entryModuleName = '__switchyard_entry.mjs';

/**
 * Evaluated first in every user worker's isolate: replaces `fetch` with one that tags each
 * subrequest with the id of the request being served (kept in an AsyncLocalStorage), so the
 * platform's outbound path can apply that request's limits. Tenant code never sees the original.
 */
export const guardModule = `
import { AsyncLocalStorage } from 'node:async_hooks';
export const requestScope = new AsyncLocalStorage();
const platformFetch = globalThis.fetch;
globalThis.fetch = function fetch(input, init) {
  const request = new Request(input, init);
  request.headers.set(${JSON.stringify(requestIdHeader)}, requestScope.getStore() ?? '');
  return platformFetch(request);
};
`;

/** The isolate's main module: runs the user's handler inside the request's scope. */
export function entryModule(userMain: string): string {
  return `
import { requestScope } from './${guardModuleName}';
import * as user from ${JSON.stringify(`./${userMain}`)};
const handler = user.default;
const isClass = typeof handler === 'function' && typeof handler.prototype?.fetch === 'function';
export default {
  fetch(request, env, ctx) {
    const requestId = ctx.props?.requestId;
    return requestScope.run(requestId, () => {
      if (isClass) return new handler(ctx, env).fetch(request);
      if (!handler || typeof handler.fetch !== 'function') throw new Error('The Worker exports no fetch handler.');
      return handler.fetch(request, env, ctx);
    });
  },
};
`;
}
