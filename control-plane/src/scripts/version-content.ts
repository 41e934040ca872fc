import type { ScriptLimits } from './script-limits.ts';

/** The kinds of module a Worker upload may carry, named as workerd's config names them. */
export type ModuleType = 'esModule' | 'commonJsModule' | 'text' | 'data' | 'json' | 'wasm' | 'sourceMap';

export interface StoredModule {
  name: string;
  type: ModuleType;
  /** Content type as uploaded, returned by the content endpoint. */
  contentType: string;
  /** SHA-256 of the bytes: the key in the blob store's `modules` space. */
  blob: string;
  size: number;
}

/** A binding as Cloudflare's metadata spells it; secret values are kept only sealed. */
export type StoredBinding = { type: string; name: string; sealed?: string } & Record<string, unknown>;

export interface AssetsManifestEntry {
  hash: string;
  size: number;
}

export interface StoredAssets {
  manifest: Record<string, AssetsManifestEntry>;
  config: Record<string, unknown>;
}

/** Everything one version of a script is: immutable, stored as JSON in `script_versions.content`. */
export interface VersionContent {
  format: 'modules' | 'service-worker';
  /** The module that is the entry point (the `body_part` for service-worker scripts). */
  mainModule: string;
  modules: StoredModule[];
  bindings: StoredBinding[];
  compatibilityDate: string | null;
  compatibilityFlags: string[];
  usageModel: string;
  limits: ScriptLimits;
  placement: Record<string, unknown>;
  logpush: boolean;
  observability: Record<string, unknown> | null;
  tailConsumers: unknown[];
  assets: StoredAssets | null;
  annotations: Record<string, unknown>;
}
