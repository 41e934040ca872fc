import { ApiError, errors } from '../http/api-error.ts';
import { workerCode, type VersionIdentity } from '../internal/worker-code.ts';
import type { Platform } from '../platform.ts';
import type { VersionContent } from './version-content.ts';

/**
 * Has every connected node load the new version, under the id it will be stored with, on the
 * runner that will serve it, before the version is stored: a version whose modules do not compile
 * or whose top level throws is refused, as Cloudflare does at upload (not at first request), and
 * one that starts is already warm where it will serve.
 */
export async function assertStarts(platform: Platform, content: VersionContent, identity: VersionIdentity & { namespace: string }): Promise<{ startupTimeMs: number }> {
  const code = await workerCode(platform, content, identity);
  const verdicts = await platform.warmUps.warmUp({ accountId: identity.accountId, namespace: identity.namespace, script: identity.script, code });
  if (verdicts.length === 0) {
    throw new ApiError(503, 10013, 'No data plane node is connected to check that the script starts; start one (npm start -- node) and upload again.');
  }
  const failed = verdicts.find((verdict) => verdict.error !== null);
  if (failed) throw errors.badRequest(`Script "${identity.script}" failed to start: ${failed.error}`, 10021);
  return { startupTimeMs: Math.round(Math.max(...verdicts.map((verdict) => verdict.startupMs))) };
}
