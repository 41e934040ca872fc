import type { Context } from 'hono';
import { errors } from './api-error.ts';
import type { ResultInfo } from './envelope.ts';

export interface PageRequest {
  page: number;
  perPage: number;
  offset: number;
}

/** Reads Cloudflare's `page` (from 1) and `per_page` query parameters. */
export function readPage(c: Context, defaults: { perPage: number; maxPerPage: number }): PageRequest {
  const page = readPositiveInt(c.req.query('page'), 'page', 1);
  const perPage = readPositiveInt(c.req.query('per_page'), 'per_page', defaults.perPage);
  if (perPage > defaults.maxPerPage) throw errors.badRequest(`per_page must be at most ${defaults.maxPerPage}.`, 10001);
  return { page, perPage, offset: (page - 1) * perPage };
}

export function pageInfo(request: PageRequest, count: number, totalCount: number): ResultInfo {
  return {
    page: request.page,
    per_page: request.perPage,
    count,
    total_count: totalCount,
    total_pages: Math.max(1, Math.ceil(totalCount / request.perPage)),
  };
}

function readPositiveInt(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw errors.badRequest(`${name} must be a positive integer, got "${raw}".`, 10001);
  return value;
}
