import { guardModuleName } from '../../../outbound/src/subrequest-tagging.ts';
import { backgroundLimitMs } from './activity.ts';

export const entryModuleName = '__switchyard_entry.mjs';
/** The env key of the runner's `InvocationActivity` binding, removed from the env the script sees. */
export const activityBinding = '__switchyard_activity';

/**
 * The isolate's main module: runs the script's handler for each event type (`fetch`, `scheduled`,
 * `queue`) inside the invocation's scope, for module and class (WorkerEntrypoint) scripts alike.
 *
 * Its service bindings tag each call with the invocation, as `fetch` does (see the guard module).
 * The script gets a context of its own: its `waitUntil` work is tracked here and reported to the
 * runner (which counts the invocation as running until it settles), and ends at most
 * ${backgroundLimitMs} ms after it began, as on Cloudflare. The handler's result is returned only
 * after the runner knows of the background work, so no moment exists in which a script's code runs
 * while its runner believes it finished. The real context (its props carry the nonce that proves
 * the reports) and the activity binding stay out of the script's reach.
 */
export function entryModule(userMain: string, serviceBindings: string[]): string {
  return `
import { invocationScope, taggedService } from './${guardModuleName}';
import * as user from ${JSON.stringify(`./${userMain}`)};
const handler = user.default;
const isClass = typeof handler === 'function';
const activityBinding = ${JSON.stringify(activityBinding)};
const envViews = new WeakMap();
function scriptEnv(env) {
  let view = envViews.get(env);
  if (!view) {
    view = { ...env };
    delete view[activityBinding];
    for (const name of ${JSON.stringify(serviceBindings)}) view[name] = taggedService(env[name]);
    envViews.set(env, view);
  }
  return view;
}
function backgroundTracker(ctx, env) {
  const { invocationId, nonce } = ctx.props ?? {};
  const pending = new Set();
  let began = null;
  async function settle() {
    let timer;
    const cap = new Promise((resolve) => { timer = setTimeout(resolve, ${backgroundLimitMs}); });
    const all = (async () => { while (pending.size > 0) await Promise.allSettled([...pending]); })();
    await Promise.race([all, cap]);
    clearTimeout(timer);
    await env[activityBinding].settled(invocationId, nonce);
  }
  return {
    waitUntil(promise) {
      const tracked = Promise.resolve(promise).then(
        () => {},
        (error) => console.error('Uncaught (in waitUntil):', error),
      ).finally(() => pending.delete(tracked));
      pending.add(tracked);
      began ??= env[activityBinding].began(invocationId, nonce).then(() => ctx.waitUntil(settle()));
    },
    reported: () => began,
  };
}
async function call(method, ctx, env, event) {
  const background = backgroundTracker(ctx, env);
  const scriptCtx = {
    waitUntil: background.waitUntil,
    passThroughOnException() {},
    props: {},
    exports: ctx.exports,
  };
  const userEnv = scriptEnv(env);
  const result = await invocationScope.run(ctx.props?.invocationId, () => {
    const target = isClass ? new handler(scriptCtx, userEnv) : handler;
    if (!target || typeof target[method] !== 'function') throw new Error('The Worker exports no ' + method + ' handler.');
    return isClass ? target[method](event) : target[method](event, userEnv, scriptCtx);
  });
  await background.reported();
  return result;
}
export default {
  fetch(request, env, ctx) { return call('fetch', ctx, env, request); },
  scheduled(controller, env, ctx) { return call('scheduled', ctx, env, controller); },
  queue(batch, env, ctx) { return call('queue', ctx, env, batch); },
};
`;
}
