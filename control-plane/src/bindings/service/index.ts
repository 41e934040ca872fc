import { errors } from '../../http/api-error.ts';
import { findScript } from '../../scripts/script-store.ts';
import { requireString, type BindingType } from '../types.ts';

/**
 * Another script of the same dispatch namespace, which must exist when the binding is uploaded
 * (as on Cloudflare, code 10143): deploy the target first. A script may bind itself.
 */
export const service: BindingType = {
  type: 'service',
  async resolve(binding, context) {
    const target = requireString(binding, 'service');
    if (target !== context.scriptName && !(await findScript(context.db, context.namespaceId, target))) {
      throw errors.badRequest(
        `Could not resolve service binding '${binding.name}'. Target script '${target}' not found in this dispatch namespace: upload '${target}' first, then this script.`,
        10143,
      );
    }
    const extra: Record<string, unknown> = {};
    if (typeof binding.environment === 'string') extra.environment = binding.environment;
    if (typeof binding.entrypoint === 'string') extra.entrypoint = binding.entrypoint;
    return { type: 'service', name: binding.name, service: target, ...extra };
  },
};
