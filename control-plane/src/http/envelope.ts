import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface ResultInfo {
  page?: number;
  per_page?: number;
  count: number;
  total_count?: number;
  total_pages?: number;
  cursor?: string;
}

/** Answers in Cloudflare's v4 envelope. */
export function success(c: Context, result: unknown, resultInfo?: ResultInfo, status: ContentfulStatusCode = 200) {
  const body: Record<string, unknown> = { success: true, errors: [], messages: [], result };
  if (resultInfo) body.result_info = resultInfo;
  return c.json(body, status);
}

export function failure(c: Context, status: ContentfulStatusCode, errors: { code: number; message: string; source?: { pointer: string } }[]) {
  return c.json({ success: false, errors, messages: [], result: null }, status);
}
