import type { Context } from 'hono';
import { errors } from './api-error.ts';

const boundaryLine = /^--([!-~]{1,70})\r\n/;

/**
 * Reads a multipart/form-data body, or answers 400 saying what was expected. A body that is
 * multipart but labelled otherwise is accepted by its boundary line: the `cloudflare` SDK's script
 * upload sends multipart under `Content-Type: application/javascript`.
 */
export async function readForm(c: Context): Promise<FormData> {
  const type = c.req.header('content-type') ?? '';
  let request: Request = c.req.raw;
  if (!type.toLowerCase().startsWith('multipart/form-data')) {
    const body = await c.req.arrayBuffer();
    const boundary = boundaryLine.exec(new TextDecoder().decode(body.slice(0, 80)))?.[1];
    if (!boundary) throw errors.badRequest(`Expected a multipart/form-data body, got "${type || 'no content type'}".`, 10001);
    request = new Request('http://upload/', { method: 'POST', body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
  }
  try {
    return await request.formData();
  } catch {
    throw errors.badRequest('The multipart/form-data body could not be parsed.', 10001);
  }
}

/** The text fields of a form, for bracket-syntax decoding. */
export const textFields = (form: FormData): [string, string][] =>
  [...form.entries()].filter((entry): entry is [string, string] => typeof entry[1] === 'string');

/** Bytes of text fields, names included: what bracket-encoded JSON weighs. */
export const textFieldBytes = (fields: [string, string][]): number =>
  fields.reduce((sum, [field, value]) => sum + Buffer.byteLength(field) + Buffer.byteLength(value), 0);
