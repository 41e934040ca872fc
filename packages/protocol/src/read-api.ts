import * as z from 'zod';
import { holdSchema, stopReasonSchema } from './node-messages.ts';
import { invocationSchema, invokeEventSchema, invokeResultSchema } from './invocation.ts';
import { workerCodeSchema } from './worker-code.ts';

/**
 * The read API: served by the control plane to nodes (`SWITCHYARD_NODE_TOKEN`), and by each
 * node's supervisor, from its cache, to its own workerd processes. Same paths and answers on both.
 */
const base = '/internal/v1';
const seg = encodeURIComponent;

export const readApiPaths = {
  base,
  platform: `${base}/platform`,
  script: (accountId: string, namespace: string, script: string) => `${base}/accounts/${seg(accountId)}/namespaces/${seg(namespace)}/scripts/${seg(script)}`,
  egress: (accountId: string, namespace: string) => `${base}/accounts/${seg(accountId)}/namespaces/${seg(namespace)}/egress`,
  version: (versionId: string) => `${base}/versions/${seg(versionId)}`,
  asset: (accountId: string, hash: string) => `${base}/accounts/${seg(accountId)}/assets/${seg(hash)}`,
  kvValue: (namespaceId: string, key: string) => `${base}/kv/${seg(namespaceId)}/values/${seg(key)}`,
  kvKeys: (namespaceId: string) => `${base}/kv/${seg(namespaceId)}/keys`,
  logs: `${base}/logs`,
  strikes: `${base}/strikes`,
  holds: `${base}/holds`,
  changes: `${base}/changes`,
  warmUps: `${base}/warm-ups`,
  warmUpResult: (id: string) => `${base}/warm-ups/${seg(id)}`,
  invocationJobs: `${base}/invocations`,
  invocationResult: (id: string) => `${base}/invocations/${seg(id)}`,
} as const;

/** Who the platform's default account is (the dispatch worker's, unless its config names one). */
export const platformInfoSchema = z.object({ defaultAccountId: z.string().min(1) });

/** What a node needs to route to a script: its live version, and the limits and hold that apply. */
export const scriptStateSchema = z.object({
  versionId: z.string().min(1),
  /** `limits.cpu_ms` of the live version's settings, if set. */
  cpuMs: z.number().int().positive().nullable(),
  /** `limits.subrequests` of the live version's settings, if set (absent from states cached before it existed). */
  subrequests: z.number().int().positive().nullable().default(null),
  /** Epoch ms until which the script is held back after repeated strikes, if it is. */
  heldUntil: z.number().nullable(),
});
export type ScriptState = z.infer<typeof scriptStateSchema>;

export const egressRulesSchema = z.object({ allow: z.array(z.string()), deny: z.array(z.string()) });
export type EgressRules = z.infer<typeof egressRulesSchema>;

export const versionAnswerSchema = workerCodeSchema;

export const kvKeyListSchema = z.object({
  keys: z.array(z.object({ name: z.string(), expiration: z.number().optional(), metadata: z.unknown().optional() })),
  cursor: z.string(),
});
export type KvKeyList = z.infer<typeof kvKeyListSchema>;

export const logEntrySchema = z.object({
  at: z.number(),
  level: z.string().max(16),
  message: z.string().max(4096),
  outcome: z.string().optional(),
  url: z.string().optional(),
});
export type LogEntry = z.infer<typeof logEntrySchema>;

/** What a user worker printed and threw in one invocation, from its tail events. */
export const logBatchSchema = z.object({
  versionId: z.string().min(1),
  entries: z.array(logEntrySchema).max(1000),
});
export type LogBatch = z.infer<typeof logBatchSchema>;

/** A node's watchdog stopped a script; the answer says until when it is held back, if at all. */
export const strikeReportSchema = z.object({
  accountId: z.string().min(1),
  namespace: z.string().min(1),
  script: z.string().min(1),
  reason: stopReasonSchema,
});
export type StrikeReport = z.infer<typeof strikeReportSchema>;
export const strikeAnswerSchema = z.object({ heldUntil: z.number().nullable() });

export const holdListSchema = z.array(holdSchema);

/**
 * One entry of the durable change feed: something about this script (or, when `script` is null,
 * about the whole namespace: egress rules, a rename, a delete) changed; re-read it.
 */
export const changeEventSchema = z.object({
  seq: z.number().int().positive(),
  accountId: z.string().min(1),
  namespace: z.string().min(1),
  script: z.string().nullable(),
});
export type ChangeEvent = z.infer<typeof changeEventSchema>;

/**
 * A page of the feed after the sequence number the node asked from; `last` is where to ask from
 * next. `reset`: the events after that number were pruned already, so the node must drop every
 * script state and egress rule it cached (versions are immutable and stay) and go on from `last`.
 */
export const changePageSchema = z.object({ events: z.array(changeEventSchema), last: z.number().int().nonnegative(), reset: z.boolean().default(false) });
export type ChangePage = z.infer<typeof changePageSchema>;

/** An upload being checked: each node warms it on the runner that will serve it, under its final version id. */
export const warmUpJobSchema = z.object({
  id: z.string().min(1),
  accountId: z.string().min(1),
  namespace: z.string().min(1),
  script: z.string().min(1),
  code: workerCodeSchema,
});
export type WarmUpJob = z.infer<typeof warmUpJobSchema>;
export const warmUpJobListSchema = z.object({ jobs: z.array(warmUpJobSchema) });

/** A node's verdict on a warm-up job: null error when the version started. */
export const warmUpVerdictSchema = z.object({
  node: z.string().min(1),
  error: z.string().nullable(),
  startupMs: z.number().nonnegative(),
});
export type WarmUpVerdict = z.infer<typeof warmUpVerdictSchema>;

/** An invocation the control plane asks one node to run (a cron trigger's firing, say), not a request through an ingress. */
export const invocationJobSchema = z.object({
  id: z.string().min(1),
  invocation: invocationSchema,
  event: invokeEventSchema,
});
export type InvocationJob = z.infer<typeof invocationJobSchema>;
export const invocationJobListSchema = z.object({ jobs: z.array(invocationJobSchema) });

/** How an invocation job ended on the node: the runner's result, or why the node could not run it. */
export const invocationReportSchema = z.object({
  node: z.string().min(1),
  result: invokeResultSchema.nullable(),
  error: z.string().nullable(),
  durationMs: z.number().nonnegative(),
});
export type InvocationReport = z.infer<typeof invocationReportSchema>;
