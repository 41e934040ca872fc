import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RunningPlatform } from './platform.ts';

const wranglerBin = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js');

export interface WranglerResult {
  code: number;
  output: string;
}

/** Runs the real wrangler CLI against the platform, as a user would with CLOUDFLARE_API_BASE_URL. */
export async function wrangler(platform: RunningPlatform, args: string[], options: { cwd?: string; input?: string } = {}): Promise<WranglerResult> {
  const home = await mkdtemp(join(tmpdir(), 'switchyard-wrangler-home-'));
  const result = new Promise<WranglerResult>((resolve, reject) => {
    const child = spawn(process.execPath, [wranglerBin, ...args], {
      cwd: options.cwd,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        XDG_CONFIG_HOME: join(home, '.config'),
        CLOUDFLARE_API_BASE_URL: platform.apiBase,
        CLOUDFLARE_API_TOKEN: platform.token,
        CLOUDFLARE_ACCOUNT_ID: platform.accountId,
        WRANGLER_SEND_METRICS: 'false',
        WRANGLER_LOG_PATH: join(home, 'logs'),
        CI: 'true',
        NO_COLOR: '1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? 1, output }));
    child.stdin.end(options.input ?? '');
  });
  try {
    return await result;
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
