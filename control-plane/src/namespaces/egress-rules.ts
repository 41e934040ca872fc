import { eq } from 'drizzle-orm';
import type { Queryable } from '../db/index.ts';
import { dispatchNamespaces } from '../db/schema.ts';
import { errors } from '../http/api-error.ts';
import type { NamespaceRow } from './namespace-store.ts';

/**
 * Which hosts a namespace's scripts may send subrequests to. `deny` wins; a non-empty `allow`
 * admits only matching hosts. Patterns are host names, optionally with a leading `*.` for every
 * subdomain. Private, loopback and link-local destinations stay refused whatever the rules say.
 */
export interface EgressRules {
  allow: string[];
  deny: string[];
}

const hostPattern = /^(\*\.)?([a-z0-9-]+\.)*[a-z0-9-]+$/;
const maxRules = 1000;

export function parseEgressRules(raw: unknown): EgressRules {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw errors.badRequest('Egress rules are a JSON object: { "allow": ["host", "*.host"], "deny": [...] }.', 10001);
  }
  const body = raw as Record<string, unknown>;
  const list = (field: 'allow' | 'deny'): string[] => {
    const value = body[field] ?? [];
    if (!Array.isArray(value)) throw errors.badRequest(`"${field}" must be an array of host patterns.`, 10001);
    if (value.length > maxRules) throw errors.badRequest(`"${field}" may hold at most ${maxRules} patterns.`, 10001);
    return value.map((pattern) => {
      const normalised = typeof pattern === 'string' ? pattern.trim().toLowerCase() : '';
      if (!hostPattern.test(normalised)) {
        throw errors.badRequest(`${JSON.stringify(pattern)} in "${field}" is not a host pattern such as "api.example.com" or "*.example.com".`, 10001);
      }
      return normalised;
    });
  };
  return { allow: list('allow'), deny: list('deny') };
}

export const egressRulesOf = (row: NamespaceRow): EgressRules => JSON.parse(row.egress) as EgressRules;

export async function saveEgressRules(db: Queryable, row: NamespaceRow, rules: EgressRules): Promise<void> {
  await db.update(dispatchNamespaces).set({ egress: JSON.stringify(rules), modifiedAt: Date.now() }).where(eq(dispatchNamespaces.id, row.id));
}
