import { randomUUID } from 'node:crypto';
import type { InvocationReport } from '@switchyard/protocol';
import type { Platform } from '../platform.ts';
import { parseCron } from './cron.ts';
import { claimFiring, dueSchedules, recordRun, type DueSchedule } from './schedule-store.ts';

/** How often due triggers are looked for. */
const tickMs = 1000;
/**
 * A firing due longer ago than this was missed (the platform was not running): it is recorded as
 * `missed` and not made up; the trigger goes on from its next firing after now.
 */
export const missedAfterMs = 60_000;
/** How long a scheduled invocation may run (wall clock), as Cloudflare gives cron triggers. */
const runTimeoutMs = 15 * 60_000;

/**
 * Fires the cron triggers of every script: each due firing is claimed once (so it runs once, even
 * with several API processes on one database), run on one connected node through its invoke door
 * (`scheduled(controller, env, ctx)`, under the same sandbox, limits and blame as a request), and
 * recorded in the script's run history.
 */
export class CronScheduler {
  readonly #platform: Platform;
  #timer: NodeJS.Timeout | null = null;
  #ticking = false;

  constructor(platform: Platform) {
    this.#platform = platform;
  }

  start(): void {
    this.#timer = setInterval(() => void this.#tick(), tickMs);
  }

  /** Fires nothing more; firings in flight end on their own (a run cut short by a stop is recorded as failed if it can be). */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  async #tick(): Promise<void> {
    if (this.#ticking) return;
    this.#ticking = true;
    try {
      const now = Date.now();
      for (const schedule of await dueSchedules(this.#platform.db, now, 100)) {
        const next = parseCron(schedule.cron).next(new Date(now))?.getTime() ?? null;
        if (!(await claimFiring(this.#platform.db, schedule, next))) continue;
        void (now - schedule.nextRunAt > missedAfterMs ? this.#missed(schedule) : this.#fire(schedule));
      }
    } catch (error) {
      console.error('[cron] looking for due triggers failed:', error);
    } finally {
      this.#ticking = false;
    }
  }

  async #missed(schedule: DueSchedule): Promise<void> {
    await recordRun(this.#platform.db, {
      scriptId: schedule.scriptId,
      cron: schedule.cron,
      scheduledAt: schedule.nextRunAt,
      startedAt: null,
      durationMs: null,
      outcome: 'missed',
      error: 'The platform was not running when this firing was due; missed firings are not made up.',
      versionId: null,
    }).catch((error) => console.error('[cron] recording a missed firing failed:', error));
  }

  async #fire(schedule: DueSchedule): Promise<void> {
    const startedAt = Date.now();
    const invocation = { id: randomUUID(), accountId: schedule.accountId, namespace: schedule.namespace, script: schedule.script, limits: {}, outbound: null };
    const report = await this.#platform.invocations.run(invocation, { type: 'scheduled', cron: schedule.cron, scheduledTime: schedule.nextRunAt }, runTimeoutMs);
    await recordRun(this.#platform.db, {
      scriptId: schedule.scriptId,
      cron: schedule.cron,
      scheduledAt: schedule.nextRunAt,
      startedAt,
      durationMs: Math.round(report.durationMs),
      ...outcomeOf(report),
    }).catch((error) => console.error('[cron] recording a run failed:', error));
  }
}

/** The run's outcome, its error, the version that ran and what it printed, from the node's report. */
function outcomeOf(report: InvocationReport): { outcome: string; error: string | null; versionId: string | null; output?: string } {
  const { result } = report;
  if (!result) return { outcome: 'failed', error: report.error, versionId: null };
  switch (result.outcome) {
    case 'ok':
      return { outcome: 'ok', error: null, versionId: result.versionId, output: JSON.stringify(result.output ?? []) };
    case 'exception':
      return { outcome: 'exception', error: result.message, versionId: result.versionId, output: JSON.stringify(result.output ?? []) };
    case 'not-found':
      return { outcome: 'failed', error: result.message, versionId: null };
    case 'exceededResources':
      // Cloudflare's outcome names.
      return { outcome: result.reason === 'cpu' ? 'exceededCpu' : 'exceededMemory', error: result.message, versionId: null };
  }
}
