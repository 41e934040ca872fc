import { errors } from '../http/api-error.ts';

/** A script's `limits` setting, as Cloudflare spells it. */
export interface ScriptLimits {
  cpu_ms?: number;
  subrequests?: number;
}

/** The most a script's `limits` may ask for on this platform (`SWITCHYARD_MAX_CPU_MS`, `SWITCHYARD_MAX_SUBREQUESTS`). */
export interface PlatformMaxima {
  maxCpuMs: number;
  maxSubrequests: number;
}

function positiveWhole(value: unknown, field: string, unit: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || (value as number) < 1) throw errors.badRequest(`metadata.limits.${field} must be a positive whole number${unit}.`, 10021);
  return value as number;
}

/**
 * Checks a script's `limits`. Limits the upload or patch sets (`given`) may not exceed the platform's
 * maxima; limits kept from the previous version are not judged again.
 */
export function resolveLimits(raw: unknown, maxima: PlatformMaxima, given: boolean): ScriptLimits {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw errors.badRequest('metadata.limits must be an object such as {"cpu_ms": 50}.', 10021);
  const { cpu_ms: rawCpuMs, subrequests: rawSubrequests } = raw as Record<string, unknown>;
  const cpuMs = positiveWhole(rawCpuMs, 'cpu_ms', ' of milliseconds');
  const subrequests = positiveWhole(rawSubrequests, 'subrequests', '');
  if (given && cpuMs !== undefined && cpuMs > maxima.maxCpuMs) {
    throw errors.badRequest(`metadata.limits.cpu_ms is ${cpuMs} ms; this platform allows at most ${maxima.maxCpuMs} ms of CPU time per invocation.`, 10021);
  }
  if (given && subrequests !== undefined && subrequests > maxima.maxSubrequests) {
    throw errors.badRequest(`metadata.limits.subrequests is ${subrequests}; this platform allows at most ${maxima.maxSubrequests} subrequests per invocation.`, 10021);
  }
  return { ...(cpuMs !== undefined ? { cpu_ms: cpuMs } : {}), ...(subrequests !== undefined ? { subrequests } : {}) };
}
