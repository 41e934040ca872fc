/** A change that running workers must see before the API call that made it returns. */
export interface ScriptChange {
  accountId: string;
  namespace: string;
  /** Script names, or null for every script of the namespace. */
  scripts: string[] | null;
}

export type ChangeListener = (change: ScriptChange) => Promise<void>;

/**
 * Tells the data plane which scripts changed. A write is acknowledged only after every listener
 * has applied the change (or failed: a data plane that is down starts with empty caches anyway).
 */
export class ChangeFeed {
  readonly #listeners = new Set<ChangeListener>();

  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async publish(change: ScriptChange): Promise<void> {
    await Promise.all(
      [...this.#listeners].map((listener) =>
        listener(change).catch((error: unknown) => console.error('[change-feed] a data plane did not apply a change:', error)),
      ),
    );
  }
}
