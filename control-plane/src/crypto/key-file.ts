import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Reads a 32-byte key from `path`, creating it (mode 0600) on first use. Keys live in the data
 * directory's `keys/` folder, apart from the database, so a copy of the database alone reveals
 * no secret.
 */
export async function loadOrCreateKey(path: string): Promise<Buffer> {
  try {
    return decodeKey(await readFile(path, 'utf8'), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  try {
    const handle = await open(path, 'wx', 0o600);
    await handle.writeFile(key.toString('base64') + '\n');
    await handle.sync();
    await handle.close();
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return decodeKey(await readFile(path, 'utf8'), path);
    throw error;
  }
}

function decodeKey(text: string, path: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${path} does not hold a base64 32-byte key`);
  return key;
}
