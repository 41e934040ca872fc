import { guardModuleName } from '../../../outbound/src/subrequest-tagging.ts';
import { backgroundLimitMs, maxOutputLineLength, maxOutputLines } from './activity.ts';

export const entryModuleName = '__switchyard_entry.mjs';
/** The env key of the runner's `InvocationActivity` binding, removed from the env the script sees. */
export const activityBinding = '__switchyard_activity';

/**
 * The isolate's main module: runs the script's handler for each event type (`fetch`, `scheduled`,
 * `queue`) inside the invocation's scope, for module and class (WorkerEntrypoint) scripts alike.
 *
 * Its service bindings tag each call with the invocation, as `fetch` does (see the guard module).
 * What an event invocation (a cron run, a queue batch) prints and throws is kept and handed to the
 * runner when its handler ends (requests have the tail and the logs endpoint instead).
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
// What an event invocation (not a request) prints, kept per invocation and handed to the runner
// when its handler ends: the run history of a cron trigger shows it.
const outputs = new Map();
const maxLines = ${maxOutputLines};
const maxLineLength = ${maxOutputLineLength};
function show(value) {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.stack ?? String(value);
  try { return JSON.stringify(value) ?? String(value); } catch { return String(value); }
}
for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
  const original = console[level].bind(console);
  console[level] = (...args) => {
    const lines = outputs.get(invocationScope.getStore());
    if (lines && lines.length < maxLines) lines.push((level === 'log' ? '' : level + ': ') + args.map(show).join(' ').slice(0, maxLineLength));
    return original(...args);
  };
}
async function withOutput(ctx, env, work) {
  const { invocationId, nonce } = ctx.props ?? {};
  const lines = [];
  outputs.set(invocationId, lines);
  try {
    return await work();
  } catch (error) {
    if (lines.length < maxLines) lines.push('Uncaught ' + show(error).slice(0, maxLineLength));
    throw error;
  } finally {
    outputs.delete(invocationId);
    await env[activityBinding].output(invocationId, nonce, lines);
  }
}
async function call(method, ctx, env, event) {
  if (method !== 'fetch') return withOutput(ctx, env, () => handle(method, ctx, env, event));
  return handle(method, ctx, env, event);
}
async function handle(method, ctx, env, event) {
  // Made on the first waitUntil only: most requests never call it.
  let background = null;
  const scriptCtx = {
    waitUntil(promise) { (background ??= backgroundTracker(ctx, env)).waitUntil(promise); },
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
  if (background) await background.reported();
  return result;
}
export default {
  fetch(request, env, ctx) { return call('fetch', ctx, env, request); },
  scheduled(controller, env, ctx) { return call('scheduled', ctx, env, controller); },
  queue(batch, env, ctx) { return call('queue', ctx, env, batch); },
};
`;
}
