import { type AnySQLiteColumn, blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const accounts = sqliteTable('accounts', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: integer('created_at').notNull(),
});

export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull().references(() => accounts.id),
    tokenHash: text('token_hash').notNull().unique(),
    name: text('name').notNull(),
    /** A platform administrator's token: may create accounts and act in any of them. */
    isAdmin: integer('is_admin', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
    /** The token that created this one; revoking it revokes this one. Null for tokens the platform registered itself. */
    parentId: text('parent_id').references((): AnySQLiteColumn => apiTokens.id),
    canCreateTokens: integer('can_create_tokens', { mode: 'boolean' }).notNull().default(false),
    expiresAt: integer('expires_at'),
    revokedAt: integer('revoked_at'),
    lastUsedAt: integer('last_used_at'),
  },
  (table) => [index('api_tokens_parent_id').on(table.parentId), index('api_tokens_account_id').on(table.accountId, table.createdAt)],
);

export const dispatchNamespaces = sqliteTable(
  'dispatch_namespaces',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull().references(() => accounts.id),
    name: text('name').notNull(),
    trustedWorkers: integer('trusted_workers', { mode: 'boolean' }).notNull().default(false),
    /** JSON `{ allow: string[], deny: string[] }` of host patterns for the namespace's scripts' subrequests. */
    egress: text('egress').notNull().default('{"allow":[],"deny":[]}'),
    createdBy: text('created_by').notNull(),
    modifiedBy: text('modified_by').notNull(),
    createdAt: integer('created_at').notNull(),
    modifiedAt: integer('modified_at').notNull(),
  },
  (table) => [uniqueIndex('dispatch_namespaces_account_name').on(table.accountId, table.name)],
);

export const scripts = sqliteTable(
  'scripts',
  {
    id: text('id').primaryKey(),
    namespaceId: text('namespace_id').notNull().references(() => dispatchNamespaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    currentVersionId: text('current_version_id').notNull(),
    createdAt: integer('created_at').notNull(),
    modifiedAt: integer('modified_at').notNull(),
    /** Epoch ms until which the data plane refuses to run the script after repeated strikes. */
    heldUntil: integer('held_until'),
  },
  (table) => [uniqueIndex('scripts_namespace_name').on(table.namespaceId, table.name)],
);

/** Each time the watchdog stopped a script for exceeding its CPU or memory limit. */
export const scriptStrikes = sqliteTable(
  'script_strikes',
  {
    id: text('id').primaryKey(),
    scriptId: text('script_id').notNull().references(() => scripts.id, { onDelete: 'cascade' }),
    reason: text('reason', { enum: ['cpu', 'memory'] }).notNull(),
    at: integer('at').notNull(),
  },
  (table) => [index('script_strikes_script_at').on(table.scriptId, table.at)],
);

/** One row per upload: immutable once written. `scripts.currentVersionId` points at the live one. */
export const scriptVersions = sqliteTable(
  'script_versions',
  {
    id: text('id').primaryKey(),
    scriptId: text('script_id').notNull().references(() => scripts.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    createdAt: integer('created_at').notNull(),
    /** JSON of `VersionContent`: modules (by blob key), bindings (secrets encrypted), settings. */
    content: text('content').notNull(),
    etag: text('etag').notNull(),
  },
  (table) => [uniqueIndex('script_versions_script_number').on(table.scriptId, table.number)],
);

/**
 * The blobs each version names, written in the same transaction as the version and deleted with
 * it: what blob collection asks ("does anything still name this blob?") and what an account's
 * stored bytes are summed from. `key` is the blob store key (asset keys carry the account id).
 */
export const versionBlobs = sqliteTable(
  'version_blobs',
  {
    versionId: text('version_id').notNull(),
    accountId: text('account_id').notNull(),
    kind: text('kind', { enum: ['modules', 'assets'] }).notNull(),
    key: text('key').notNull(),
    size: integer('size').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.versionId, table.kind, table.key] }),
    index('version_blobs_kind_key').on(table.kind, table.key),
    index('version_blobs_account').on(table.accountId),
  ],
);

