import * as z from 'zod';
import { parseMessage } from './refusal.ts';

/** A dispatch namespace as the owner's dispatch worker binds it: the account is part of its name. */
export const namespaceRefSchema = z.object({ accountId: z.string().min(1), namespace: z.string().min(1) });
export type NamespaceRef = z.infer<typeof namespaceRefSchema>;

/** What the node tells its workerd processes, as the `SWITCHYARD` JSON binding. */
export const dispatcherConfigSchema = z.object({
  /** Secret for the node's read API and the admin sockets (per node, loopback only). */
  internalSecret: z.string().min(16),
  /** Owner env binding name -> dispatch namespace (from the dispatch worker's `dispatch_namespaces`). */
  dispatchNamespaces: z.record(z.string(), namespaceRefSchema),
  /** Owner env binding name -> KV namespace id (from `kv_namespaces`). */
  kvNamespaces: z.record(z.string(), z.string()),
  /** Plain vars of the owner's dispatch worker, and of the owner's outbound worker. */
  vars: z.record(z.string(), z.unknown()),
  outboundVars: z.record(z.string(), z.unknown()),
  /** The outbound parameters the dispatch namespace binding declares, or null to pass all. */
  outboundParameters: z.array(z.string()).nullable(),
  /** IPv4 CIDRs the operator lets every tenant reach although they are private. */
  egressAllowCidrs: z.array(z.string()),
  /** CPU limit of an invocation whose dispatch call and script settings set none. */
  defaultCpuMs: z.number().int().positive(),
  /** Largest request body a script is sent, and largest response body it may answer with (bytes). */
  maxRequestBytes: z.number().int().positive(),
  maxResponseBytes: z.number().int().positive(),
  /** Loopback ports of the runner processes, in slot order (the ingress's first view; updated through its admin socket). */
  runnerPorts: z.array(z.number().int()),
});
export type DispatcherConfig = z.infer<typeof dispatcherConfigSchema>;

let parsed: DispatcherConfig | null = null;

/**
 * The `SWITCHYARD` binding, parsed with its schema on first use: a bad config fails loudly, at
 * once. A process's config never changes, so later calls cost nothing.
 */
export function dispatcherConfig(raw: unknown): DispatcherConfig {
  parsed ??= parseMessage(dispatcherConfigSchema, raw, 'SWITCHYARD config');
  return parsed;
}
