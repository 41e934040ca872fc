/**
 * An ES module that runs a service-worker script (`addEventListener('fetch', ...)`) as a module
 * worker: bindings become globals, as the service-worker format has them, and each request is
 * dispatched to the registered listener as a FetchEvent-like object.
 */
export function serviceWorkerShim(bodyPart: string, bindingNames: string[]): string {
  return `
const listeners = { fetch: [], scheduled: [] };
globalThis.addEventListener = (type, listener) => { (listeners[type] ??= []).push(listener); };
let loaded;
function load(env) {
  if (!loaded) {
    for (const name of ${JSON.stringify(bindingNames)}) globalThis[name] = env[name];
    loaded = import(${JSON.stringify(`./${bodyPart}`)});
  }
  return loaded;
}
export default {
  async fetch(request, env, ctx) {
    await load(env);
    const listener = listeners.fetch[0];
    if (!listener) throw new Error('The service-worker script registered no fetch listener.');
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
};
`;
}

/** Evaluates the script's top level at once (listeners ignored), so compile errors surface. */
export function serviceWorkerCompileShim(bodyPart: string): string {
  return `globalThis.addEventListener = () => {};\nawait import(${JSON.stringify(`./${bodyPart}`)});\nexport default {};\n`;
}
