import { pruneClosedSessions } from '../assets/session-assets.ts';
import type { Platform } from '../platform.ts';

/**
 * Hourly (and at start-up): forgets asset upload sessions that can no longer be deployed, then
 * removes every blob nothing names: assets uploaded but never deployed, and whatever a crash
 * between writing blobs and committing their version left behind.
 */
export async function sweepBlobs(platform: Pick<Platform, 'db' | 'blobCollector'>): Promise<void> {
  await pruneClosedSessions(platform.db);
  const removed = await platform.blobCollector.sweep();
  if (removed > 0) console.log(`[blobs] removed ${removed} blobs nothing names`);
}
