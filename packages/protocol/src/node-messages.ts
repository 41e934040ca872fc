import * as z from 'zod';
import { dispatchLimitsSchema } from './invocation.ts';

/** Why the watchdog stopped a runner. */
export const stopReasonSchema = z.enum(['cpu', 'memory']);
export type StopReason = z.infer<typeof stopReasonSchema>;


/** Scripts whose cached state a worker must drop: these scripts of the namespace, or all of them when null. */
export const invalidationSchema = z.object({
  accountId: z.string().min(1),
  namespace: z.string().min(1),
  scripts: z.array(z.string()).nullable(),
});
export type Invalidation = z.infer<typeof invalidationSchema>;

const portSchema = z.number().int().min(1).max(65535);

/**
 * A script that runs alone in a runner process of its own (a suspect after a runner got stuck with
 * several scripts in flight), and that runner's port; null while it starts.
 */
export const soloRunnerSchema = z.object({
  accountId: z.string().min(1),
  namespace: z.string().min(1),
  script: z.string().min(1),
  port: portSchema.nullable(),
});
export type SoloRunner = z.infer<typeof soloRunnerSchema>;

/**
 * The supervisor to the ingress: where the shared runners listen now (0 for one being replaced,
 * which the ingress skips), and which scripts run alone where.
 */
export const runnerPortsMessageSchema = z.object({ ports: z.array(z.union([z.literal(0), portSchema])).min(1), solo: z.array(soloRunnerSchema) });
export type RunnerPortsMessage = z.infer<typeof runnerPortsMessageSchema>;

/**
 * The supervisor to the ingress: the watchdog stopped this invocation's runner, for it (a reason:
 * answer 1102) or while it was merely in flight there (null: retry it, or answer that the runner restarted).
 */
export const stoppedMessageSchema = z.object({ invocationId: z.string().min(1), reason: stopReasonSchema.nullable() });

/** A script held back after repeated strikes, until `until` (epoch ms). */
export const holdSchema = z.object({
  accountId: z.string().min(1),
  namespace: z.string().min(1),
  script: z.string().min(1),
  until: z.number(),
});
export type Hold = z.infer<typeof holdSchema>;

/** An invocation the ingress sent to a runner and has no answer for yet. */
export const inFlightSchema = z.object({
  invocationId: z.string(),
  accountId: z.string(),
  namespace: z.string(),
  script: z.string(),
  limits: dispatchLimitsSchema,
  startedAt: z.number(),
  /** Set by the ingress on an invocation it already answered (its runner may still run its background work). */
  answered: z.boolean().optional(),
});
export type InFlight = z.infer<typeof inFlightSchema>;
export const inFlightListSchema = z.array(inFlightSchema);

/**
 * A runner's heartbeat: the invocations it is running now (from the handler's start until its
 * response body is sent and its `waitUntil` work has settled), those that ended since the last
 * heartbeat (so the CPU time spent in between is counted against every invocation that ran in it),
 * and how many versions it holds isolates for.
 */
export const runnerHeartbeatSchema = z.object({
  running: z.array(inFlightSchema),
  ended: z.array(inFlightSchema),
  loaded: z.number().int().nonnegative(),
});
export type RunnerHeartbeat = z.infer<typeof runnerHeartbeatSchema>;
