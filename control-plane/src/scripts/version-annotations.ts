import { errors } from '../http/api-error.ts';
import { uploadLimits } from './upload-limits.ts';

/** A version's `annotations` (`workers/message`, `workers/tag`, ...): an object of at most 4 KiB as JSON. */
export function readAnnotations(raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw errors.badRequest('metadata.annotations must be an object such as {"workers/message": "..."}.', 10021);
  const bytes = Buffer.byteLength(JSON.stringify(raw));
  if (bytes > uploadLimits.annotationsBytes) {
    throw errors.badRequest(`metadata.annotations is ${bytes} bytes as JSON; at most ${uploadLimits.annotationsBytes} are kept with a version: shorten the message or tag.`, 10021);
  }
  return raw as Record<string, unknown>;
}
