import { randomBytes } from 'node:crypto';
import { access, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isBlobKey, type BlobKind, type BlobStore } from './blob-store.ts';

/** Blobs as files under `<root>/<kind>/<first two hex>/<key>`, written atomically and durably. */
export class LocalBlobStore implements BlobStore {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  async put(kind: BlobKind, key: string, bytes: Uint8Array): Promise<void> {
    const path = this.#path(kind, key);
    if (await this.has(kind, key)) return;
    const dir = join(this.#root, kind, key.slice(0, 2));
    await mkdir(dir, { recursive: true });
    const temporary = join(dir, `.${key}.${randomBytes(6).toString('hex')}.tmp`);
    const file = await open(temporary, 'wx', 0o600);
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
    const dirHandle = await open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }

  async get(kind: BlobKind, key: string): Promise<Uint8Array | null> {
    try {
      return await readFile(this.#path(kind, key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async has(kind: BlobKind, key: string): Promise<boolean> {
    try {
      await access(this.#path(kind, key));
      return true;
    } catch {
      return false;
    }
  }

  async delete(kind: BlobKind, key: string): Promise<void> {
    try {
      await unlink(this.#path(kind, key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  /** Keys of the files under `<root>/<kind>/`; files being written (dot-named temporaries) are not blobs yet. */
  async *list(kind: BlobKind): AsyncIterable<string> {
    for (const prefix of await entriesOf(join(this.#root, kind))) {
      for (const name of await entriesOf(join(this.#root, kind, prefix))) {
        if (isBlobKey(name) && name.startsWith(prefix)) yield name;
      }
    }
  }

  #path(kind: BlobKind, key: string): string {
    if (!isBlobKey(key)) throw new Error(`invalid blob key ${JSON.stringify(key)}`);
    return join(this.#root, kind, key.slice(0, 2), key);
  }
}

async function entriesOf(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
