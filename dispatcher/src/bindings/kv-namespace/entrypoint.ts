import { WorkerEntrypoint } from 'cloudflare:workers';
import { failureMessage, headers, readApiPaths } from '@switchyard/protocol';
import { readApi, type HostEnv } from '../../host-env.ts';

type ValueType = 'text' | 'json' | 'arrayBuffer' | 'stream';
type GetOptions = ValueType | { type?: ValueType; cacheTtl?: number } | undefined;

interface PutOptions {
  expiration?: number;
  expirationTtl?: number;
  metadata?: unknown;
}

const typeOf = (options: GetOptions): ValueType => (typeof options === 'string' ? options : (options?.type ?? 'text'));

/** A `kv_namespace` binding with the Workers KV surface, backed by the control plane's KV data. */
export class KvNamespace extends WorkerEntrypoint<HostEnv, { namespaceId: string }> {
  #path(key: string) {
    if (typeof key !== 'string' || key === '') throw new TypeError('KV keys must be non-empty strings.');
    return readApiPaths.kvValue(this.ctx.props.namespaceId, key);
  }

  async #read(key: string, options: GetOptions) {
    const response = await readApi(this.env).request(this.#path(key));
    if (response.status === 404) return { value: null, metadata: null };
    if (!response.ok) throw new Error(`KV GET failed: ${response.status} ${await response.text()}`);
    const rawMetadata = response.headers.get(headers.kvMetadata);
    const metadata = rawMetadata ? JSON.parse(decodeURIComponent(rawMetadata)) : null;
    const type = typeOf(options);
    const value =
      type === 'stream' ? response.body : type === 'arrayBuffer' ? await response.arrayBuffer() : type === 'json' ? await response.json() : await response.text();
    return { value, metadata };
  }

  async get(key: string, options?: GetOptions) {
    return (await this.#read(key, options)).value;
  }

  async getWithMetadata(key: string, options?: GetOptions) {
    return this.#read(key, options);
  }

  async put(key: string, value: string | ArrayBuffer | ArrayBufferView | ReadableStream, options: PutOptions = {}) {
    const query = new URLSearchParams();
    if (options.expiration !== undefined) query.set('expiration', String(options.expiration));
    if (options.expirationTtl !== undefined) query.set('expirationTtl', String(options.expirationTtl));
    const requestHeaders: Record<string, string> = {};
    if (options.metadata !== undefined) requestHeaders[headers.kvMetadata] = encodeURIComponent(JSON.stringify(options.metadata));
    const body = value instanceof ReadableStream ? await new Response(value).arrayBuffer() : value;
    const response = await readApi(this.env).request(`${this.#path(key)}?${query}`, { method: 'PUT', body, headers: requestHeaders });
    if (!response.ok) throw new Error(`KV put failed: ${await failureMessage(response)}`);
  }

  async delete(key: string) {
    const response = await readApi(this.env).request(this.#path(key), { method: 'DELETE' });
    if (!response.ok) throw new Error(`KV delete failed: ${response.status}`);
  }

  async list(options: { prefix?: string; limit?: number; cursor?: string } = {}) {
    const query = new URLSearchParams();
    if (options.prefix) query.set('prefix', options.prefix);
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    if (options.cursor) query.set('cursor', options.cursor);
    const { keys, cursor } = await readApi(this.env).kvKeys(this.ctx.props.namespaceId, query);
    return cursor ? { keys, list_complete: false, cursor } : { keys, list_complete: true, cacheStatus: null };
  }
}
