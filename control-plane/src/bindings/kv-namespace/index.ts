import { and, eq } from 'drizzle-orm';
import { kvNamespaces } from '../../db/schema.ts';
import { errors } from '../../http/api-error.ts';
import { requireString, type BindingType } from '../types.ts';

/** A KV namespace of the uploading account only. */
export const kvNamespace: BindingType = {
  type: 'kv_namespace',
  async resolve(binding, context) {
    const namespaceId = requireString(binding, 'namespace_id');
    const [found] = await context.db
      .select({ id: kvNamespaces.id })
      .from(kvNamespaces)
      .where(and(eq(kvNamespaces.id, namespaceId), eq(kvNamespaces.accountId, context.accountId)));
    if (!found) throw errors.badRequest(`Binding "${binding.name}": KV namespace "${namespaceId}" does not exist in this account.`, 10041);
    return { type: 'kv_namespace', name: binding.name, namespace_id: namespaceId };
  },
};
