import { guardModuleName } from '../../../outbound/src/subrequest-tagging.ts';

/**
 * An ES module that runs a service-worker script (`addEventListener('fetch', ...)`) as a module
 * worker. Its bindings become globals, as the service-worker format has them, before the script's
 * top level runs, which happens when the isolate loads (so start-up errors surface at warm-up).
 * Each event is dispatched to the registered listener as a FetchEvent- or ScheduledEvent-like object.
 */
export function serviceWorkerShim(bodyPart: string, bindingNames: string[], serviceBindings: string[]): string {
  return `
import { env as platformEnv } from 'cloudflare:workers';
import { taggedService } from './${guardModuleName}';
const listeners = { fetch: [], scheduled: [] };
globalThis.addEventListener = (type, listener) => { (listeners[type] ??= []).push(listener); };
for (const name of ${JSON.stringify(bindingNames)}) globalThis[name] = platformEnv[name];
for (const name of ${JSON.stringify(serviceBindings)}) globalThis[name] = taggedService(platformEnv[name]);
await import(${JSON.stringify(`./${bodyPart}`)});
function listenerFor(type) {
  const listener = listeners[type][0];
  if (!listener) throw new Error('The service-worker script registered no ' + type + ' listener.');
  return listener;
}
export default {
  async fetch(request, env, ctx) {
    const listener = listenerFor('fetch');
    let response;
    const event = {
      type: 'fetch',
      request,
      respondWith(value) { response = value; },
      waitUntil(promise) { ctx.waitUntil(promise); },
      passThroughOnException() {},
    };
    listener(event);
    if (response === undefined) throw new Error('The fetch listener did not call event.respondWith().');
    return await response;
  },
  async scheduled(controller, env, ctx) {
    const listener = listenerFor('scheduled');
    const waits = [];
    listener({ type: 'scheduled', cron: controller.cron, scheduledTime: controller.scheduledTime, waitUntil(promise) { waits.push(promise); ctx.waitUntil(promise); }, noRetry() {} });
    await Promise.all(waits);
  },
};
`;
}
