import type { Context } from 'hono';
import type { z } from 'zod';
import { errors } from './api-error.ts';
import { parseJsonWithin } from './json-limits.ts';

/** Parses `value` with `schema`, turning the first problem into a 400 that names the field. */
export function validate<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue.path.length > 0 ? ` at "${issue.path.join('.')}"` : '';
  throw errors.badRequest(`Invalid ${what}${path}: ${issue.message}`, 10001, issue.path.length > 0 ? `/${issue.path.join('/')}` : undefined);
}

/** Reads a JSON request body, or answers 400 saying the body is not JSON (or nests too deeply), 413 past `maxBytes`. */
export async function readJson(c: Context, maxBytes = Number.POSITIVE_INFINITY): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  return parseJsonWithin(text, { what: 'The request body', maxBytes, code: 10001 });
}
