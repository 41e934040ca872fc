import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';

/** The parts of a dispatch worker's wrangler config that Switchyard honours. */
export interface DispatchWorkerConfig {
  /** Absolute path of the entry module. */
  main: string;
  /** `account_id`: the account whose dispatch namespaces the worker binds, if the config names one. */
  accountId: string | null;
  compatibilityDate: string;
  compatibilityFlags: string[];
  vars: Record<string, unknown>;
  kvNamespaces: { binding: string; id: string }[];
  dispatchNamespaces: { binding: string; namespace: string; outbound?: { service: string; parameters: string[] | null } }[];
}

/** Drops `//` and `/* *\/` comments and trailing commas outside strings: JSONC to JSON. */
function stripJsonComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (char === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (char === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2) + 1;
      if (i === 0) break;
    } else out += char;
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}

export async function readDispatchWorkerConfig(path: string): Promise<DispatchWorkerConfig> {
  const text = await readFile(path, 'utf8');
  const raw = (path.endsWith('.toml') ? parseToml(text) : JSON.parse(stripJsonComments(text))) as Record<string, unknown>;
  const where = (field: string) => `${path}: ${field}`;
  if (typeof raw.main !== 'string') throw new Error(`${where('main')} must name the dispatch worker's entry module`);
  if (typeof raw.compatibility_date !== 'string') throw new Error(`${where('compatibility_date')} is required`);
  const list = <T>(field: string, check: (item: Record<string, unknown>) => T): T[] => {
    const value = raw[field] ?? [];
    if (!Array.isArray(value)) throw new Error(`${where(field)} must be an array`);
    return value.map((item) => check(item as Record<string, unknown>));
  };
  return {
    main: resolve(dirname(path), raw.main),
    accountId: typeof raw.account_id === 'string' && raw.account_id !== '' ? raw.account_id : null,
    compatibilityDate: raw.compatibility_date,
    compatibilityFlags: (raw.compatibility_flags as string[] | undefined) ?? [],
    vars: (raw.vars as Record<string, unknown> | undefined) ?? {},
    kvNamespaces: list('kv_namespaces', (item) => {
      if (typeof item.binding !== 'string' || typeof item.id !== 'string') throw new Error(`${where('kv_namespaces')} entries need "binding" and "id"`);
      return { binding: item.binding, id: item.id };
    }),
    dispatchNamespaces: list('dispatch_namespaces', (item) => {
      if (typeof item.binding !== 'string' || typeof item.namespace !== 'string') {
        throw new Error(`${where('dispatch_namespaces')} entries need "binding" and "namespace"`);
      }
      const outbound = item.outbound as { service?: unknown; parameters?: unknown } | undefined;
      if (outbound === undefined) return { binding: item.binding, namespace: item.namespace };
      if (typeof outbound.service !== 'string') throw new Error(`${where('dispatch_namespaces.outbound')} needs "service"`);
      const parameters = Array.isArray(outbound.parameters) ? outbound.parameters.map(String) : null;
      return { binding: item.binding, namespace: item.namespace, outbound: { service: outbound.service, parameters } };
    }),
  };
}
