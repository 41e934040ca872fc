import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { tokenStatus } from '../accounts/token-rules.ts';
import { listTokens, mintToken, revokeToken, type ApiTokenRow, type TokenViewer } from '../accounts/token-store.ts';
import { errors } from '../http/api-error.ts';
import { success } from '../http/envelope.ts';
import { pageInfo, readPage } from '../http/pagination.ts';
import { readJson, validate } from '../http/validation.ts';
import type { AppEnv } from '../platform.ts';

/** An account's API tokens: `/accounts/:accountId/tokens`, in the shape of Cloudflare's account-owned tokens. */
export const tokenRoutes = new Hono<AppEnv>();

const createBody = z.object({
  name: z.string().trim().min(1, 'a new token needs a "name"').max(120),
  expires_on: z.iso.datetime({ offset: true }).optional(),
  can_create_tokens: z.boolean().optional(),
});

/** Cloudflare's token fields Switchyard cannot honour: taken silently, they would make a token broader than asked for. */
const unsupportedFields = ['policies', 'condition', 'not_before'] as const;

const iso = (ms: number) => new Date(ms).toISOString();

/** A token as listed: never its value. Cloudflare's optional fields are left out when unset, as Cloudflare does. */
const tokenJson = (row: ApiTokenRow, now: number) => ({
  id: row.id,
  name: row.name,
  status: tokenStatus(row, now),
  issued_on: iso(row.createdAt),
  ...(row.expiresAt !== null ? { expires_on: iso(row.expiresAt) } : {}),
  ...(row.lastUsedAt !== null ? { last_used_on: iso(row.lastUsedAt) } : {}),
  revoked_on: row.revokedAt !== null ? iso(row.revokedAt) : null,
  can_create_tokens: row.isAdmin || row.canCreateTokens,
  admin: row.isAdmin,
  parent_id: row.parentId,
});

const viewerOf = (c: Context<AppEnv>): TokenViewer => ({ tokenId: c.var.tokenId, isAdmin: c.var.isAdmin });

function refuseUnsupported(body: unknown) {
  if (typeof body !== 'object' || body === null) return;
  for (const field of unsupportedFields) {
    const value = (body as Record<string, unknown>)[field];
    const empty = value === undefined || value === null || (Array.isArray(value) && value.length === 0);
    if (!empty) {
      throw errors.badRequest(
        `Switchyard tokens do not support "${field}": a token acts on its whole account until it expires or is revoked. Leave "${field}" out (an empty "policies" list is accepted).`,
        10001,
        `/${field}`,
      );
    }
  }
}

tokenRoutes.get('/', async (c) => {
  const page = readPage(c, { perPage: 20, maxPerPage: 100 });
  const direction = c.req.query('direction') === 'desc' ? 'desc' : 'asc';
  const { rows, total } = await listTokens(c.var.platform.db, viewerOf(c), c.var.accountId, page, direction);
  const now = Date.now();
  return success(c, rows.map((row) => tokenJson(row, now)), pageInfo(page, rows.length, total));
});

tokenRoutes.post('/', async (c) => {
  const raw = await readJson(c);
  refuseUnsupported(raw);
  const body = validate(createBody, raw, 'token');
  const request = { canCreateTokens: body.can_create_tokens ?? false, expiresAt: body.expires_on ? Date.parse(body.expires_on) : null };
  const { row, value } = await mintToken(c.var.platform.db, c.var.tokenId, c.var.accountId, body.name, request);
  return success(c, { ...tokenJson(row, Date.now()), value });
});

tokenRoutes.delete('/:tokenId', async (c) => {
  const tokenId = c.req.param('tokenId');
  const revoked = await revokeToken(c.var.platform.db, viewerOf(c), c.var.accountId, tokenId);
  return success(c, { id: tokenId, revoked });
});
