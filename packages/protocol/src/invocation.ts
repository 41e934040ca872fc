import * as z from 'zod';
import { workerCodeSchema } from './worker-code.ts';

/** Limits the dispatch call (`DISPATCHER.get(name, args, { limits })`) sets for one invocation. */
export const dispatchLimitsSchema = z.object({
  cpuMs: z.number().int().positive().optional(),
  subRequests: z.number().int().nonnegative().optional(),
});
export type DispatchLimits = z.infer<typeof dispatchLimitsSchema>;

/** Which script an invocation runs, and under what: the same for every event type. */
export const invocationSchema = z.object({
  /** Unguessable: the isolate tags its subrequests with it, and the watchdog blames by it. */
  id: z.string().min(16),
  accountId: z.string().min(1),
  namespace: z.string().min(1),
  script: z.string().min(1),
  /** The version to run; when absent, the script's live version. */
  versionId: z.string().min(1).optional(),
  limits: dispatchLimitsSchema.default({}),
  /** The `outbound` parameters of the dispatch call, handed to the owner's outbound worker. */
  outbound: z.record(z.string(), z.unknown()).nullable().default(null),
});
export type Invocation = z.infer<typeof invocationSchema>;

/** A cron trigger firing: what `scheduled(controller)` sees. */
export const scheduledEventSchema = z.object({
  type: z.literal('scheduled'),
  cron: z.string(),
  /** Epoch milliseconds the trigger was due. */
  scheduledTime: z.number(),
});

export const queueMessageSchema = z.object({
  id: z.string().min(1),
  /** Epoch milliseconds the message was sent. */
  timestamp: z.number(),
  body: z.unknown(),
  attempts: z.number().int().positive(),
});
export type QueueMessage = z.infer<typeof queueMessageSchema>;

/** A batch of queue messages: what `queue(batch)` sees. */
export const queueEventSchema = z.object({
  type: z.literal('queue'),
  queue: z.string().min(1),
  messages: z.array(queueMessageSchema),
});

/**
 * Loads the exact version that will serve, so its first request is warm; with `code`, from that
 * code (an upload being checked, not stored yet), else from the node's read API.
 */
export const warmUpEventSchema = z.object({
  type: z.literal('warm-up'),
  code: workerCodeSchema.optional(),
});

/** Every event the invoke door takes besides `fetch` (which travels as the HTTP request itself). */
export const invokeEventSchema = z.discriminatedUnion('type', [scheduledEventSchema, queueEventSchema, warmUpEventSchema]);
export type InvokeEvent = z.infer<typeof invokeEventSchema>;

/** The body of a non-fetch invocation: `POST /invoke` on a runner. */
export const invokeRequestSchema = z.object({ invocation: invocationSchema, event: invokeEventSchema });
export type InvokeRequest = z.infer<typeof invokeRequestSchema>;

/** A queue invocation's verdict on each message: acknowledged, or to be retried. */
export const queueVerdictSchema = z.object({
  acked: z.array(z.string()),
  retried: z.array(z.object({ id: z.string(), delaySeconds: z.number().int().nonnegative().optional() })),
});
export type QueueVerdict = z.infer<typeof queueVerdictSchema>;

/** How a non-fetch invocation ended. */
export const invokeResultSchema = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('ok'),
    versionId: z.string(),
    /** Warm-up: how long loading the version took (ms); 0 when it was loaded already. */
    startupMs: z.number().optional(),
    queue: queueVerdictSchema.optional(),
    /** What an event invocation printed and threw (bounded). */
    output: z.array(z.string()).optional(),
  }),
  /** The script (or its start-up) threw: the message says what. */
  z.object({ outcome: z.literal('exception'), versionId: z.string().nullable(), message: z.string(), output: z.array(z.string()).optional() }),
  z.object({ outcome: z.literal('not-found'), message: z.string() }),
  /** The watchdog stopped the invocation's runner for it: past its CPU limit, or out of memory. */
  z.object({ outcome: z.literal('exceededResources'), reason: z.enum(['cpu', 'memory']), message: z.string() }),
]);
export type InvokeResult = z.infer<typeof invokeResultSchema>;

