import { request } from 'node:http';

/** GET `path` on the ingress with a Host header (fetch() cannot set one); never rejects. */
export function ingressGet(ingress: string, host: string, path = '/'): Promise<{ status: number; body: string }> {
  const url = new URL(path, ingress);
  return new Promise((resolve) => {
    const req = request({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: 0, body }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end();
  });
}
