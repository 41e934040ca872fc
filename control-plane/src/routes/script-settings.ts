import { Hono, type Context } from 'hono';
import { errors } from '../http/api-error.ts';
import { success } from '../http/envelope.ts';
import { coerce, decodeBracketFields } from '../http/bracket-form.ts';
import { assertJsonSize, parseJsonWithin } from '../http/json-limits.ts';
import { readForm, textFieldBytes, textFields } from '../http/multipart.ts';
import { readJson } from '../http/validation.ts';
import { settingsObject } from '../scripts/script-json.ts';
import { assertTags, getLiveScript } from '../scripts/script-store.ts';
import { assertAssetsBinding, resolveSettings } from '../scripts/worker-upload.ts';
import { deployVersion } from '../scripts/deploy.ts';
import { uploadLimits } from '../scripts/upload-limits.ts';
import type { AppEnv } from '../platform.ts';

export const settingsRoutes = new Hono<AppEnv>();

settingsRoutes.get('/:script/settings', async (c) => {
  const live = await getLiveScript(c.var.platform.db, c.var.namespace.id, c.req.param('script'));
  return success(c, settingsObject(live.content, live.tags));
});

/**
 * Settings arrive as a JSON `settings` part of multipart/form-data (as Cloudflare takes them) or as
 * a JSON body, within the size and nesting limits of upload metadata.
 */
async function readSettingsPatch(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  const maxBytes = uploadLimits.metadataBytes;
  let patch: unknown;
  if ((c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) {
    const form = await readForm(c);
    const part = form.get('settings');
    if (part === null) {
      const fields = textFields(form).filter(([field]) => field.startsWith('settings['));
      assertJsonSize('The total of the "settings[...]" fields', textFieldBytes(fields), maxBytes, 10001);
      const bracketed = decodeBracketFields(fields, 'settings', 10001);
      if (!bracketed) throw errors.badRequest('The multipart body needs a "settings" part holding JSON.', 10001);
      return coerce(bracketed) as Record<string, unknown>;
    }
    if (typeof part !== 'string') assertJsonSize('The "settings" part', part.size, maxBytes, 10001);
    patch = parseJsonWithin(typeof part === 'string' ? part : await part.text(), { what: 'The "settings" part', maxBytes, code: 10001 });
  } else {
    patch = await readJson(c, maxBytes);
  }
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw errors.badRequest('Script settings must be a JSON object.', 10001);
  return patch as Record<string, unknown>;
}

settingsRoutes.patch('/:script/settings', async (c) => {
  const name = c.req.param('script');
  const { platform, namespace, accountId } = c.var;
  const current = await getLiveScript(platform.db, namespace.id, name);
  const patch = await readSettingsPatch(c);
  if (Array.isArray(patch.bindings)) {
    // A secret listed without its value keeps the value it has; secrets not listed are kept too.
    patch.bindings = patch.bindings.map((binding: Record<string, unknown>) =>
      binding?.type === 'secret_text' && binding.text === undefined ? { type: 'inherit', name: binding.name } : binding,
    );
    patch.keep_bindings = ['secret_text'];
  }
  const settings = await resolveSettings(platform, { accountId, namespaceId: namespace.id, scriptName: name, previous: current }, patch, current.content);
  const content = { ...current.content, ...settings, annotations: current.content.annotations };
  assertAssetsBinding(content);
  let tags: string[] | undefined;
  if (patch.tags !== undefined && patch.tags !== null) {
    if (!Array.isArray(patch.tags)) throw errors.badRequest('settings.tags must be an array of strings.', 10001);
    tags = patch.tags as string[];
    assertTags(tags);
  }
  const { live } = await deployVersion(c, name, content, { tags });
  return success(c, settingsObject(live.content, live.tags));
});
