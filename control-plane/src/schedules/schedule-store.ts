import { and, asc, desc, eq, isNotNull, lte, sql } from 'drizzle-orm';
import type { Database, Queryable } from '../db/index.ts';
import { dispatchNamespaces, scheduleRuns, scriptSchedules, scripts } from '../db/schema.ts';
import { errors } from '../http/api-error.ts';
import { CronSyntaxError, parseCron } from './cron.ts';

/** Cron triggers a script may have. */
export const maxSchedulesPerScript = 10;

export type ScheduleRow = typeof scriptSchedules.$inferSelect;
export type RunRow = typeof scheduleRuns.$inferSelect;

/** Checks a PUT body (`[{"cron": "..."}]`): each expression parses, none twice, not too many. */
export function assertSchedules(body: unknown): string[] {
  if (!Array.isArray(body)) throw errors.badRequest('The body must be a JSON array of {"cron": "<expression>"} objects.', 10001);
  if (body.length > maxSchedulesPerScript) throw errors.badRequest(`A script may have at most ${maxSchedulesPerScript} cron triggers; this body has ${body.length}.`, 10001);
  const crons = body.map((entry, index) => {
    const cron = (entry as { cron?: unknown } | null)?.cron;
    if (typeof cron !== 'string') throw errors.badRequest(`Entry ${index} needs "cron": a cron expression such as "*/5 * * * *".`, 10001);
    try {
      parseCron(cron);
    } catch (error) {
      if (error instanceof CronSyntaxError) throw errors.badRequest(`Invalid cron expression at entry ${index}: ${error.message}`, 10001);
      throw error;
    }
    return cron.trim().split(/\s+/).join(' ');
  });
  const duplicate = crons.find((cron, index) => crons.indexOf(cron) !== index);
  if (duplicate) throw errors.badRequest(`The cron expression "${duplicate}" is listed twice.`, 10001);
  return crons;
}

/** Replaces a script's cron triggers, keeping the creation time of those it keeps; each gets its next firing after `now`. */
export async function replaceSchedules(db: Queryable, scriptId: string, crons: string[], now: number): Promise<void> {
  const existing = new Map((await listSchedules(db, scriptId)).map((row) => [row.cron, row]));
  await db.delete(scriptSchedules).where(eq(scriptSchedules.scriptId, scriptId));
  if (crons.length === 0) return;
  await db.insert(scriptSchedules).values(
    crons.map((cron) => ({
      scriptId,
      cron,
      createdAt: existing.get(cron)?.createdAt ?? now,
      modifiedAt: now,
      nextRunAt: parseCron(cron).next(new Date(now))?.getTime() ?? null,
    })),
  );
}

export function listSchedules(db: Queryable, scriptId: string): Promise<ScheduleRow[]> {
  return db.select().from(scriptSchedules).where(eq(scriptSchedules.scriptId, scriptId)).orderBy(asc(scriptSchedules.createdAt), asc(scriptSchedules.cron));
}

/** A due trigger with what it takes to invoke its script. */
export interface DueSchedule extends ScheduleRow {
  nextRunAt: number;
  script: string;
  namespace: string;
  accountId: string;
}

export async function dueSchedules(db: Queryable, now: number, limit: number): Promise<DueSchedule[]> {
  const rows = await db
    .select({ schedule: scriptSchedules, script: scripts.name, namespace: dispatchNamespaces.name, accountId: dispatchNamespaces.accountId })
    .from(scriptSchedules)
    .innerJoin(scripts, eq(scripts.id, scriptSchedules.scriptId))
    .innerJoin(dispatchNamespaces, eq(dispatchNamespaces.id, scripts.namespaceId))
    .where(and(isNotNull(scriptSchedules.nextRunAt), lte(scriptSchedules.nextRunAt, now)))
    .orderBy(asc(scriptSchedules.nextRunAt))
    .limit(limit);
  return rows.map(({ schedule, script, namespace, accountId }) => ({ ...schedule, nextRunAt: schedule.nextRunAt!, script, namespace, accountId }));
}

/**
 * Moves a trigger on from the firing it was due for to `next`, if no one did already (a
 * compare-and-set on the due time): true when this caller owns the firing.
 */
export async function claimFiring(db: Database, schedule: DueSchedule, next: number | null): Promise<boolean> {
  const result = await db
    .update(scriptSchedules)
    .set({ nextRunAt: next })
    .where(and(eq(scriptSchedules.scriptId, schedule.scriptId), eq(scriptSchedules.cron, schedule.cron), eq(scriptSchedules.nextRunAt, schedule.nextRunAt)));
  return result.rowsAffected === 1;
}

export async function recordRun(db: Queryable, run: Omit<typeof scheduleRuns.$inferInsert, 'id'>): Promise<void> {
  await db.insert(scheduleRuns).values(run);
  // Each script keeps its newest runs only.
  await db.run(sql`DELETE FROM schedule_runs WHERE script_id = ${run.scriptId} AND id NOT IN (SELECT id FROM schedule_runs WHERE script_id = ${run.scriptId} ORDER BY id DESC LIMIT ${keptRunsPerScript})`);
}

/** Runs kept per script (the oldest are dropped). */
export const keptRunsPerScript = 1000;

export function listRuns(db: Queryable, scriptId: string, page: { offset: number; limit: number }): Promise<RunRow[]> {
  return db.select().from(scheduleRuns).where(eq(scheduleRuns.scriptId, scriptId)).orderBy(desc(scheduleRuns.id)).limit(page.limit).offset(page.offset);
}

export async function countRuns(db: Queryable, scriptId: string): Promise<number> {
  const [row] = await db.select({ count: sql<number>`count(*)` }).from(scheduleRuns).where(eq(scheduleRuns.scriptId, scriptId));
  return row?.count ?? 0;
}