export const scriptTags = sqliteTable(
  'script_tags',
  {
    scriptId: text('script_id').notNull().references(() => scripts.id, { onDelete: 'cascade' }),
    tag: text('tag').notNull(),
  },
  (table) => [primaryKey({ columns: [table.scriptId, table.tag] }), index('script_tags_tag').on(table.tag)],
);

export const assetUploadSessions = sqliteTable('asset_upload_sessions', {
  id: text('id').primaryKey(),
  accountId: text('account_id').notNull().references(() => accounts.id),
  namespaceId: text('namespace_id').notNull(),
  scriptName: text('script_name').notNull(),
  /** JSON object: path -> { hash, size } */
  manifest: text('manifest').notNull(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
});

export const kvNamespaces = sqliteTable(
  'kv_namespaces',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull().references(() => accounts.id),
    title: text('title').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [uniqueIndex('kv_namespaces_account_title').on(table.accountId, table.title)],
);

export const kvEntries = sqliteTable(
  'kv_entries',
  {
    namespaceId: text('namespace_id').notNull().references(() => kvNamespaces.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: blob('value', { mode: 'buffer' }).notNull(),
    metadata: text('metadata'),
    /** Seconds since the epoch, as Cloudflare reports it; null means never. */
    expiration: integer('expiration'),
  },
  (table) => [primaryKey({ columns: [table.namespaceId, table.key] })],
);

/** What user workers printed and threw, from their tail events; the newest entries per script are kept. */
export const scriptLogs = sqliteTable(
  'script_logs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    scriptId: text('script_id').notNull().references(() => scripts.id, { onDelete: 'cascade' }),
    versionId: text('version_id').notNull(),
    at: integer('at').notNull(),
    level: text('level').notNull(),
    message: text('message').notNull(),
    outcome: text('outcome'),
    url: text('url'),
  },
  (table) => [index('script_logs_script_id').on(table.scriptId, table.id)],
);

/**
 * The durable change feed nodes follow: a row per change to a script or a namespace, written by
 * triggers (drizzle/0004) in the same transaction as the change, so no acknowledged change is
 * ever missing from it. `script` is null for a change to the whole namespace.
 */
export const changeEvents = sqliteTable('change_events', {
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  accountId: text('account_id').notNull(),
  namespace: text('namespace').notNull(),
  script: text('script'),
  at: integer('at').notNull(),
});

/** A script's cron triggers, and when each fires next (epoch ms). */
export const scriptSchedules = sqliteTable(
  'script_schedules',
  {
    scriptId: text('script_id').notNull(),
    cron: text('cron').notNull(),
    createdAt: integer('created_at').notNull(),
    modifiedAt: integer('modified_at').notNull(),
    nextRunAt: integer('next_run_at'),
  },
  (table) => [primaryKey({ columns: [table.scriptId, table.cron] }), index('script_schedules_next_run').on(table.nextRunAt)],
);

/** What happened at each firing of a script's cron triggers. */
export const scheduleRuns = sqliteTable(
  'schedule_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    scriptId: text('script_id').notNull(),
    cron: text('cron').notNull(),
    /** When the trigger was due (the `scheduledTime` the handler got), epoch ms. */
    scheduledAt: integer('scheduled_at').notNull(),
    startedAt: integer('started_at'),
    durationMs: integer('duration_ms'),
    /** `ok`, `exception`, `exceededResources`, `missed` (the platform was down), `failed` (no node ran it). */
    outcome: text('outcome').notNull(),
    error: text('error'),
    versionId: text('version_id'),
    /** JSON list of what the run printed and threw (at most 100 lines of 1,000 characters). */
    output: text('output').notNull().default('[]'),
  },
  (table) => [index('schedule_runs_script').on(table.scriptId, table.scheduledAt)],
);
