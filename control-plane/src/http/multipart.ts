import type { Context } from 'hono';
import { errors } from './api-error.ts';

/** Reads a multipart/form-data body, or answers 400 saying what was expected. */
export async function readForm(c: Context): Promise<FormData> {
  const type = c.req.header('content-type') ?? '';
  if (!type.toLowerCase().startsWith('multipart/form-data')) {
    throw errors.badRequest(`Expected a multipart/form-data body, got "${type || 'no content type'}".`, 10001);
  }
  try {
    return await c.req.raw.formData();
  } catch {
    throw errors.badRequest('The multipart/form-data body could not be parsed.', 10001);
  }
}
