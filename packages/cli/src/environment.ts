/** Reads of the `SWITCHYARD_*` environment, each checked once, with an error that names the variable. */
export function readPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return port;
}

export function readPositive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  return value;
}

export function readRequired(name: string, what: string): string {
  const raw = process.env[name];
  if (!raw) throw new Error(`${name} must be set: ${what}`);
  return raw;
}

export const readOptional = (name: string): string | undefined => process.env[name] || undefined;

/** Ends this process when the process that started it is gone (if the kernel's parent-death signal was not available). */
export function exitWithParent(): void {
  if (process.env.SWITCHYARD_PARENT_PID === undefined) return;
  const parent = Number(process.env.SWITCHYARD_PARENT_PID);
  setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
  }, 500).unref();
}

/** Runs `stop` once on SIGINT or SIGTERM, then exits; a second signal, or a stop past 4 s, exits at once. */
export function stopOnSignals(what: string, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`switchyard ${what}: ${signal} received, stopping`);
    setTimeout(() => process.exit(1), 4000).unref();
    stop().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}
