import { headers } from '@switchyard/protocol';
import { HeartbeatClient } from './heartbeat-client.ts';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { freePort } from './free-port.ts';
import { WorkerdProcess } from './workerd-process.ts';
import { renderConfig, type WorkerdConfig } from './workerd-config.ts';

/** The invocation a stuck runner is most likely running, with the CPU limit that applies to it. */
export interface Suspect {
  invocationId: string;
  accountId: string;
  namespace: string;
  script: string;
  cpuMs: number;
  startedAt: number;
}

interface Slot {
  index: number;
  generation: number;
  port: number;
  adminPort: number;
  heartbeats: HeartbeatClient | null;
  process: WorkerdProcess | null;
  lastAnswerAt: number;
  heartbeatPending: boolean;
  starting: boolean;
  killedBy: 'cpu' | null;
  suspect: Suspect | null;
  checking: boolean;
  /** The invocations the runner said it was running, in its last answered heartbeat. */
  running: string[];
  /** How many versions the runner holds isolates for, and whether it is being replaced for it. */
  loaded: number;
  recycling: boolean;
}

export interface RunnerPoolOptions {
  count: number;
  runDir: string;
  secret: string;
  defaultCpuMs: number;
  /** A runner holding isolates for more versions than this is replaced by a fresh one (memory bound). */
  maxLoadedVersions: number;
  /** How long past its CPU limit a stuck runner may run before it is killed (the heartbeat period included). */
  slackMs: number;
  /** The request a runner is most likely stuck in, given the requests it had started at its last heartbeat. */
  suspectFor(port: number, started: string[]): Promise<Suspect | null>;
  configFor(port: number, adminPort: number): WorkerdConfig;
  /** The command that starts a runner with this config (sandboxed where the machine allows). */
  commandFor(name: string, configPath: string): string[];
  /** Called after a runner's config is written, before it starts. */
  prepareConfig(configPath: string): void;
  /** Called before a stuck runner is killed, and after one died on its own (memory). */
  onStopped(port: number, culprit: Suspect | null, reason: 'cpu' | 'memory'): Promise<void>;
  onPortsChanged(ports: number[]): Promise<void>;
}

const heartbeatEveryMs = 10;

/**
 * The runner processes and their watchdog. Each runner answers a heartbeat on its admin socket
 * between JavaScript tasks; a runner that stops answering for longer than the CPU limit of the
 * request it last started (plus slack) has a script that never yields: it is killed (SIGKILL, as a
 * stuck workerd ignores SIGTERM) and replaced on a fresh port. A runner that dies on its own (V8
 * out of memory) is replaced the same way.
 */
export class RunnerPool {
  readonly #options: RunnerPoolOptions;
  readonly #slots: Slot[] = [];
  #timer: NodeJS.Timeout | null = null;
  #stopping = false;

  constructor(options: RunnerPoolOptions) {
    this.#options = options;
  }

  get ports(): number[] {
    return this.#slots.map((slot) => slot.port);
  }

