import * as z from 'zod';
import { dispatchLimitsSchema } from './invocation.ts';

/** Why the watchdog stopped a runner. */
export const stopReasonSchema = z.enum(['cpu', 'memory']);
export type StopReason = z.infer<typeof stopReasonSchema>;

/** A runner's heartbeat: the invocations it is running now, and how many versions it holds isolates for. */
export const runnerHeartbeatSchema = z.object({
  running: z.array(z.string()),
  loaded: z.number().int().nonnegative(),
});
export type RunnerHeartbeat = z.infer<typeof runnerHeartbeatSchema>;

/** Scripts whose cached state a worker must drop: these scripts of the namespace, or all of them when null. */
export const invalidationSchema = z.object({
  accountId: z.string().min(1),
  namespace: z.string().min(1),
  scripts: z.array(z.string()).nullable(),
});
export type Invalidation = z.infer<typeof invalidationSchema>;

/** The supervisor to the ingress: where the runners listen now. */
export const runnerPortsMessageSchema = z.object({ ports: z.array(z.number().int().min(1).max(65535)).min(1) });

/** The supervisor to the ingress: the watchdog stopped this invocation's runner for it. */
export const stoppedMessageSchema = z.object({ invocationId: z.string().min(1), reason: stopReasonSchema });

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
});
export type InFlight = z.infer<typeof inFlightSchema>;
export const inFlightListSchema = z.array(inFlightSchema);
