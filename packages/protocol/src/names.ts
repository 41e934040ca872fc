/** Header names that cross a process boundary. Tenants never see them: the ingress strips them. */
export const headers = {
  /** The secret one platform process proves itself to another with (loopback only). */
  internal: 'x-switchyard-internal',
  /** The invocation a runner is asked to run (JSON of `Invocation`), on every call of its invoke door. */
  invocation: 'x-switchyard-invocation',
  /** The event type of a non-fetch invocation (`scheduled`, `queue`, `warm-up`); absent for `fetch`. */
  event: 'x-switchyard-event',
  /** The URL the client asked for; the runner is reached at a loopback address instead. */
  url: 'x-switchyard-url',
  /** Set by a user worker's isolate on every subrequest: the invocation it belongs to. */
  subrequestOf: 'x-switchyard-request',
  /** A runner's answer that no such script exists: `<internal secret>:not-found`. */
  outcome: 'x-switchyard-outcome',
  /** KV metadata and expiration on the read API. */
  kvMetadata: 'x-kv-metadata',
  kvExpiration: 'x-kv-expiration',
} as const;

/** Every platform-internal header starts so; the ingress removes them from what clients send. */
export const internalHeaderPrefix = 'x-switchyard-';

/** Service and entrypoint names in the workerd configs the node writes. */
export const services = {
  ingress: 'ingress',
  runner: 'runner',
  /** The node's read API (its supervisor), as the workerd processes reach it. */
  control: 'control',
  /** The network every subrequest of a tenant leaves through. */
  internet: 'internet',
  /** Ingress only: the runners' sockets. */
  runners: 'runners',
} as const;

export const entrypoints = {
  ingressAdmin: 'IngressAdmin',
  runnerAdmin: 'Admin',
} as const;

/** Names of the bindings the runtime gives the platform's own workers. */
export const hostBindings = {
  config: 'SWITCHYARD',
  loader: 'LOADER',
  control: 'CONTROL',
  runners: 'RUNNERS',
} as const;
