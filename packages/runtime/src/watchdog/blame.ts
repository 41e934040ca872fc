import type { InFlight } from '@switchyard/protocol';
import { scriptKey as nodeScriptKey } from '../node-cache.ts';

/** An invocation a stuck runner may be running: sent to it and not answered, or running at its last heartbeat. */
export interface Candidate extends InFlight {
  /** The CPU limit that applies to it: the dispatch call's, else the script's settings, else the default. */
  cpuMs: number;
  /** Whether the runner said it was running it at its last heartbeat (else it was sent after, or queued). */
  started: boolean;
}

export interface ScriptRef {
  accountId: string;
  namespace: string;
  script: string;
}

/**
 * What to do about a runner that has not answered its heartbeat for `stalledMs`:
 * - `wait`: no candidate is past its limit yet;
 * - `kill` with a culprit: every candidate belongs to one script, so that script was running the
 *   JavaScript that never yields (a runner has one JS thread): blame is exact;
 * - `kill` without one: several scripts were in flight and any of them may be the one; none is
 *   blamed, and each becomes a suspect that runs alone until it behaves.
 */
export type StallVerdict = { action: 'wait' } | { action: 'kill'; culprit: Candidate; others: Candidate[] } | { action: 'kill'; culprit: null; suspects: ScriptRef[]; others: Candidate[] };

/** The node's key for a script (the one its cache uses), from a reference. */
export const scriptKey = (ref: ScriptRef) => nodeScriptKey(ref.accountId, ref.namespace, ref.script);

export function distinctScripts(candidates: readonly ScriptRef[]): ScriptRef[] {
  const byKey = new Map<string, ScriptRef>();
  for (const { accountId, namespace, script } of candidates) byKey.set(scriptKey({ accountId, namespace, script }), { accountId, namespace, script });
  return [...byKey.values()];
}

/**
 * The invocation a one-script runner is stuck in (preferring one still waiting for its answer): a
 * runner starts requests in arrival order on one thread, so the oldest one it had not started at
 * its last heartbeat (the ones after it are queued behind it); failing that, one it had started
 * that resumed and never yielded: the oldest.
 */
function stuckInvocation(candidates: Candidate[]): Candidate {
  const unanswered = candidates.filter((candidate) => !candidate.answered);
  const byStart = [...(unanswered.length > 0 ? unanswered : candidates)].sort((a, b) => a.startedAt - b.startedAt);
  return byStart.find((candidate) => !candidate.started) ?? byStart[0];
}

export function judgeStall(candidates: Candidate[], stalledMs: number, options: { slackMs: number; defaultCpuMs: number }): StallVerdict {
  const limit = candidates.length === 0 ? options.defaultCpuMs : Math.min(...candidates.map((candidate) => candidate.cpuMs));
  if (stalledMs <= limit + options.slackMs) return { action: 'wait' };
  const scripts = distinctScripts(candidates);
  if (scripts.length === 1) {
    const culprit = stuckInvocation(candidates);
    return { action: 'kill', culprit, others: candidates.filter((candidate) => candidate !== culprit) };
  }
  return { action: 'kill', culprit: null, suspects: scripts, others: candidates };
}

/** Blame for a runner that died on its own (V8 out of memory): exact only if one script was in flight. */
export function judgeDeath(candidates: Candidate[]): StallVerdict {
  return judgeStall(candidates, Number.POSITIVE_INFINITY, { slackMs: 0, defaultCpuMs: 0 });
}
