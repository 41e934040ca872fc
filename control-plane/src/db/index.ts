import { createClient, type Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { fileURLToPath } from 'node:url';
import * as schema from './schema.ts';

export type Database = LibSQLDatabase<typeof schema>;
/** A database or an open transaction on it: what store functions accept. */
export type Queryable = Pick<Database, 'select' | 'selectDistinct' | 'insert' | 'update' | 'delete' | 'run' | 'all' | 'get'>;

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** Opens (creating if needed) the libSQL database at `url` and brings its schema up to date. */
export async function openDatabase(url: string): Promise<{ db: Database; client: Client }> {
  const client = createClient({ url });
  if (url.startsWith('file:')) {
    await client.execute('PRAGMA journal_mode = WAL');
    await client.execute('PRAGMA busy_timeout = 5000');
  }
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder });
  return { db, client };
}

export { schema };
