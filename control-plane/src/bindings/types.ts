import type { SecretBox } from '../crypto/secret-box.ts';
import type { Queryable } from '../db/index.ts';
import { errors } from '../http/api-error.ts';
import type { StoredBinding } from '../scripts/version-content.ts';

export interface BindingContext {
  db: Queryable;
  accountId: string;
  /** The dispatch namespace and script the bindings are for. */
  namespaceId: string;
  scriptName: string;
  secretBox: SecretBox;
  /** Authenticated data for sealing secrets: ties a sealed value to its script. */
  secretScope: string;
  previous: StoredBinding[];
}

/** One binding of upload metadata or a settings patch, its name already checked. */
export type RawBinding = Record<string, unknown> & { type: string; name: string };

/** A binding type, control-plane side: how one binding of it is checked and stored. */
export interface BindingType {
  type: string;
  resolve(binding: RawBinding, context: BindingContext): StoredBinding | Promise<StoredBinding>;
}

/** The additional data a secret of `scope` named `name` is sealed with. */
export const secretAad = (scope: string, name: string) => `${scope}/${name}`;

export function requireString(binding: RawBinding, field: string): string {
  const value = binding[field];
  if (typeof value !== 'string') throw errors.badRequest(`Binding "${binding.name}" of type ${binding.type} needs a "${field}" string.`, 10021);
  return value;
}
