import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { Api } from './api.ts';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface RunningPlatform {
  /** e.g. http://127.0.0.1:40123 */
  origin: string;
  /** `${origin}/client/v4`, what clients take as their base URL. */
  apiBase: string;
  /** The traffic ingress, e.g. http://127.0.0.1:40124 */
  ingress: string;
  accountId: string;
  /** The platform administrator token of the default account. */
  token: string;
  dataDir: string;
  process: ChildProcess;
  output: () => string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit: a crash. */
  kill(): Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  accountId?: string;
  token?: string;
  env?: Record<string, string>;
}

/** Starts the whole platform as `npm start` does (same entry point, real process, ephemeral ports). */
export async function startPlatform(options: StartOptions = {}): Promise<RunningPlatform> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'switchyard-test-')));
  const accountId = options.accountId ?? randomBytes(16).toString('hex');
  const token = options.token ?? randomBytes(24).toString('base64url');
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'packages/cli/src/main.ts', 'start'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      SWITCHYARD_DATA_DIR: dataDir,
      SWITCHYARD_API_PORT: '0',
      SWITCHYARD_HTTP_PORT: '0',
      SWITCHYARD_ACCOUNT_ID: accountId,
      SWITCHYARD_API_TOKEN: token,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`platform did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /API listening on (http:\/\/\S+)\/client\/v4/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`platform exited with ${code} before serving:\n${output}`));
    });
  });
  const ingress = /traffic ingress on (http:\/\/\S+)/.exec(output)?.[1] ?? '';
  const health = await fetch(`${origin}/healthz`);
  if (health.status !== 200) throw new Error(`healthz answered ${health.status}`);
  return {
    origin,
    apiBase: `${origin}/client/v4`,
    ingress,
    accountId,
    token,
    dataDir,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export async function removeDataDir(platform: RunningPlatform): Promise<void> {
  await rm(platform.dataDir, { recursive: true, force: true });
}

export interface SuitePlatform {
  platform: RunningPlatform;
  api: Api;
}

/**
 * Starts one platform for the enclosing describe() before its tests, and stops it (removing its
 * data directory) after them. `onStarted` keeps it in the suite's own variables and may prepare
 * fixtures; a suite that restarts its platform hands the new one to `follow` so it is stopped too.
 */
export function usePlatform(options: StartOptions, onStarted: (started: SuitePlatform) => unknown): { follow(platform: RunningPlatform): void } {
  let current: RunningPlatform | undefined;
  before(async () => {
    current = await startPlatform(options);
    await onStarted({ platform: current, api: new Api(current) });
  });
  after(async () => {
    if (!current) return;
    await current.stop();
    await removeDataDir(current);
  });
  return {
    follow(platform) {
      current = platform;
    },
  };
}
