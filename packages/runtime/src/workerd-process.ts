import { headers } from '@switchyard/protocol';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { workerdBinary } from './workerd-binary.ts';

const setpriv = '/usr/bin/setpriv';

/** One `workerd serve` process: its output relayed with a prefix, its exit reported once. */
export class WorkerdProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  /** `command` defaults to plain `workerd serve <config>`; runners pass their sandboxed command. */
  constructor(name: string, configPath: string, onExit: (code: number | null, signal: NodeJS.Signals | null) => void, command?: string[]) {
    this.name = name;
    command = [...(command ?? [workerdBinary(), 'serve', configPath, '--experimental'])];
    // setpriv makes the kernel kill the process if this one dies, even by SIGKILL.
    if (existsSync(setpriv)) command.unshift(setpriv, '--pdeathsig', 'KILL', '--');
    this.child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    const relay = (stream: NodeJS.ReadableStream, sink: NodeJS.WriteStream) =>
      stream.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n')) if (line.trim()) sink.write(`[${name}] ${line}\n`);
      });
    relay(this.child.stdout!, process.stdout);
    relay(this.child.stderr!, process.stderr);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        onExit(code, signal);
        resolve({ code, signal });
      }),
    );
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Waits until `healthUrl` answers 200 (sending the internal secret), or throws. Until its port
   * accepts connections it is probed with bare TCP connects, which cost far less than requests
   * (runners are replaced often under attack, and the supervisor's CPU is the good tenants' too).
   */
  async waitUntilServing(healthUrl: string, secret: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const { hostname, port } = new URL(healthUrl);
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited while starting; see its output above`);
      if (!(await accepts(hostname, Number(port)))) {
        await sleep(5);
        continue;
      }
      try {
        const response = await fetch(healthUrl, { headers: { [headers.internal]: secret } });
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(5);
    }
    throw new Error(`${this.name} did not start serving within ${timeoutMs / 1000} s`);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs` (a stuck workerd ignores SIGTERM). */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Whether something accepts TCP connections on host:port now. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
