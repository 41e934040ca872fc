import * as z from 'zod';

export const moduleTypes = ['esModule', 'commonJsModule', 'text', 'data', 'json', 'wasm'] as const;

/** A module as the data plane loads it: text for source, base64 for binary. */
export const workerModuleSchema = z.object({
  name: z.string().min(1),
  type: z.enum(moduleTypes),
  text: z.string().optional(),
  base64: z.string().optional(),
});
export type WorkerModule = z.infer<typeof workerModuleSchema>;

export const htmlHandlings = ['auto-trailing-slash', 'force-trailing-slash', 'drop-trailing-slash', 'none'] as const;
export const notFoundHandlings = ['none', '404-page', 'single-page-application'] as const;

export const assetsConfigSchema = z.object({
  html_handling: z.enum(htmlHandlings).optional(),
  not_found_handling: z.enum(notFoundHandlings).optional(),
  run_worker_first: z.union([z.boolean(), z.array(z.string())]).optional(),
});
export type AssetsConfig = z.infer<typeof assetsConfigSchema>;

export const assetManifestSchema = z.record(z.string(), z.object({ hash: z.string(), size: z.number().int().nonnegative() }));
export type AssetManifest = z.infer<typeof assetManifestSchema>;

/** A binding as Cloudflare's metadata spells it, secrets opened: its type's own fields beside `type` and `name`. */
export const workerBindingSchema = z.looseObject({ type: z.string().min(1), name: z.string().min(1) });
export type WorkerBinding = z.infer<typeof workerBindingSchema>;

/** Everything a node needs to run one version, secrets opened. Never leaves the platform's machines. */
export const workerCodeSchema = z.object({
  versionId: z.string().min(1),
  accountId: z.string().min(1),
  script: z.string().min(1),
  /** When the version was uploaded (ISO 8601), and its tag (`annotations["workers/tag"]`), as version metadata shows them. */
  createdAt: z.string(),
  tag: z.string().nullable(),
  format: z.enum(['modules', 'service-worker']),
  mainModule: z.string().min(1),
  compatibilityDate: z.string().nullable(),
  compatibilityFlags: z.array(z.string()),
  modules: z.array(workerModuleSchema),
  bindings: z.array(workerBindingSchema),
  assets: z.object({ manifest: assetManifestSchema, config: assetsConfigSchema }).nullable(),
  limits: z.object({ cpu_ms: z.number().int().positive().optional() }),
  /** Whether the script's invocations are logged (settings `observability.enabled`). */
  logs: z.boolean(),
});
export type WorkerCode = z.infer<typeof workerCodeSchema>;