  async start(): Promise<void> {
    for (let index = 0; index < this.#options.count; index++) {
      const slot: Slot = {
        index,
        generation: 0,
        port: 0,
        adminPort: 0,
        process: null,
        lastAnswerAt: 0,
        heartbeatPending: false,
        heartbeats: null,
        starting: true,
        killedBy: null,
        suspect: null,
        checking: false,
        running: [],
        loaded: 0,
        recycling: false,
      };
      this.#slots.push(slot);
    }
    await Promise.all(
      this.#slots.map(async (slot) => {
        // A port picked for a runner can be taken by another process before workerd binds it.
        for (let attempt = 1; ; attempt++) {
          try {
            return await this.#spawn(slot);
          } catch (error) {
            slot.process?.kill();
            if (attempt >= 3) throw error;
          }
        }
      }),
    );
    this.#timer = setInterval(() => this.#watch(), heartbeatEveryMs);
  }

  async #spawn(slot: Slot): Promise<void> {
    slot.generation++;
    slot.port = await freePort('127.0.0.1');
    slot.adminPort = await freePort('127.0.0.1');
    const configPath = join(this.#options.runDir, `runner-${slot.index}.capnp`);
    await writeFile(configPath, renderConfig(this.#options.configFor(slot.port, slot.adminPort)), { mode: 0o600 });
    this.#options.prepareConfig(configPath);
    const generation = slot.generation;
    const name = `runner-${slot.index}`;
    const process = new WorkerdProcess(name, configPath, (code, signal) => void this.#exited(slot, generation, code, signal), this.#options.commandFor(name, configPath));
    slot.process = process;
    slot.starting = true;
    slot.killedBy = null;
    slot.suspect = null;
    slot.running = [];
    slot.loaded = 0;
    slot.heartbeatPending = false;
    // A runner being recycled keeps its old connection until it has drained.
    if (!slot.recycling) slot.heartbeats?.close();
    slot.heartbeats = new HeartbeatClient(slot.adminPort, this.#options.secret);
    try {
      await process.waitUntilServing(`http://127.0.0.1:${slot.adminPort}/healthz`, this.#options.secret);
    } finally {
      slot.lastAnswerAt = Date.now();
      slot.starting = false;
    }
  }

  async #exited(slot: Slot, generation: number, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    // A runner that dies while starting is retried by #respawn itself.
    if (this.#stopping || slot.generation !== generation || slot.starting) return;
    if (!slot.killedBy) {
      console.error(`[runner-pool] runner-${slot.index} died (${signal ?? code}); replacing it`);
      const culprit = await this.#options.suspectFor(slot.port, slot.running).catch(() => null);
      await this.#options.onStopped(slot.port, culprit, 'memory').catch((error) => console.error('[runner-pool]', error));
    }
    await this.#respawn(slot);
  }

  async #respawn(slot: Slot): Promise<void> {
    const started = Date.now();
    for (let attempt = 1; !this.#stopping; attempt++) {
      try {
        await this.#spawn(slot);
        console.error(`[runner-pool] runner-${slot.index} replaced in ${Date.now() - started} ms`);
        await this.#options.onPortsChanged(this.ports).catch((error) => console.error('[runner-pool]', error));
        return;
      } catch (error) {
        console.error(`[runner-pool] runner-${slot.index} failed to start (attempt ${attempt}):`, error);
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * attempt)));
      }
    }
  }

  #watch(): void {
    const now = Date.now();
    for (const slot of this.#slots) {
      const process = slot.process;
      if (!process?.running || slot.killedBy || slot.starting) continue;
      if (!slot.heartbeatPending) void this.#heartbeat(slot);
      const stalledFor = now - slot.lastAnswerAt;
      if (stalledFor <= 2 * heartbeatEveryMs) {
        slot.suspect = null;
        continue;
      }
      if (!slot.checking) void this.#check(slot, stalledFor);
    }
  }

  /** A runner missed heartbeats: find what it is running and kill it once that is past its limit. */
  async #check(slot: Slot, stalledFor: number): Promise<void> {
    slot.checking = true;
    try {
      slot.suspect ??= await this.#options.suspectFor(slot.port, slot.running);
      const limit = slot.suspect?.cpuMs ?? this.#options.defaultCpuMs;
      if (Date.now() - slot.lastAnswerAt > limit + this.#options.slackMs && !slot.killedBy && stalledFor > 0) await this.#killStuck(slot);
    } catch (error) {
      console.error('[runner-pool]', error);
    } finally {
      slot.checking = false;
    }
  }

  async #heartbeat(slot: Slot): Promise<void> {
    slot.heartbeatPending = true;
    const generation = slot.generation;
    try {
      const beat = await slot.heartbeats!.read();
      if (slot.generation !== generation) return;
      slot.running = beat.running;
      slot.loaded = beat.loaded;
      slot.lastAnswerAt = Date.now();
      if (beat.loaded > this.#options.maxLoadedVersions && !slot.recycling) void this.#recycle(slot);
    } catch {
      // a runner being replaced; the exit handler deals with it
    } finally {
      if (slot.generation === generation) slot.heartbeatPending = false;
    }
  }

  async #killStuck(slot: Slot): Promise<void> {
    slot.killedBy = 'cpu';
    const culprit = slot.suspect;
    console.error(
      `[runner-pool] runner-${slot.index} stuck for ${Date.now() - slot.lastAnswerAt} ms${culprit ? ` running ${culprit.namespace}/${culprit.script}` : ''}; killing it`,
    );
    await this.#options.onStopped(slot.port, culprit, 'cpu').catch((error) => console.error('[runner-pool]', error));
    slot.process?.kill('SIGKILL');
  }

  /**
   * Replaces a runner that holds too many isolates (the Worker Loader never unloads one): a fresh
   * runner takes the slot and new requests, and the old one finishes what it is serving.
   */
  async #recycle(slot: Slot): Promise<void> {
    slot.recycling = true;
    const old = slot.process!;
    const oldHeartbeats = slot.heartbeats!;
    console.error(`[runner-pool] runner-${slot.index} holds ${slot.loaded} versions (cap ${this.#options.maxLoadedVersions}); replacing it`);
    try {
      await this.#respawn(slot);
      // Requests sent just before the ingress switched ports may still be on their way.
      await new Promise((resolve) => setTimeout(resolve, 250));
      await this.#drain(oldHeartbeats, 30_000);
      oldHeartbeats.close();
      await old.stop(1000);
    } finally {
      slot.recycling = false;
    }
  }

  /** Waits until a runner that no longer gets new requests has answered all it had. */
  async #drain(heartbeats: HeartbeatClient, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const beat = await heartbeats.read();
        if (beat.running.length === 0) return;
      } catch {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  get size(): number {
    return this.#slots.length;
  }

  /** POSTs `body` to `path` on every live runner's admin socket. */
  async broadcast(path: string, body: unknown): Promise<void> {
    await Promise.all(
      this.#slots
        .filter((slot) => slot.process?.running && !slot.killedBy && !slot.starting)
        .map(async (slot) => {
          const response = await fetch(`http://127.0.0.1:${slot.adminPort}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', [headers.internal]: this.#options.secret },
            body: JSON.stringify(body),
          });
          if (!response.ok) throw new Error(`runner-${slot.index} answered ${response.status} to ${path}`);
        }),
    );
  }

  /**
   * POSTs to the invoke door of the runner in `slot`, waiting (up to `timeoutMs`) for it to come up
   * when it is being replaced.
   */
  async invoke(slot: number, init: { headers: Record<string, string>; body: string }, timeoutMs = 15_000): Promise<Response> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown = new Error(`runner-${slot} did not come up within ${timeoutMs} ms`);
    while (Date.now() < deadline) {
      const target = this.#slots[slot];
      if (target.process?.running && !target.killedBy && !target.starting) {
        try {
          return await fetch(`http://127.0.0.1:${target.port}/`, {
            method: 'POST',
            headers: { ...init.headers, [headers.internal]: this.#options.secret },
            body: init.body,
            signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
          });
        } catch (error) {
          lastError = error;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw lastError;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#timer) clearInterval(this.#timer);
    for (const slot of this.#slots) slot.heartbeats?.close();
    await Promise.all(this.#slots.map((slot) => slot.process?.stop()));
  }
}
