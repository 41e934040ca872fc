import { Hono } from 'hono';
import { success } from '../http/envelope.ts';
import { pageInfo, readPage } from '../http/pagination.ts';
import { readJson } from '../http/validation.ts';
import { assertSchedules, countRuns, listRuns, listSchedules, replaceSchedules, type RunRow, type ScheduleRow } from '../schedules/schedule-store.ts';
import type { AppEnv } from '../platform.ts';
import { scriptInPath } from './script-in-path.ts';

/**
 * A namespace script's cron triggers, in the shape Cloudflare gives `/workers/scripts/:name/schedules`
 * (`PUT` a list of `{"cron"}`, answered with `{"schedules": [...]}`), and the history of their runs.
 */
export const scheduleRoutes = new Hono<AppEnv>();


const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const scheduleJson = (row: ScheduleRow) => ({ cron: row.cron, created_on: iso(row.createdAt), modified_on: iso(row.modifiedAt), next_run_on: iso(row.nextRunAt) });

const runJson = (row: RunRow) => ({
  cron: row.cron,
  scheduled_time: iso(row.scheduledAt),
  started_on: iso(row.startedAt),
  duration_ms: row.durationMs,
  outcome: row.outcome,
  error: row.error,
  version_id: row.versionId,
  output: JSON.parse(row.output) as string[],
});

scheduleRoutes.get('/:script/schedules', async (c) => {
  const row = await scriptInPath(c);
  return success(c, { schedules: (await listSchedules(c.var.platform.db, row.id)).map(scheduleJson) });
});

scheduleRoutes.put('/:script/schedules', async (c) => {
  const row = await scriptInPath(c);
  const crons = assertSchedules(await readJson(c));
  const { db } = c.var.platform;
  await db.transaction((tx) => replaceSchedules(tx, row.id, crons, Date.now()), { behavior: 'immediate' });
  return success(c, { schedules: (await listSchedules(db, row.id)).map(scheduleJson) });
});

/** Switchyard's own: the script's cron runs, newest first. */
scheduleRoutes.get('/:script/schedules/runs', async (c) => {
  const row = await scriptInPath(c);
  const page = readPage(c, { perPage: 20, maxPerPage: 100 });
  const { db } = c.var.platform;
  const [runs, total] = await Promise.all([listRuns(db, row.id, { offset: page.offset, limit: page.perPage }), countRuns(db, row.id)]);
  return success(c, runs.map(runJson), pageInfo(page, runs.length, total));
});
