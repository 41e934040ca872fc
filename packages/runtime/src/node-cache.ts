import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  egressRulesSchema,
  holdSchema,
  parseJsonMessage,
  platformInfoSchema,
  scriptStateSchema,
  workerCodeSchema,
  type EgressRules,
  type Hold,
  type ScriptState,
  type WorkerCode,
} from '@switchyard/protocol';
import { z } from 'zod';

/** What a node last knew, kept on disk so it serves on while the API is down, across its own restarts. */
const stateSchema = z.object({
  /** The last change-feed sequence number applied; null before the first contact. */
  seq: z.number().int().nonnegative().nullable(),
  platform: platformInfoSchema.nullable(),
  /** Script state by account/namespace/script, for the scripts that exist. */
  scripts: z.record(z.string(), scriptStateSchema),
  egress: z.record(z.string(), egressRulesSchema),
  holds: z.array(holdSchema),
});
type NodeState = z.infer<typeof stateSchema>;

export const scriptKey = (accountId: string, namespace: string, script: string) => JSON.stringify([accountId, namespace, script]);
export const namespaceKey = (accountId: string, namespace: string) => JSON.stringify([accountId, namespace]);
const safeName = (text: string) => /^[A-Za-z0-9_-]{1,128}$/.test(text);

/**
 * The node's cache on disk (`<node dir>/cache`, readable by the node only): the scripts' live
 * states, egress rules and holds in one state file rewritten atomically, and versions and assets
 * in files of their own (immutable, so never rewritten).
 */
export class NodeCache {
  readonly #dir: string;
  #state: NodeState;
  #writing: Promise<void> = Promise.resolve();
  #soon: NodeJS.Timeout | null = null;

  private constructor(dir: string, state: NodeState) {
    this.#dir = dir;
    this.#state = state;
  }

  static async open(dir: string): Promise<NodeCache> {
    await mkdir(join(dir, 'versions'), { recursive: true, mode: 0o700 });
    await mkdir(join(dir, 'assets'), { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    let state: NodeState = { seq: null, platform: null, scripts: {}, egress: {}, holds: [] };
    try {
      state = parseJsonMessage(stateSchema, await readFile(join(dir, 'state.json'), 'utf8'), 'node cache state');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') console.error(`[node] cache state unreadable, starting empty: ${(error as Error).message}`);
    }
    return new NodeCache(dir, state);
  }

  get seq(): number | null {
    return this.#state.seq;
  }

  get platform() {
    return this.#state.platform;
  }

  script = (key: string): ScriptState | undefined => this.#state.scripts[key];
  egress = (key: string): EgressRules | undefined => this.#state.egress[key];
  hasEgress = (key: string) => key in this.#state.egress;
  get holds(): Hold[] {
    return this.#state.holds.filter((hold) => hold.until > Date.now());
  }

  /** Names of the cached scripts of one namespace. */
  scriptsOf(accountId: string, namespace: string): string[] {
    const prefix = namespaceKey(accountId, namespace).slice(0, -1) + ',';
    return Object.keys(this.#state.scripts)
      .filter((key) => key.startsWith(prefix))
      .map((key) => (JSON.parse(key) as string[])[2]);
  }

  setSeq(seq: number): void {
    this.#state.seq = seq;
  }
  setPlatform(platform: NodeState['platform']): void {
    this.#state.platform = platform;
  }
  setScript(key: string, state: ScriptState): void {
    this.#state.scripts[key] = state;
  }
  deleteScript(key: string): void {
    delete this.#state.scripts[key];
  }
  setEgress(key: string, rules: EgressRules): void {
    this.#state.egress[key] = rules;
  }
  setHolds(holds: Hold[]): void {
    this.#state.holds = holds;
  }
  /** Holds the script back until `until`, or lifts its hold when null. */
  setHold(target: { accountId: string; namespace: string; script: string }, until: number | null): void {
    const { accountId, namespace, script } = target;
    const others = this.holds.filter((hold) => hold.accountId !== accountId || hold.namespace !== namespace || hold.script !== script);
    this.#state.holds = until === null ? others : [...others, { accountId, namespace, script, until }];
  }

  /**
   * Forgets every script state, egress rule and hold (the feed was pruned past this node's place);
   * answers the namespaces it had cached, for the runners to forget too. Versions and assets stay.
   */
  resetStates(): { accountId: string; namespace: string }[] {
    const namespaces = new Map<string, { accountId: string; namespace: string }>();
    for (const key of [...Object.keys(this.#state.scripts), ...Object.keys(this.#state.egress)]) {
      const [accountId, namespace] = JSON.parse(key) as string[];
      namespaces.set(namespaceKey(accountId, namespace), { accountId, namespace });
    }
    this.#state = { ...this.#state, scripts: {}, egress: {}, holds: [] };
    return [...namespaces.values()];
  }

  /** Writes the state file within 100 ms (cache fills: many may come at once). */
  persistSoon(): void {
    this.#soon ??= setTimeout(() => {
      this.#soon = null;
      void this.persist().catch((error) => console.error('[node] writing the cache state:', error));
    }, 100);
  }

  /** Writes the state file (temp file, then rename: a crash leaves the old one or the new one). */
  persist(): Promise<void> {
    const text = JSON.stringify(this.#state);
    this.#writing = this.#writing.then(async () => {
      const path = join(this.#dir, 'state.json');
      await writeFile(`${path}.tmp`, text, { mode: 0o600 });
      await rename(`${path}.tmp`, path);
    });
    return this.#writing;
  }

  async version(versionId: string): Promise<WorkerCode | null> {
    if (!safeName(versionId)) return null;
    try {
      return parseJsonMessage(workerCodeSchema, await readFile(join(this.#dir, 'versions', `${versionId}.json`), 'utf8'), `cached version ${versionId}`);
    } catch {
      return null;
    }
  }

  async storeVersion(code: WorkerCode): Promise<void> {
    if (!safeName(code.versionId)) return;
    const path = join(this.#dir, 'versions', `${code.versionId}.json`);
    await writeFile(`${path}.tmp`, JSON.stringify(code), { mode: 0o600 });
    await rename(`${path}.tmp`, path);
  }

  async asset(accountId: string, hash: string): Promise<Buffer | null> {
    if (!safeName(accountId) || !safeName(hash)) return null;
    return readFile(join(this.#dir, 'assets', accountId, hash)).catch(() => null);
  }

  async storeAsset(accountId: string, hash: string, bytes: Uint8Array): Promise<void> {
    if (!safeName(accountId) || !safeName(hash)) return;
    const dir = join(this.#dir, 'assets', accountId);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(join(dir, `${hash}.tmp`), bytes, { mode: 0o600 });
    await rename(join(dir, `${hash}.tmp`), join(dir, hash));
  }
}
