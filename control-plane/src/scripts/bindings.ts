import { bindingTypesByName, supportedBindingTypes } from '../bindings/registry.ts';
import type { BindingContext } from '../bindings/types.ts';
import { errors } from '../http/api-error.ts';
import type { StoredBinding } from './version-content.ts';

export { secretAad } from '../bindings/types.ts';
export type { BindingContext } from '../bindings/types.ts';

/**
 * Checks and normalises the `bindings` of upload metadata or a settings patch, each by its type
 * (bindings/registry.ts); `keepTypes` keeps the previous version's bindings of those types.
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
  const bindingType = typeof type === 'string' ? bindingTypesByName.get(type) : undefined;
  if (!bindingType) {
    throw errors.badRequest(`Binding "${name}" has unknown type ${JSON.stringify(type)}. Switchyard supports: ${supportedBindingTypes.join(', ')}.`, 10021);
  }
  return bindingType.resolve({ ...binding, type: type as string, name }, context);
}

/** A binding as the API shows it: secret values are never returned. */
export function publicBinding(binding: StoredBinding): Record<string, unknown> {
  const { sealed: _sealed, ...visible } = binding;
  return visible;
}
