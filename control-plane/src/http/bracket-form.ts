import { maxJsonDepth, tooDeep } from './json-limits.ts';

/**
 * Decodes the bracket syntax the `cloudflare` SDK uses for objects in multipart bodies
 * (`metadata[main_module]`, `metadata[bindings][][name]`, `settings[limits][cpu_ms]`) back into
 * the object it encoded. Leaves are strings; `coerce` restores the booleans and numbers the
 * encoding flattened, by field name, since the encoding itself has lost them. A field nested more
 * deeply than JSON may be is refused with `code`.
 */
export function decodeBracketFields(entries: [string, string][], root: string, code: number): Record<string, unknown> | undefined {
  const prefix = `${root}[`;
  let result: Record<string, unknown> | undefined;
  for (const [key, value] of entries) {
    if (!key.startsWith(prefix)) continue;
    const path = parsePath(key.slice(root.length));
    if (!path) continue;
    if (path.length > maxJsonDepth) throw tooDeep(`Field "${key.slice(0, 60)}…"`, code);
    result ??= {};
    assign(result, path, value);
  }
  return result;
}

function parsePath(rest: string): string[] | null {
  const segments: string[] = [];
  const pattern = /\[([^\]]*)\]/y;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = pattern.exec(rest))) {
    segments.push(match[1]);
    consumed = pattern.lastIndex;
  }
  return consumed === rest.length && segments.length > 0 ? segments : null;
}

type Bag = Record<string, unknown>;
const isBag = (value: unknown): value is Bag => typeof value === 'object' && value !== null && !Array.isArray(value);

function hasLeaf(bag: Bag, path: string[]): boolean {
  let node: unknown = bag;
  for (const key of path) {
    if (!isBag(node) || !(key in node)) return false;
    node = node[key];
  }
  return true;
}

function assign(target: Bag, path: string[], value: string): void {
  const [key, ...rest] = path;
  if (rest.length === 0) {
    target[key] = value;
    return;
  }
  if (rest[0] === '') {
    const list = (Array.isArray(target[key]) ? target[key] : (target[key] = [])) as unknown[];
    const inner = rest.slice(1);
    if (inner.length === 0) {
      list.push(value);
      return;
    }
    // `[][field]` continues the last element unless that element already has the field.
    let last = list[list.length - 1];
    if (!isBag(last) || hasLeaf(last, inner)) {
      last = {};
      list.push(last);
    }
    assign(last as Bag, inner, value);
    return;
  }
  const child = isBag(target[key]) ? target[key] : (target[key] = {});
  assign(child as Bag, rest, value);
}

const booleanFields = new Set(['keep_assets', 'logpush', 'enabled', 'invocation_logs', 'persist', 'run_worker_first', 'trusted_workers']);
const numberFields = new Set(['cpu_ms', 'subrequests', 'head_sampling_rate']);

/** Turns "true"/"false" and numeric strings back into booleans and numbers for the fields that hold them. */
export function coerce(value: unknown, field = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => coerce(item, field));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, coerce(item, key)]));
  }
  if (typeof value === 'string' && booleanFields.has(field) && (value === 'true' || value === 'false')) return value === 'true';
  if (typeof value === 'string' && numberFields.has(field) && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return value;
}
