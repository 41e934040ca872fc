/** A setting that is missing or malformed: said in one line, without a stack. */
export class SettingError extends Error {}

/** Reads of the `SWITCHYARD_*` environment, each checked once, with an error that names the variable. */
export function readPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SettingError(`${name} must be a port number, got "${raw}"`);
  return port;
}

export function readPositive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new SettingError(`${name} must be a positive whole number, got "${raw}"`);
  return value;
}

export function readRequired(name: string, what: string): string {
  const raw = process.env[name];
  if (!raw) throw new SettingError(`${name} must be set: ${what}`);
  return raw;
}

/** A shared secret: at least 16 characters, so it cannot be guessed by trying. */
export function readToken(name: string, what: string): string {
  const token = readRequired(name, what);
  if (token.length < 16) throw new SettingError(`${name} must be at least 16 characters (${what}); generate one with: openssl rand -hex 24`);
  return token;
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
