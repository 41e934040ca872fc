import { errors } from '../http/api-error.ts';
import { candidateWorkerCode } from '../internal/worker-code.ts';
import type { Platform } from '../platform.ts';
import type { VersionContent } from './version-content.ts';

/**
 * Rejects a version whose modules do not compile or whose top level throws, before it is stored,
 * as Cloudflare does at upload (not at first request). Without a data plane nothing is checked.
 */
export async function assertCompiles(platform: Platform, content: VersionContent, script: string): Promise<{ startupTimeMs: number }> {
  const check = platform.compileCheck.check;
  if (!check) return { startupTimeMs: 0 };
  const started = performance.now();
  const error = await check(await candidateWorkerCode(platform, content, script));
  if (error) throw errors.badRequest(`Script "${script}" failed to start: ${error}`, 10021);
  return { startupTimeMs: Math.round(performance.now() - started) };
}
