import type { Hold } from '@switchyard/protocol';
import { and, count, desc, eq, gt, gte, inArray } from 'drizzle-orm';
import { uuid } from '../crypto/hash.ts';
import type { Database, Queryable } from '../db/index.ts';
import { dispatchNamespaces, scriptStrikes, scriptTags, scriptVersions, scripts } from '../db/schema.ts';
import { findNamespace } from '../namespaces/namespace-store.ts';
import { findScript } from './script-store.ts';
import type { VersionContent } from './version-content.ts';

/**
 * Strikes within this window that hold a script back, and for how long; and the strikes of one
 * tenant (the scripts sharing its tenant tag) that hold every script of that tenant back.
 */
export const strikePolicy = { window: 10 * 60_000, strikesToHold: 3, tenantStrikesToHold: 6, holdFor: 60_000 };

export type StrikeReason = 'cpu' | 'memory';

/**
 * Records that the watchdog stopped a script. Returns until when the script is held back when
 * this strike makes `strikesToHold` within the window, else null. With a tenant tag prefix (the
 * tags a platform gives each customer's scripts, `SWITCHYARD_TENANT_TAG_PREFIX`), strikes also
 * count per tenant: a tenant who spreads an attack over many scripts is held back as a whole once
 * its scripts together reach `tenantStrikesToHold`.
 */
export async function recordStrike(
  db: Database,
  accountId: string,
  namespaceName: string,
  scriptName: string,
  reason: StrikeReason,
  tenantTagPrefix: string | null = null,
): Promise<number | null> {
  return db.transaction(
    async (tx) => {
      const namespace = await findNamespace(tx, accountId, namespaceName);
      const script = namespace ? await findScript(tx, namespace.id, scriptName) : null;
      if (!script) return null;
      const now = Date.now();
      await tx.insert(scriptStrikes).values({ id: uuid(), scriptId: script.id, reason, at: now });
      const until = now + strikePolicy.holdFor;
      const tenantHeld = tenantTagPrefix ? await holdTenants(tx, namespace!.id, script.id, tenantTagPrefix, now, until) : false;
      const [{ recent }] = await tx
        .select({ recent: count() })
        .from(scriptStrikes)
        .where(and(eq(scriptStrikes.scriptId, script.id), gte(scriptStrikes.at, now - strikePolicy.window)));
      if (recent < strikePolicy.strikesToHold && !tenantHeld) return null;
      await tx.update(scripts).set({ heldUntil: until }).where(eq(scripts.id, script.id));
      return until;
    },
    { behavior: 'immediate' },
  );
}

/**
 * Holds back every script of each tenant of `scriptId` (its tags with the prefix) whose scripts in
 * the namespace collected `tenantStrikesToHold` strikes within the window; true if one was.
 */
async function holdTenants(tx: Queryable, namespaceId: string, scriptId: string, prefix: string, now: number, until: number): Promise<boolean> {
  const tenants = (await tx.select({ tag: scriptTags.tag }).from(scriptTags).where(eq(scriptTags.scriptId, scriptId))).map((row) => row.tag).filter((tag) => tag.startsWith(prefix));
  let held = false;
  for (const tag of tenants) {
    const members = tx
      .select({ id: scripts.id })
      .from(scripts)
      .innerJoin(scriptTags, eq(scriptTags.scriptId, scripts.id))
      .where(and(eq(scripts.namespaceId, namespaceId), eq(scriptTags.tag, tag)));
    const [{ recent }] = await tx
      .select({ recent: count() })
      .from(scriptStrikes)
      .where(and(inArray(scriptStrikes.scriptId, members), gte(scriptStrikes.at, now - strikePolicy.window)));
    if (recent < strikePolicy.tenantStrikesToHold) continue;
    await tx.update(scripts).set({ heldUntil: until }).where(inArray(scripts.id, members));
    held = true;
  }
  return held;
}

export async function listStrikes(db: Queryable, scriptId: string, limit = 100) {
  return db.select().from(scriptStrikes).where(eq(scriptStrikes.scriptId, scriptId)).orderBy(desc(scriptStrikes.at)).limit(limit);
}

/** Scripts held back right now, in every account, so a restarted node keeps holding them. */
export async function activeHolds(db: Queryable): Promise<Hold[]> {
  const rows = await db
    .select({ accountId: dispatchNamespaces.accountId, namespace: dispatchNamespaces.name, script: scripts.name, until: scripts.heldUntil })
    .from(scripts)
    .innerJoin(dispatchNamespaces, eq(dispatchNamespaces.id, scripts.namespaceId))
    .where(gt(scripts.heldUntil, Date.now()));
  return rows.map((row) => ({ accountId: row.accountId, namespace: row.namespace, script: row.script, until: row.until! }));
}
