import type { NamespaceRow } from '../namespaces/namespace-store.ts';
import { publicBinding } from './bindings.ts';
import type { ScriptRow } from './script-store.ts';
import type { VersionContent } from './version-content.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** A script as Cloudflare's Script object describes it. */
export function scriptObject(script: ScriptRow, content: VersionContent, etag: string, tags: string[]) {
  return {
    id: script.name,
    tag: script.id.replaceAll('-', ''),
    etag,
    created_on: iso(script.createdAt),
    modified_on: iso(script.modifiedAt),
    usage_model: content.usageModel,
    compatibility_date: content.compatibilityDate ?? undefined,
    compatibility_flags: content.compatibilityFlags,
    has_assets: content.assets !== null,
    has_modules: content.format === 'modules',
    logpush: content.logpush,
    placement: content.placement,
    tail_consumers: content.tailConsumers,
    tags,
    version_id: script.currentVersionId,
  };
}

/** An entry of the namespace's script list and the body of "worker details". */
export function namespacedScript(namespace: NamespaceRow, script: ScriptRow, content: VersionContent, etag: string, tags: string[]) {
  return {
    created_on: iso(script.createdAt),
    modified_on: iso(script.modifiedAt),
    dispatch_namespace: namespace.name,
    script: scriptObject(script, content, etag, tags),
  };
}

/** The script settings object of the settings endpoints. */
export function settingsObject(content: VersionContent, tags: string[]) {
  return {
    bindings: content.bindings.map(publicBinding),
    compatibility_date: content.compatibilityDate,
    compatibility_flags: content.compatibilityFlags,
    limits: content.limits,
    logpush: content.logpush,
    migrations: null,
    observability: content.observability,
    placement: content.placement,
    tags,
    tail_consumers: content.tailConsumers,
    usage_model: content.usageModel,
  };
}
