/** Thrown by `DISPATCHER.get(name).fetch()` for a script the namespace does not have, as Cloudflare words it. */
export class WorkerNotFoundError extends Error {
  constructor(namespace: string, script: string) {
    super(`Worker not found: there is no script named "${script}" in dispatch namespace "${namespace}".`);
    this.name = 'Error';
  }
}
