import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import { headers, ProtocolError, readApiPaths, refusalBody, refusalCodes, type ReadApiClient } from '@switchyard/protocol';
import { namespaceKey, scriptKey, type NodeCache } from './node-cache.ts';

/**
 * The read API as the node's own workerd processes see it (their `CONTROL` service), on loopback,
 * behind the node's internal secret. Scripts, versions, egress rules and assets come from the
 * node's cache, filled from the control plane on a miss, so the node serves what it last knew
 * while the API is down; KV and logs go through to the control plane.
 */
export class LocalReadApi {
  readonly #cache: NodeCache;
  readonly #upstream: ReadApiClient;
  readonly #secret: Buffer;
  #server: Server | null = null;

  constructor(cache: NodeCache, upstream: ReadApiClient, internalSecret: string) {
    this.#cache = cache;
    this.#upstream = upstream;
    this.#secret = Buffer.from(internalSecret);
  }

  /** Starts listening on a loopback port; answers its URL. */
  async listen(): Promise<string> {
    const server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        const refusal = error instanceof ProtocolError ? error : new ProtocolError(refusalCodes.upstreamFailed, String(error), 503);
        if (!response.headersSent) respondJson(response, refusal.status, refusalBody(refusal));
        else response.destroy();
      });
    });
    this.#server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  /**
   * The script's state, from the cache or the control plane (then cached); null: no such script.
   * Names that do not exist are not cached here (the runners keep them 30 s), so requests for made-up
   * names cannot grow the cache.
   */
  async scriptState(accountId: string, namespace: string, script: string) {
    const key = scriptKey(accountId, namespace, script);
    const cached = this.#cache.script(key);
    if (cached) return cached;
    const state = await this.#upstream.script(accountId, namespace, script);
    if (state) {
      this.#cache.setScript(key, state);
      this.#cache.persistSoon();
    }
    return state;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const given = Buffer.from(String(request.headers[headers.internal] ?? ''));
    if (given.length !== this.#secret.length || !timingSafeEqual(given, this.#secret)) {
      throw new ProtocolError(refusalCodes.unauthorized, 'The node read API answers this node\'s workers only.', 403);
    }
    const url = new URL(request.url ?? '/', 'http://node');
    const parts = url.pathname.slice(readApiPaths.base.length + 1).split('/').map(decodeURIComponent);
    const method = request.method ?? 'GET';
    const route = `${method} ${parts.map((part, i) => (i % 2 === 0 ? part : '*')).join('/')}`;

    if (route === 'GET platform') return respondJson(response, 200, await this.platform());
    if (route === 'GET accounts/*/namespaces/*/scripts/*') {
      const state = await this.scriptState(parts[1], parts[3], parts[5]);
      return state ? respondJson(response, 200, state) : respondJson(response, 404, { found: false });
    }
    if (route === 'GET accounts/*/namespaces/*/egress') return respondJson(response, 200, await this.#egress(parts[1], parts[3]));
    if (route === 'GET versions/*') {
      const code = await this.version(parts[1]);
      return code ? respondJson(response, 200, code) : respondJson(response, 404, { found: false });
    }
    if (route === 'GET accounts/*/assets/*') return this.#asset(parts[1], parts[3], response);
    if (parts[0] === 'kv' || route === 'POST logs') return this.#passThrough(request, url, response);
    throw new ProtocolError(refusalCodes.unknownRoute, `No node read API route for ${method} ${url.pathname}.`, 404);
  }

  async platform() {
    if (this.#cache.platform) return this.#cache.platform;
    const platform = await this.#upstream.platform();
    this.#cache.setPlatform(platform);
    await this.#cache.persist();
    return platform;
  }

  async #egress(accountId: string, namespace: string) {
    const key = namespaceKey(accountId, namespace);
    const cached = this.#cache.egress(key);
    if (cached) return cached;
    const rules = await this.#upstream.egressRules(accountId, namespace);
    this.#cache.setEgress(key, rules);
    this.#cache.persistSoon();
    return rules;
  }

  /** A version's code: immutable, so once on disk it is never asked for again. */
  async version(versionId: string) {
    const cached = await this.#cache.version(versionId);
    if (cached) return cached;
    const code = await this.#upstream.version(versionId);
    if (code) await this.#cache.storeVersion(code);
    return code;
  }

  async #asset(accountId: string, hash: string, response: ServerResponse): Promise<void> {
    let bytes = await this.#cache.asset(accountId, hash);
    if (!bytes) {
      const upstream = await this.#upstream.asset(accountId, hash);
      if (upstream.status === 404) return respondJson(response, 404, { found: false });
      if (!upstream.ok) throw new ProtocolError(refusalCodes.upstreamFailed, `Reading asset ${hash} failed: ${upstream.status}`, 502);
      bytes = Buffer.from(await upstream.arrayBuffer());
      await this.#cache.storeAsset(accountId, hash, bytes);
    }
    response.writeHead(200, { 'content-length': bytes.byteLength });
    response.end(bytes);
  }

  /** KV reads and writes and log batches belong to the control plane: sent on as they came. */
  async #passThrough(request: IncomingMessage, url: URL, response: ServerResponse): Promise<void> {
    const forwarded: Record<string, string> = {};
    for (const name of ['content-type', headers.kvMetadata]) if (request.headers[name]) forwarded[name] = String(request.headers[name]);
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    const upstream = await this.#upstream.request(`${url.pathname}${url.search}`, {
      method: request.method,
      headers: forwarded,
      body: hasBody ? (Readable.toWeb(request) as ReadableStream) : undefined,
      ...(hasBody ? { duplex: 'half' } : {}),
    } as RequestInit);
    const answer: Record<string, string> = {};
    for (const name of ['content-type', headers.kvMetadata, headers.kvExpiration]) {
      const value = upstream.headers.get(name);
      if (value !== null) answer[name] = value;
    }
    response.writeHead(upstream.status, answer);
    if (!upstream.body) return void response.end();
    Readable.fromWeb(upstream.body as import('node:stream/web').ReadableStream).pipe(response);
  }
}

function respondJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
