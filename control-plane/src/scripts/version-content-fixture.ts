import type { VersionContent } from './version-content.ts';

/** A minimal module-format version for unit tests, with `overrides` applied. */
export function versionContent(overrides: Partial<VersionContent> = {}): VersionContent {
  return {
    format: 'modules',
    mainModule: 'a.mjs',
    modules: [],
    bindings: [],
    compatibilityDate: null,
    compatibilityFlags: [],
    usageModel: 'standard',
    limits: {},
    placement: {},
    logpush: false,
    observability: null,
    tailConsumers: [],
    assets: null,
    annotations: {},
    ...overrides,
  };
}
