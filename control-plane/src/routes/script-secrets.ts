import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { errors } from '../http/api-error.ts';
import { success } from '../http/envelope.ts';
import { readJson, validate } from '../http/validation.ts';
import { secretAad } from '../scripts/bindings.ts';
import { getLiveScript, type LiveScript } from '../scripts/script-store.ts';
import type { StoredBinding } from '../scripts/version-content.ts';
import { deployVersion } from '../scripts/deploy.ts';
import type { AppEnv } from '../platform.ts';

export const secretRoutes = new Hono<AppEnv>();

const secretBody = z.object({
  name: z.string().min(1).max(256),
  text: z.string().max(5 * 1024, 'a secret value can be at most 5 KiB'),
  type: z.literal('secret_text').default('secret_text'),
});

const secretJson = (binding: StoredBinding) => ({ name: binding.name, type: binding.type });
const isSecret = (binding: StoredBinding) => binding.type === 'secret_text';

async function live(c: Context<AppEnv>): Promise<LiveScript> {
  return getLiveScript(c.var.platform.db, c.var.namespace.id, c.req.param('script')!);
}

/** Secrets are bindings of the live version: each change writes a new version, as Cloudflare does. */
async function replaceBindings(c: Context<AppEnv>, current: LiveScript, bindings: StoredBinding[]) {
  await deployVersion(c, current.script.name, { ...current.content, bindings });
}

secretRoutes.put('/:script/secrets', async (c) => {
  const body = validate(secretBody, await readJson(c), 'secret');
  const current = await live(c);
  const clash = current.content.bindings.find((binding) => binding.name === body.name && !isSecret(binding));
  if (clash) throw errors.badRequest(`Binding "${body.name}" already exists with type ${clash.type}; a secret cannot take its name.`, 10053);
  const sealed = c.var.platform.secretBox.seal(body.text, secretAad(`${c.var.namespace.id}/${current.script.name}`, body.name));
  const secret: StoredBinding = { type: 'secret_text', name: body.name, sealed };
  await replaceBindings(c, current, [...current.content.bindings.filter((binding) => binding.name !== body.name), secret]);
  return success(c, secretJson(secret));
});

secretRoutes.get('/:script/secrets', async (c) => {
  const current = await live(c);
  return success(c, current.content.bindings.filter(isSecret).map(secretJson));
});

function findSecret(current: LiveScript, name: string): StoredBinding {
  const secret = current.content.bindings.find((binding) => binding.name === name && isSecret(binding));
  if (!secret) throw errors.notFound(10056, `Script "${current.script.name}" has no secret named "${name}".`);
  return secret;
}

secretRoutes.get('/:script/secrets/:secret', async (c) => {
  return success(c, secretJson(findSecret(await live(c), c.req.param('secret'))));
});

secretRoutes.delete('/:script/secrets/:secret', async (c) => {
  const current = await live(c);
  const secret = findSecret(current, c.req.param('secret'));
  await replaceBindings(c, current, current.content.bindings.filter((binding) => binding !== secret));
  return success(c, null);
});

const bulkBody = z.object({
  secrets: z.record(z.string(), secretBody.nullable()).default({}),
});

/** `PATCH .../secrets-bulk`: sets (or, with null, deletes) several secrets in one new version. */
secretRoutes.patch('/:script/secrets-bulk', async (c) => {
  const body = validate(bulkBody, await readJson(c), 'secrets');
  const current = await live(c);
  const scope = `${c.var.namespace.id}/${current.script.name}`;
  let bindings = current.content.bindings;
  const result: Record<string, ReturnType<typeof secretJson>> = {};
  for (const [name, secret] of Object.entries(body.secrets)) {
    if (secret && secret.name !== name) throw errors.badRequest(`Secret "${name}" has a different "name" (${secret.name}) in its body.`, 10001);
    const clash = bindings.find((binding) => binding.name === name && !isSecret(binding));
    if (clash) throw errors.badRequest(`Binding "${name}" already exists with type ${clash.type}; a secret cannot take its name.`, 10053);
    bindings = bindings.filter((binding) => binding.name !== name);
    if (secret) {
      const sealed: StoredBinding = { type: 'secret_text', name, sealed: c.var.platform.secretBox.seal(secret.text, secretAad(scope, name)) };
      bindings = [...bindings, sealed];
      result[name] = secretJson(sealed);
    }
  }
  await replaceBindings(c, current, bindings);
  return success(c, result);
});
