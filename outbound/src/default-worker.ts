// Switchyard's default outbound worker: every subrequest of a user worker that the platform's
// egress checks (addresses, limits, namespace rules) let through is sent on as it is. A platform
// owner replaces it with their own (SWITCHYARD_OUTBOUND_WORKER), as Cloudflare allows, to block
// hosts, inject credentials or log; the outbound parameters of `DISPATCHER.get()` are its env.
export default {
  fetch(request: Request): Promise<Response> {
    return fetch(request);
  },
};
