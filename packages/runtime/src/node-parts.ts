import type { ReadApiClient } from '@switchyard/protocol';
import type { DataPlane } from './data-plane.ts';
import type { NodeCache } from './node-cache.ts';

/** What the node's background workers (feed follower, warm-up worker) work with. */
export interface NodeParts {
  /** The control plane's read API, with the node token. */
  api: ReadApiClient;
  cache: NodeCache;
  dataPlane: DataPlane;
  /** This node's id, as the API knows it. */
  node: string;
}
