import { guardModuleName } from '../../../outbound/src/subrequest-tagging.ts';

export const entryModuleName = '__switchyard_entry.mjs';

/**
 * The isolate's main module: runs the script's handler for each event type (`fetch`, `scheduled`,
 * `queue`) inside the invocation's scope, for module and class (WorkerEntrypoint) scripts alike.
 */
export function entryModule(userMain: string): string {
  return `
import { invocationScope } from './${guardModuleName}';
import * as user from ${JSON.stringify(`./${userMain}`)};
const handler = user.default;
const isClass = typeof handler === 'function';
function call(method, ctx, env, event) {
  return invocationScope.run(ctx.props?.invocationId, () => {
    const target = isClass ? new handler(ctx, env) : handler;
    if (!target || typeof target[method] !== 'function') throw new Error('The Worker exports no ' + method + ' handler.');
    return isClass ? target[method](event) : target[method](event, env, ctx);
  });
}
export default {
  fetch(request, env, ctx) { return call('fetch', ctx, env, request); },
  scheduled(controller, env, ctx) { return call('scheduled', ctx, env, controller); },
  queue(batch, env, ctx) { return call('queue', ctx, env, batch); },
};
`;
}
