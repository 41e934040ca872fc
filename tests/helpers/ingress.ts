import { request } from 'node:http';

export interface IngressResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A request to the traffic ingress with an explicit Host header (fetch() cannot set Host), as
 * `curl http://<script>.localhost:8080/` sends it.
 */
export function ingressRequest(
  ingress: string,
  host: string,
  path = '/',
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<IngressResponse> {
  const url = new URL(path, ingress);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: init.method ?? 'GET', headers: { host, ...init.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** GET `path` of `<script>.localhost` through the ingress. */
export const visit = (ingress: string, script: string, path = '/', init?: Parameters<typeof ingressRequest>[3]) =>
  ingressRequest(ingress, `${script}.localhost`, path, init);
