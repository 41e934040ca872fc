import { blobKinds, type BlobKind, type BlobRef, type BlobStore } from './blob-store.ts';

export type BlobId = Pick<BlobRef, 'kind' | 'key'>;

/** What still names blobs: stored versions, and (for assets) upload sessions not yet deployed. */
export interface BlobReferences {
  isReferenced(blob: BlobId): Promise<boolean>;
  referencedKeys(kind: BlobKind): Promise<Set<string>>;
}

const idOf = (blob: BlobId) => `${blob.kind}/${blob.key}`;

/**
 * Removes blobs nothing names any more, never one that a stored version names or that an upload in
 * progress is about to name. An upload holds the blobs it writes or reuses until its version row is
 * committed (`holding`); a removal skips held blobs and asks the database last, and an upload that
 * arrives while one of its blobs is being removed waits for the removal and writes the blob anew.
 * Holds live in this process: the one API process is the only writer of blobs.
 */
export class BlobCollector {
  readonly #store: BlobStore;
  readonly #references: BlobReferences;
  readonly #holds = new Map<string, number>();
  readonly #removals = new Map<string, Promise<boolean>>();

  constructor(store: BlobStore, references: BlobReferences) {
    this.#store = store;
    this.#references = references;
  }

  /** Runs `work` holding `blobs` against removal; if `work` fails, those of them nothing names are removed. */
  async holding<T>(blobs: BlobId[], work: () => Promise<T>): Promise<T> {
    const ids = [...new Set(blobs.map(idOf))];
    for (const id of ids) this.#holds.set(id, (this.#holds.get(id) ?? 0) + 1);
    let failed = false;
    try {
      await Promise.allSettled(ids.map((id) => this.#removals.get(id)));
      return await work();
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      for (const id of ids) {
        const count = this.#holds.get(id)! - 1;
        if (count === 0) this.#holds.delete(id);
        else this.#holds.set(id, count);
      }
      if (failed) await this.collect(blobs).catch((error) => console.error('[blobs] removing the blobs of a refused upload:', error));
    }
  }

  /** Removes those of `blobs` that nothing holds or names; answers how many it removed. */
  async collect(blobs: BlobId[]): Promise<number> {
    let removed = 0;
    for (const [id, blob] of new Map(blobs.map((blob) => [idOf(blob), blob]))) {
      if (await this.#remove(id, blob)) removed++;
    }
    return removed;
  }

  /** Removes every stored blob that nothing holds or names: what crashes and expired sessions left. */
  async sweep(): Promise<number> {
    let removed = 0;
    for (const kind of blobKinds) {
      const named = await this.#references.referencedKeys(kind);
      const unnamed: BlobId[] = [];
      for await (const key of this.#store.list(kind)) if (!named.has(key)) unnamed.push({ kind, key });
      removed += await this.collect(unnamed);
    }
    return removed;
  }

  #remove(id: string, blob: BlobId): Promise<boolean> {
    if (this.#holds.has(id) || this.#removals.has(id)) return Promise.resolve(false);
    const removal = (async () => {
      if (await this.#references.isReferenced(blob)) return false;
      await this.#store.delete(blob.kind, blob.key);
      return true;
    })().finally(() => this.#removals.delete(id));
    this.#removals.set(id, removal);
    return removal;
  }
}
