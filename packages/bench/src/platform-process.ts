import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

export interface BenchPlatform {
  api: string;
  ingress: string;
  accountId: string;
  token: string;
  pid: number;
  child: ChildProcess;
  /** Everything the platform printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts the platform exactly as `npm start` does, on free ports and a fresh data directory. */
export async function startBenchPlatform(env: Record<string, string> = {}): Promise<BenchPlatform> {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchyard-bench-'));
  const accountId = randomBytes(16).toString('hex');
  const token = randomBytes(24).toString('base64url');
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'packages/cli/src/main.ts', 'start'], {
    cwd: repoRoot,
    env: { ...process.env, SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_API_PORT: '0', SWITCHYARD_HTTP_PORT: '0', SWITCHYARD_ACCOUNT_ID: accountId, SWITCHYARD_API_TOKEN: token, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const api = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /API listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`platform exited with ${code}: ${output}`)));
  });
  const ingress = /traffic ingress on (http:\/\/\S+)/.exec(output)![1];
  return {
    api,
    ingress,
    accountId,
    token,
    pid: child.pid!,
    child,
    output: () => output,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function uploadForm(source: string, metadata: Record<string, unknown> = {}): FormData {
  const form = new FormData();
  form.append('metadata', new Blob([JSON.stringify({ main_module: 'index.mjs', ...metadata })], { type: 'application/json' }));
  form.append('index.mjs', new File([source], 'index.mjs', { type: 'application/javascript+module' }));
  return form;
}

/** Uploads a one-module script; answers the upload's `startup_time_ms` (its compile check). */
export async function upload(platform: BenchPlatform, namespace: string, name: string, source: string): Promise<number> {
  const response = await fetch(`${platform.api}/accounts/${platform.accountId}/workers/dispatch/namespaces/${namespace}/scripts/${name}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${platform.token}` },
    body: uploadForm(source),
  });
  if (!response.ok) throw new Error(`upload of ${name} failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { result: { startup_time_ms: number } }).result.startup_time_ms;
}
