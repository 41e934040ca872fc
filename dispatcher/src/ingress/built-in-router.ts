// Switchyard's built-in dispatch worker, for platform owners who write none. Routes each request
// to a script of the DISPATCHER namespace by subdomain (`<script>.<BASE_DOMAIN>`), by first path
// segment, or by a KV namespace mapping hostnames to script names (ROUTING = subdomain | path | kv).

interface RouterEnv {
  DISPATCHER: { get(name: string): Fetcher };
  ROUTING?: string;
  BASE_DOMAIN?: string;
  ROUTES?: KVNamespace;
}

function notFound(message: string): Response {
  return new Response(`${message}\n`, { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

async function scriptFor(request: Request, env: RouterEnv): Promise<string | null> {
  const url = new URL(request.url);
  const mode = env.ROUTING ?? 'subdomain';
  if (mode === 'path') return url.pathname.split('/').filter(Boolean)[0] ?? null;
  if (mode === 'kv') {
    if (!env.ROUTES) throw new Error('ROUTING = "kv" needs a kv_namespaces binding named ROUTES');
    return env.ROUTES.get(url.hostname);
  }
  const baseDomain = (env.BASE_DOMAIN ?? 'localhost').toLowerCase();
  const host = url.hostname.toLowerCase();
  if (!host.endsWith(`.${baseDomain}`)) return null;
  const label = host.slice(0, -(baseDomain.length + 1));
  return label.includes('.') ? null : label;
}

export default {
  async fetch(request: Request, env: RouterEnv): Promise<Response> {
    const script = await scriptFor(request, env);
    if (!script) return notFound(`No script is routed for ${new URL(request.url).host}.`);
    try {
      return await env.DISPATCHER.get(script).fetch(request);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('Worker not found')) return notFound(`No script named "${script}" is deployed.`);
      throw error;
    }
  },
};
