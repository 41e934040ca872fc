
export interface Envelope<T = any> {
  success: boolean;
  errors: { code: number; message: string }[];
  messages: unknown[];
  result: T;
  result_info?: Record<string, unknown>;
}

export interface ApiResponse<T = any> {
  status: number;
  body: Envelope<T>;
  headers: Headers;
}

/** An answer's body as a Cloudflare envelope; a body that is not JSON fails the test, saying what `call` got. */
export async function readEnvelope<T = any>(response: Response, call: string): Promise<Envelope<T>> {
  const text = await response.text();
  try {
    return JSON.parse(text) as Envelope<T>;
  } catch {
    throw new Error(`${call} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
}

/** A thin client for raw HTTP calls, as curl would make them. */
export class Api {
  readonly base: string;
  readonly token: string;
  readonly accountId: string;

  constructor(platform: { apiBase: string; token: string; accountId: string }, token = platform.token, accountId = platform.accountId) {
    this.base = platform.apiBase;
    this.token = token;
    this.accountId = accountId;
  }

  /** `path` is relative to `/accounts/:accountId` unless it starts with `//`. */
  url(path: string): string {
    return path.startsWith('//') ? `${this.base}${path.slice(1)}` : `${this.base}/accounts/${this.accountId}${path}`;
  }

  async raw(method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}): Promise<Response> {
    return fetch(this.url(path), {
      method,
      body: init.body,
      headers: { authorization: `Bearer ${this.token}`, ...init.headers },
    });
  }

  async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    let payload: BodyInit | undefined;
    if (body instanceof FormData || typeof body === 'string' || body instanceof Uint8Array) payload = body as BodyInit;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers = { 'content-type': 'application/json', ...headers };
    }
    const response = await this.raw(method, path, { body: payload, headers });
    return { status: response.status, body: await readEnvelope<T>(response, `${method} ${path}`), headers: response.headers };
  }

  get = <T = any>(path: string) => this.call<T>('GET', path);
  post = <T = any>(path: string, body?: unknown) => this.call<T>('POST', path, body);
  put = <T = any>(path: string, body?: unknown) => this.call<T>('PUT', path, body);
  patch = <T = any>(path: string, body?: unknown) => this.call<T>('PATCH', path, body);
  delete = <T = any>(path: string, body?: unknown) => this.call<T>('DELETE', path, body);
}

/** A new account made by the platform administrator, as an `Api` holding a token of that account. */
export async function newAccount(admin: Api, platform: { apiBase: string; token: string; accountId: string }, name: string): Promise<Api> {
  const account = await admin.call('POST', '//accounts', { name });
  if (account.status !== 200) throw new Error(`creating account "${name}" answered ${account.status}: ${JSON.stringify(account.body)}`);
  const id = account.body.result.id as string;
  const issued = await new Api(platform, platform.token, id).post('/tokens', { name: `${name} token` });
  if (issued.status !== 200) throw new Error(`issuing a token for "${name}" answered ${issued.status}: ${JSON.stringify(issued.body)}`);
  return new Api(platform, issued.body.result.value, id);
}

export interface ModulePart {
  name: string;
  content: string | Uint8Array;
  type: string;
}

/** The multipart body of a Worker upload, as `curl -F` builds it. */
export function workerForm(metadata: Record<string, unknown>, modules: ModulePart[]): FormData {
  const form = new FormData();
  form.append('metadata', new Blob([JSON.stringify(metadata)], { type: 'application/json' }));
  for (const module of modules) {
    const bytes = typeof module.content === 'string' ? new TextEncoder().encode(module.content) : module.content;
    form.append(module.name, new File([new Uint8Array(bytes)], module.name, { type: module.type }));
  }
  return form;
}

export const esModule = (name: string, source: string): ModulePart => ({ name, content: source, type: 'application/javascript+module' });

export const helloWorker = (text = 'hello') => esModule('worker.mjs', `export default { fetch() { return new Response(${JSON.stringify(text)}); } };`);

/** Uploads a one-module ES worker to `namespace`. */
export function uploadScript(api: Api, namespace: string, name: string, metadata: Record<string, unknown> = {}, modules = [helloWorker()]) {
  return api.put(`/workers/dispatch/namespaces/${namespace}/scripts/${name}`, workerForm({ main_module: modules[0].name, ...metadata }, modules));
}
