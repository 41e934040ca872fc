import { errors } from '../http/api-error.ts';
import { uploadLimits } from './upload-limits.ts';

/** A script a producer's tail events go to, as wrangler sends `tail_consumers`. */
export interface TailConsumer {
  service: string;
  environment?: string;
  namespace?: string;
}

/** Checks `tail_consumers`: at most 16 entries, each naming its `service`. */
export function readTailConsumers(raw: unknown): TailConsumer[] {
  if (!Array.isArray(raw)) throw errors.badRequest('metadata.tail_consumers must be an array of {"service": "<script name>"} objects.', 10021);
  if (raw.length > uploadLimits.tailConsumers) {
    throw errors.badRequest(`metadata.tail_consumers lists ${raw.length} consumers; a script may have at most ${uploadLimits.tailConsumers}.`, 10021);
  }
  return raw.map((entry: unknown, index) => {
    const { service, environment, namespace } = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const optional = [environment, namespace].every((value) => value === undefined || (typeof value === 'string' && value.length <= 256));
    if (typeof service !== 'string' || service.length === 0 || service.length > 256 || !optional) {
      throw errors.badRequest(`metadata.tail_consumers[${index}] must be {"service": "<script name>"} with optional "environment" and "namespace" strings.`, 10021);
    }
    return { service, ...(typeof environment === 'string' ? { environment } : {}), ...(typeof namespace === 'string' ? { namespace } : {}) };
  });
}
