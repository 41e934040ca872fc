import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { repoRoot } from './platform.ts';

/** One `switchyard api` or `switchyard node` process, as an operator runs it (same entry point, real process). */
export interface SwitchyardProcess {
  process: ChildProcess;
  /** The first capture group of the ready line: the API's origin, or the node's ingress. */
  url: string;
  output: () => string;
  /** SIGTERM and wait for exit (SIGKILL if it has not exited after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

const readyLines = {
  api: /switchyard api: listening on (http:\/\/\S+)\/client\/v4/,
  node: /switchyard node: \S+ ready; traffic ingress on (http:\/\/\S+)/,
} as const;

/** Starts `main.ts api|node` with `env` on top of this process's environment; resolves at its ready line. */
export async function startSwitchyard(mode: 'api' | 'node', env: Record<string, string>, timeoutMs = 60_000): Promise<SwitchyardProcess> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'packages/cli/src/main.ts', mode], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const stop = async (graceMs = 10_000) => {
    if (alive()) child.kill('SIGTERM');
    const timer = setTimeout(() => alive() && child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  const kill = async () => {
    if (alive()) child.kill('SIGKILL');
    await exited;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`switchyard ${mode} printed no ready line within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = readyLines[mode].exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`switchyard ${mode} exited (${signal ?? code}) before it was ready:\n${output}`));
      });
    });
    return { process: child, url, output: () => output, stop, kill };
  } catch (error) {
    await kill();
    throw error;
  }
}

/** A TCP port the OS says is free now on 127.0.0.1, for a process that must keep its port across restarts. */
export async function freePort(): Promise<number> {
  // Below the kernel's ephemeral range (32768 and up), so no port the OS hands out meanwhile (to
  // runners and connections of this or another suite) can take it before the process binds it.
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}
