import { Hono } from 'hono';
import { success } from '../http/envelope.ts';
import { readJson } from '../http/validation.ts';
import { settleChange } from '../internal/announce.ts';
import { egressRulesOf, parseEgressRules, saveEgressRules } from '../namespaces/egress-rules.ts';
import type { AppEnv } from '../platform.ts';

/** `GET|PUT /accounts/:id/workers/dispatch/namespaces/:namespace/egress`: the namespace's egress rules. */
export const egressRoutes = new Hono<AppEnv>();

egressRoutes.get('/', (c) => success(c, egressRulesOf(c.var.namespace)));

egressRoutes.put('/', async (c) => {
  const rules = parseEgressRules(await readJson(c));
  await saveEgressRules(c.var.platform.db, c.var.namespace, rules);
  await settleChange(c);
  return success(c, rules);
});
