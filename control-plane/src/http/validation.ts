import type { Context } from 'hono';
import type { z } from 'zod';
import { errors } from './api-error.ts';

/** Parses `value` with `schema`, turning the first problem into a 400 that names the field. */
export function validate<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue.path.length > 0 ? ` at "${issue.path.join('.')}"` : '';
  throw errors.badRequest(`Invalid ${what}${path}: ${issue.message}`, 10001, issue.path.length > 0 ? `/${issue.path.join('/')}` : undefined);
}

/** Reads a JSON request body, or answers 400 saying the body is not JSON. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw errors.badRequest('The request body is not valid JSON.', 10001);
  }
}
