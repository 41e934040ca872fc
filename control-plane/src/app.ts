import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { ApiError } from './http/api-error.ts';
import { internalBasePath } from './internal/internal-app.ts';
import { requireAccountAccess, requireToken } from './http/auth.ts';
import { failure } from './http/envelope.ts';
import { getNamespace } from './namespaces/namespace-store.ts';
import type { AppEnv, Platform } from './platform.ts';
import { accountScriptRoutes } from './routes/account-scripts.ts';
import { identityRoutes } from './routes/accounts.ts';
import { assetSessionRoutes, assetUploadRoutes } from './routes/assets.ts';
import { egressRoutes } from './routes/egress-rules.ts';
import { kvRoutes } from './routes/kv.ts';
import { namespaceRoutes } from './routes/namespaces.ts';
import { secretRoutes } from './routes/script-secrets.ts';
import { settingsRoutes } from './routes/script-settings.ts';
import { tagRoutes } from './routes/script-tags.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { versionRoutes } from './routes/script-versions.ts';
import { scheduleRoutes } from './routes/script-schedules.ts';
import { scriptRoutes } from './routes/scripts.ts';

const maxRequestBytes = 100 * 1024 * 1024;

/** The REST API: Cloudflare's v4 paths under `/client/v4`, every answer in its envelope. */
export function createApp(platform: Platform, internal: Hono) {
  const app = new Hono<AppEnv>();
  app.route(internalBasePath, internal);

  app.use('*', async (c, next) => {
    c.set('platform', platform);
    await next();
  });
  app.get('/healthz', (c) => c.text('ok'));

  const api = new Hono<AppEnv>();
  api.use(
    '*',
    bodyLimit({
      maxSize: maxRequestBytes,
      onError: (c) => failure(c, 413, [{ code: 10001, message: `The request body is larger than ${maxRequestBytes / 1024 / 1024} MiB.` }]),
    }),
  );
  api.route('/accounts/:accountId/workers/assets/upload', assetUploadRoutes);

  api.use('*', requireToken);
  api.use('/accounts/:accountId/*', requireAccountAccess);
  api.use('/accounts/:accountId', requireAccountAccess);

  const namespaces = '/accounts/:accountId/workers/dispatch/namespaces';
  api.use(`${namespaces}/:namespace/*`, async (c, next) => {
    c.set('namespace', await getNamespace(c.var.platform.db, c.var.accountId, c.req.param('namespace')!));
    await next();
  });
  const scripts = `${namespaces}/:namespace/scripts`;
  api.route(scripts, scriptRoutes);
  api.route(scripts, secretRoutes);
  api.route(scripts, settingsRoutes);
  api.route(scripts, tagRoutes);
  api.route(scripts, scheduleRoutes);
  api.route(scripts, assetSessionRoutes);
  api.route(scripts, versionRoutes);
  api.route(`${namespaces}/:namespace/egress`, egressRoutes);
  api.route(namespaces, namespaceRoutes);
  api.route('/accounts/:accountId/storage/kv/namespaces', kvRoutes);
  api.route('/accounts/:accountId/workers/scripts', accountScriptRoutes);
  api.route('/accounts/:accountId/tokens', tokenRoutes);
  api.route('/', identityRoutes);

  app.route('/client/v4', api);

  app.notFound((c) => failure(c, 404, [{ code: 7000, message: `No route for ${c.req.method} ${new URL(c.req.url).pathname}.` }]));
  app.onError((error, c) => {
    if (error instanceof ApiError) {
      return failure(c, error.status, [{ code: error.code, message: error.message, ...(error.pointer ? { source: { pointer: error.pointer } } : {}) }]);
    }
    if (error instanceof HTTPException) return failure(c, error.status, [{ code: 10001, message: error.message }]);
    console.error(`[api] ${c.req.method} ${new URL(c.req.url).pathname} failed:`, error);
    return failure(c, 500, [{ code: 10002, message: 'Internal error: the request was not completed; it is safe to retry.' }]);
  });
  return app;
}
