import { and, eq } from 'drizzle-orm';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Queryable } from '../db/index.ts';
import { kvNamespaces } from '../db/schema.ts';
import { errors } from '../http/api-error.ts';
import type { StoredBinding } from './version-content.ts';

export const supportedBindingTypes = ['plain_text', 'json', 'secret_text', 'kv_namespace', 'service', 'assets', 'inherit'] as const;

export interface BindingContext {
  db: Queryable;
  accountId: string;
  secretBox: SecretBox;
  /** Authenticated data for sealing secrets: ties a sealed value to its script. */
  secretScope: string;
  previous: StoredBinding[];
}

/** The additional data a secret of `scope` named `name` is sealed with. */
export const secretAad = (scope: string, name: string) => `${scope}/${name}`;

/**
 * Checks and normalises the `bindings` of upload metadata or a settings patch. Secret values are
 * sealed here and never stored in the clear; `inherit` bindings copy the previous version's.
 */
export async function resolveBindings(raw: unknown, context: BindingContext, keepTypes: string[] = []): Promise<StoredBinding[]> {
  if (raw === undefined || raw === null) raw = [];
  if (!Array.isArray(raw)) throw errors.badRequest('metadata.bindings must be an array of binding objects.', 10021);
  const result: StoredBinding[] = [];
  const names = new Set<string>();
  for (const [index, item] of raw.entries()) {
    const binding = await resolveBinding(item, index, context);
    if (names.has(binding.name)) throw errors.badRequest(`Binding name "${binding.name}" is used more than once.`, 10021);
    names.add(binding.name);
    result.push(binding);
  }
  for (const kept of context.previous) {
    if (keepTypes.includes(kept.type) && !names.has(kept.name)) {
      names.add(kept.name);
      result.push(kept);
    }
  }
  return result;
}

async function resolveBinding(item: unknown, index: number, context: BindingContext): Promise<StoredBinding> {
  const where = `bindings[${index}]`;
  if (typeof item !== 'object' || item === null) throw errors.badRequest(`${where} must be an object.`, 10021);
  const binding = item as Record<string, unknown>;
  const { type, name } = binding;
  if (typeof name !== 'string' || name.length === 0 || name.length > 256) {
    throw errors.badRequest(`${where} needs a "name" string of 1 to 256 characters.`, 10021);
  }
  const requireString = (field: string) => {
    if (typeof binding[field] !== 'string') throw errors.badRequest(`Binding "${name}" of type ${type} needs a "${field}" string.`, 10021);
    return binding[field] as string;
  };
  switch (type) {
    case 'plain_text':
      return { type, name, text: requireString('text') };
    case 'json':
      if (!('json' in binding)) throw errors.badRequest(`Binding "${name}" of type json needs a "json" value.`, 10021);
      return { type, name, json: binding.json };
    case 'secret_text':
      return { type, name, sealed: context.secretBox.seal(requireString('text'), secretAad(context.secretScope, name)) };
    case 'kv_namespace': {
      const namespaceId = requireString('namespace_id');
      const [found] = await context.db
        .select({ id: kvNamespaces.id })
        .from(kvNamespaces)
        .where(and(eq(kvNamespaces.id, namespaceId), eq(kvNamespaces.accountId, context.accountId)));
      if (!found) throw errors.badRequest(`Binding "${name}": KV namespace "${namespaceId}" does not exist in this account.`, 10041);
      return { type, name, namespace_id: namespaceId };
    }
    case 'service': {
      const service = requireString('service');
      const extra: Record<string, unknown> = {};
      if (typeof binding.environment === 'string') extra.environment = binding.environment;
      if (typeof binding.entrypoint === 'string') extra.entrypoint = binding.entrypoint;
      return { type, name, service, ...extra };
    }
    case 'assets':
      return { type, name };
    case 'inherit': {
      const previous = context.previous.find((candidate) => candidate.name === name);
      if (!previous) throw errors.badRequest(`Binding "${name}" of type inherit has no binding of that name in the previous version to inherit.`, 10021);
      return previous;
    }
    default:
      throw errors.badRequest(
        `Binding "${name}" has unknown type ${JSON.stringify(type)}. Switchyard supports: ${supportedBindingTypes.join(', ')}.`,
        10021,
      );
  }
}

/** A binding as the API shows it: secret values are never returned. */
export function publicBinding(binding: StoredBinding): Record<string, unknown> {
  const { sealed: _sealed, ...visible } = binding;
  return visible;
}
