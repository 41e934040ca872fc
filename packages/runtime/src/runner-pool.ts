import { headers, runnerSlot, type InFlight, type RunnerHeartbeat, type RunnerPortsMessage, type StopReason } from '@switchyard/protocol';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { freePort } from './free-port.ts';
import { HeartbeatClient } from './heartbeat-client.ts';
import { judgeDeath, judgeStall, scriptKey, type Candidate, type ScriptRef, type StallVerdict } from './watchdog/blame.ts';
import { CpuMeter } from './watchdog/cpu-meter.ts';
import { isLive, newSlot, type RunnerRole, type RunnerSlot } from './watchdog/runner-slot.ts';
import { Suspects } from './watchdog/suspects.ts';
import { WorkerdProcess } from './workerd-process.ts';
import { renderConfig, type WorkerdConfig } from './workerd-config.ts';

/** What the watchdog reports when it stops a runner: whom it stopped it for, if blame is exact, and what else was in flight there. */
export interface StopReport {
  port: number;
  culprit: InFlight | null;
  reason: StopReason;
  others: InFlight[];
}

export interface RunnerPoolOptions {
  count: number;
  runDir: string;
  secret: string;
  defaultCpuMs: number;
  /** CPU time an upload's top-level code may use on the check runner before it is refused. */
  startupCpuMs: number;
  /** Runners that serve one suspect script each, at most. */
  maxSolo: number;
  /** A runner holding isolates for more versions than this is replaced by a fresh one (memory bound). */
  maxLoadedVersions: number;
  /** How long past its CPU limit a stuck runner may run before it is killed (the heartbeat period included). */
  slackMs: number;
  configFor(port: number, adminPort: number): WorkerdConfig;
  /** The command that starts a runner with this config (sandboxed where the machine allows). */
  commandFor(name: string, configPath: string): string[];
  /** Called after a runner's config is written, before it starts. */
  prepareConfig(configPath: string): void;
  /** Invocations the ingress sent to the runner on `port` and has no answer for, or answered since `since` (epoch ms). */
  sentByIngress(port: number, since: number): Promise<InFlight[]>;
  /** The CPU limit a script's settings give it, if any. */
  scriptCpuLimit(ref: ScriptRef): Promise<number | null>;
  /** Called before a runner is killed (and after one died on its own). */
  onStopped(report: StopReport): Promise<void>;
  onRoutesChanged(routes: RunnerPortsMessage): Promise<void>;
}

/** How often the watchdog looks at its runners. */
const watchEveryMs = 10;
/**
 * How often a runner is asked for its heartbeat: often while it runs something, seldom while idle
 * (each heartbeat costs the runner ~0.5 ms of CPU). A runner that has not answered one for
 * `stuckAfterMs` is judged: a script that started spinning on an idle runner is caught within one
 * idle period, and its CPU time is measured since the last answer either way.
 */
const busyHeartbeatMs = 20;
const idleHeartbeatMs = 50;
const stuckAfterMs = 40;
/** A runner's CPU time between two heartbeats beyond its idle cost by less than this is not counted (measurement noise). */
const cpuNoiseMs = 0.5;
/** About what a runner spends per heartbeat when idle, until measured (~0.5 ms on a 2-core x86 VM). */
const idleCpuPerBeatGuessMs = 0.6;

/**
 * The runner processes and their watchdog, in the node's supervisor (so no load on the API can
 * make it misfire). Each runner answers a heartbeat on its admin socket between JavaScript tasks,
 * saying which invocations it is running; the CPU time it spent since the previous one is counted
 * against those. An invocation past its CPU limit, or a runner that stops answering for longer than
 * the limit of what it holds, is stopped: the runner is killed (SIGKILL: a stuck workerd ignores
 * SIGTERM) and replaced on a fresh port. Blame is exact or absent: when several scripts were in
 * flight on a stuck runner, none is struck, and each runs alone on a solo runner for a while.
 */
export class RunnerPool {
  readonly #options: RunnerPoolOptions;
  readonly #shared: RunnerSlot[] = [];
  readonly #solo: RunnerSlot[] = [];
  readonly #checker: RunnerSlot;
  readonly #suspects = new Suspects();
  readonly #scriptLimits = new Map<string, { cpuMs: number | null; at: number }>();
  #checks: Promise<unknown> = Promise.resolve();
  /** How each stopped runner process ended, for the check that was running on it. */
  readonly #endings = new WeakMap<WorkerdProcess, 'startup' | 'died'>();
  #timer: NodeJS.Timeout | null = null;
  #soloTimer: NodeJS.Timeout | null = null;
  #stopping = false;
  /** Why the watchdog stopped invocations the node itself sent (null: caught in a restart, not blamed), for a minute. */
  readonly #stoppedSent = new Map<string, { reason: StopReason | null; at: number }>();
  /** What a runner spends answering one heartbeat when it runs nothing (learnt as runners idle). */
  #idleCpuPerBeatMs = idleCpuPerBeatGuessMs;

  constructor(options: RunnerPoolOptions) {
    this.#options = options;
    for (let index = 0; index < options.count; index++) this.#shared.push(newSlot('shared', `runner-${index}`));
    for (let index = 0; index < options.maxSolo; index++) this.#solo.push(newSlot('solo', `solo-${index}`));
    this.#checker = newSlot('check', 'checker');
  }

  get size(): number {
    return this.#shared.length;
  }

  get startupCpuMs(): number {
    return this.#options.startupCpuMs;
  }

  /** Where the shared runners listen, and which scripts run alone where. */
  routes(): RunnerPortsMessage {
    return {
      ports: this.#shared.map((slot) => (isLive(slot) ? slot.port : 0)),
      solo: this.#suspects.current(Date.now()).map((ref) => {
        const slot = this.#soloSlotOf(ref);
        return { ...ref, port: slot && !slot.starting ? slot.port : null };
      }),
    };
  }

  async start(): Promise<void> {
    await Promise.all([...this.#shared, this.#checker].map((slot) => this.#spawnWithRetries(slot)));
    this.#timer = setInterval(() => this.#watch(), watchEveryMs);
    this.#soloTimer = setInterval(() => void this.#rebalanceSolo(), 250);
  }

  /** A port picked for a runner can be taken by another process before workerd binds it: try again. */
  async #spawnWithRetries(slot: RunnerSlot): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#spawn(slot);
      } catch (error) {
        slot.process?.kill();
        if (attempt >= 3) throw error;
      }
    }
  }

  async #spawn(slot: RunnerSlot): Promise<void> {
    slot.generation++;
    slot.port = await freePort('127.0.0.1');
    slot.adminPort = await freePort('127.0.0.1');
    const configPath = join(this.#options.runDir, `${slot.name}.capnp`);
    await writeFile(configPath, renderConfig(this.#options.configFor(slot.port, slot.adminPort)), { mode: 0o600 });
    this.#options.prepareConfig(configPath);
    const generation = slot.generation;
    const process = new WorkerdProcess(slot.name, configPath, (code, signal) => void this.#exited(slot, generation, code, signal), this.#options.commandFor(slot.name, configPath));
    slot.process = process;
    slot.starting = true;
    slot.killedBy = null;
    slot.running = [];
    slot.sent.clear();
    slot.answered = [];
    slot.ledger.clear();
    slot.loaded = 0;
    slot.heartbeatPending = false;
    slot.meter = null;
    slot.cpuAtLastAnswer = null;
    // A runner being recycled keeps its old connection until it has drained.
    if (!slot.recycling) slot.heartbeats?.close();
    slot.heartbeats = new HeartbeatClient(slot.adminPort, this.#options.secret);
    try {
      await process.waitUntilServing(`http://127.0.0.1:${slot.adminPort}/healthz`, this.#options.secret);
      slot.meter = process.child.pid ? CpuMeter.forProcessTree(process.child.pid) : null;
      slot.cpuAtLastAnswer = slot.meter?.readMs() ?? null;
    } finally {
      slot.lastAnswerAt = Date.now();
      slot.starting = false;
    }
  }

  async #exited(slot: RunnerSlot, generation: number, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    // A runner that dies while starting is retried by #respawn itself.
    if (this.#stopping || slot.generation !== generation || slot.starting) return;
    if (!slot.killedBy) {
      if (slot.process) this.#endings.set(slot.process, 'died');
      console.error(`[runner-pool] ${slot.name} died (${signal ?? code}); replacing it`);
      if (slot.role !== 'check') {
        const candidates = await this.#candidates(slot).catch(() => []);
        await this.#act(slot, judgeDeath(candidates), 'memory');
      }
    }
    if (slot.killedBy === 'retired') return;
    await this.#respawn(slot);
  }

  async #respawn(slot: RunnerSlot): Promise<void> {
    const started = Date.now();
    for (let attempt = 1; !this.#stopping; attempt++) {
      try {
        await this.#spawn(slot);
        console.error(`[runner-pool] ${slot.name} replaced in ${Date.now() - started} ms (its start took ${Math.round(slot.cpuAtLastAnswer ?? 0)} ms of CPU)`);
        await this.#publishRoutes();
        return;
      } catch (error) {
        console.error(`[runner-pool] ${slot.name} failed to start (attempt ${attempt}):`, error);
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * attempt)));
      }
    }
  }

  #publishRoutes(): Promise<void> {
    return this.#options.onRoutesChanged(this.routes()).catch((error) => console.error('[runner-pool]', error));
  }

  #liveSlots(): RunnerSlot[] {
    return [...this.#shared, ...this.#solo, this.#checker].filter((slot) => slot.process !== null);
  }

  #watch(): void {
    const now = Date.now();
    for (const slot of this.#liveSlots()) {
      if (!isLive(slot)) continue;
      // The check runner is watched only while it checks something.
      if (slot.role === 'check' && slot.sent.size === 0) {
        slot.lastAnswerAt = now;
        continue;
      }
      const busy = slot.running.length > 0 || slot.sent.size > 0 || slot.ledger.busy;
      if (!slot.heartbeatPending && now - slot.heartbeatSentAt >= (busy ? busyHeartbeatMs : idleHeartbeatMs)) void this.#heartbeat(slot);
      // Unanswered for stuckAfterMs; or long without an answer at all (a heartbeat that timed out is asked again).
      const stuck = (slot.heartbeatPending && now - slot.heartbeatSentAt > stuckAfterMs) || now - slot.lastAnswerAt > idleHeartbeatMs + stuckAfterMs;
      if (stuck && !slot.judging) void this.#judgeStalled(slot);
    }
  }

  async #heartbeat(slot: RunnerSlot): Promise<void> {
    slot.heartbeatPending = true;
    slot.heartbeatSentAt = Date.now();
    const generation = slot.generation;
    try {
      const beat = await slot.heartbeats!.read();
      if (slot.generation !== generation) return;
      slot.lastAnswerAt = Date.now();
      this.#countCpu(slot, beat);
      slot.running = beat.running;
      slot.loaded = beat.loaded;
      if (beat.loaded > this.#maxLoaded(slot) && !slot.recycling) void this.#recycle(slot);
    } catch {
      // a runner being replaced; the exit handler deals with it
    } finally {
      if (slot.generation === generation) slot.heartbeatPending = false;
    }
  }

  /** The check runner starts many versions no one serves: it is replaced sooner. */
  #maxLoaded(slot: RunnerSlot): number {
    return slot.role === 'check' ? Math.min(50, this.#options.maxLoadedVersions) : this.#options.maxLoadedVersions;
  }

  /**
   * Counts the CPU time the runner spent since its previous heartbeat (beyond what an idle runner
   * spends answering heartbeats) against every invocation that ran in that interval, and stops
   * one that is past its limit.
   */
  #countCpu(slot: RunnerSlot, beat: RunnerHeartbeat): void {
    const now = slot.meter?.readMs() ?? null;
    if (now === null || slot.cpuAtLastAnswer === null) return;
    const spent = now - slot.cpuAtLastAnswer;
    slot.cpuAtLastAnswer = now;
    // The script's own limit is looked up as soon as an invocation is seen (the first count waits for it).
    for (const entry of beat.running) void this.#resolveScriptLimit(entry);
    const ran = [...beat.running, ...beat.ended];
    if (ran.length === 0) {
      // Learnt from idle runners only (a warm-up outside any invocation must not raise it).
      if (spent < 3 * idleCpuPerBeatGuessMs) this.#idleCpuPerBeatMs = 0.95 * this.#idleCpuPerBeatMs + 0.05 * spent;
      return;
    }
    const counted = spent - this.#idleCpuPerBeatMs;
    slot.ledger.charge(beat.running, counted > cpuNoiseMs ? counted : 0, beat.ended);
    const over = slot.ledger.overLimit((entry) => this.#cpuLimitNow(entry));
    if (over.length === 0 || slot.killedBy) return;
    const exact = over.find((entry) => entry.exact);
    if (exact) {
      console.error(`[runner-pool] ${slot.name}: ${exact.entry.namespace}/${exact.entry.script} used ${Math.round(exact.usedMs)} ms of CPU (limit ${exact.cpuMs} ms); stopping it`);
      const culprit = { ...exact.entry, cpuMs: exact.cpuMs, started: true };
      const others = [...this.#knownInFlight(slot).values()]
        .filter(({ entry }) => entry.invocationId !== culprit.invocationId)
        .map(({ entry, started }) => this.#candidate(slot, entry, started));
      void this.#act(slot, { action: 'kill', culprit, others }, 'cpu');
      return;
    }
    for (const { entry } of over) {
      slot.ledger.forget(entry.invocationId);
      this.#markSuspects([entry]);
    }
  }

  /** A runner missed heartbeats: judge what it holds, and kill it once that is past its limit. */
  async #judgeStalled(slot: RunnerSlot): Promise<void> {
    slot.judging = true;
    const generation = slot.generation;
    try {
      const candidates = slot.role === 'check' ? this.#checkCandidates(slot) : await this.#candidates(slot);
      if (slot.generation !== generation || slot.killedBy || !isLive(slot)) return;
      const verdict = judgeStall(candidates, this.#stalledMs(slot), { slackMs: this.#options.slackMs, defaultCpuMs: this.#options.defaultCpuMs });
      if (verdict.action === 'kill') await this.#act(slot, verdict, 'cpu');
    } catch (error) {
      console.error('[runner-pool]', error);
    } finally {
      slot.judging = false;
    }
  }

  /**
   * How long a runner has been stuck, in CPU time since its last answered heartbeat where it can be
   * measured (a loaded machine stretches wall time, not CPU time), else in wall time. A runner that
   * has not answered for a minute is stuck whatever its CPU time says (stopped, or starved).
   */
  #stalledMs(slot: RunnerSlot): number {
    const wallMs = Date.now() - slot.lastAnswerAt;
    const cpuNow = slot.meter?.readMs() ?? null;
    if (cpuNow === null || slot.cpuAtLastAnswer === null || wallMs > 60_000) return wallMs;
    return cpuNow - slot.cpuAtLastAnswer;
  }

  /** On the check runner, the start-up being checked is the only candidate, under the start-up budget. */
  #checkCandidates(slot: RunnerSlot): Candidate[] {
    return [...slot.sent.values()].map((entry) => ({ ...entry, cpuMs: this.#options.startupCpuMs, started: true }));
  }

  /** What the supervisor knows a runner may be running without asking the ingress: what it said it runs, and what the node sent it. */
  #knownInFlight(slot: RunnerSlot): Map<string, { entry: InFlight; started: boolean }> {
    const byId = new Map<string, { entry: InFlight; started: boolean }>();
    for (const { entry, at } of slot.answered) if (at >= slot.lastAnswerAt - watchEveryMs) byId.set(entry.invocationId, { entry, started: false });
    for (const entry of slot.sent.values()) byId.set(entry.invocationId, { entry, started: false });
    for (const entry of slot.running) byId.set(entry.invocationId, { entry, started: true });
    return byId;
  }

  /** Every invocation the runner may be running: the known ones, and those the ingress sent it, under their CPU limits. */
  async #candidates(slot: RunnerSlot): Promise<Candidate[]> {
    const byId = this.#knownInFlight(slot);
    const fromIngress = slot.role === 'check' ? [] : await this.#options.sentByIngress(slot.port, slot.lastAnswerAt - watchEveryMs);
    for (const entry of fromIngress) if (!byId.has(entry.invocationId)) byId.set(entry.invocationId, { entry, started: false });
    await Promise.all([...byId.values()].map(({ entry }) => this.#resolveScriptLimit(entry)));
    return [...byId.values()].map(({ entry, started }) => this.#candidate(slot, entry, started));
  }

  /** A candidate's limit is what remains of its CPU limit after the CPU already counted against it. */
  #candidate(slot: RunnerSlot, entry: InFlight, started: boolean): Candidate {
    const limit = this.#cpuLimitNow(entry);
    return { ...entry, cpuMs: Math.max(0, limit - slot.ledger.usedMs(entry.invocationId)), started };
  }

  #cpuLimitNow(entry: InFlight): number {
    return entry.limits.cpuMs ?? this.#scriptLimits.get(scriptKey(entry))?.cpuMs ?? this.#options.defaultCpuMs;
  }

  /** Looks up a script's own limit (cached for a few seconds), for invocations whose dispatch call set none. */
  async #resolveScriptLimit(entry: InFlight): Promise<void> {
    if (entry.limits.cpuMs !== undefined) return;
    const key = scriptKey(entry);
    const cached = this.#scriptLimits.get(key);
    if (cached && Date.now() - cached.at < 5000) return;
    // Marked fresh while the lookup runs, so concurrent counts do not look it up again.
    this.#scriptLimits.set(key, { cpuMs: cached?.cpuMs ?? null, at: Date.now() });
    const cpuMs = await this.#options.scriptCpuLimit(entry).catch(() => null);
    this.#scriptLimits.set(key, { cpuMs, at: Date.now() });
    if (this.#scriptLimits.size > 10_000) this.#scriptLimits.delete(this.#scriptLimits.keys().next().value!);
  }

  /** Carries out a verdict: reports it (so the ingress answers or retries), makes suspects run alone, then kills the runner. */
  async #act(slot: RunnerSlot, verdict: StallVerdict, reason: StopReason): Promise<void> {
    if (verdict.action !== 'kill') return;
    const died = !slot.process?.running;
    if (!died) {
      if (slot.killedBy) return;
      slot.killedBy = slot.role === 'check' ? 'startup' : 'cpu';
      if (slot.role === 'check') this.#endings.set(slot.process!, 'startup');
    }
    const { culprit, others } = verdict;
    this.#rememberStops(slot, culprit, others, reason);
    const what = culprit ? `${culprit.namespace}/${culprit.script}` : others.length > 0 ? `${others.length} invocations of several scripts, none blamed` : 'nothing in flight';
    if (!died) console.error(`[runner-pool] ${slot.name} stuck for ${Date.now() - slot.lastAnswerAt} ms (${Math.round(this.#stalledMs(slot))} ms of CPU) running ${what}; killing it`);
    if (slot.role !== 'check') {
      if (verdict.culprit === null) this.#markSuspects(verdict.suspects);
      await this.#options.onStopped({ port: slot.port, culprit, reason, others }).catch((error) => console.error('[runner-pool]', error));
    }
    if (!died) slot.process?.kill('SIGKILL');
    // Until its replacement is up, the ingress sends the runner's scripts to the others.
    if (slot.role === 'shared') await this.#publishRoutes();
  }

  /** Keeps why the node's own invocations on a stopped runner ended, so `invoke` answers instead of retrying a runaway. */
  #rememberStops(slot: RunnerSlot, culprit: InFlight | null, others: InFlight[], reason: StopReason): void {
    const now = Date.now();
    for (const [id, stop] of this.#stoppedSent) if (stop.at < now - 60_000) this.#stoppedSent.delete(id);
    for (const entry of [...(culprit ? [culprit] : []), ...others]) {
      if (slot.sent.has(entry.invocationId)) this.#stoppedSent.set(entry.invocationId, { reason: entry === culprit ? reason : null, at: now });
    }
  }

  /** Makes each script run alone for a while: routes change at once (pending until its runner is up). */
  #markSuspects(refs: ScriptRef[]): void {
    if (refs.length === 0) return;
    const now = Date.now();
    for (const { accountId, namespace, script } of refs) this.#suspects.mark({ accountId, namespace, script }, now);
    console.error(`[runner-pool] running alone for a while: ${refs.map((ref) => `${ref.namespace}/${ref.script}`).join(', ')}`);
    void this.#rebalanceSolo();
  }

  #soloSlotOf(ref: ScriptRef): RunnerSlot | undefined {
    const key = scriptKey(ref);
    return this.#solo.find((slot) => slot.owner !== null && scriptKey(slot.owner) === key);
  }

  #rebalancing = false;

  /**
   * Gives each current suspect a solo runner: retires the runners of scripts whose time alone is
   * over (once idle), and when there are more suspects than solo runners, takes the idle one used
   * least recently; a suspect with none waits (the ingress holds its requests meanwhile).
   */
  async #rebalanceSolo(): Promise<void> {
    if (this.#rebalancing || this.#stopping) return;
    this.#rebalancing = true;
    try {
      const now = Date.now();
      const current = this.#suspects.current(now);
      const wanted = new Set(current.map(scriptKey));
      let changed = false;
      for (const slot of this.#solo) {
        if (slot.owner && !wanted.has(scriptKey(slot.owner)) && slot.running.length === 0 && slot.sent.size === 0) {
          await this.#retire(slot);
          changed = true;
        }
      }
      for (const ref of current) {
        if (this.#soloSlotOf(ref)) continue;
        let slot = this.#solo.find((candidate) => candidate.owner === null);
        if (!slot) {
          const idle = this.#solo.filter((candidate) => candidate.running.length === 0 && candidate.sent.size === 0 && !candidate.starting);
          slot = idle.sort((a, b) => a.lastUsedAt - b.lastUsedAt)[0];
          if (!slot || now - slot.lastUsedAt < 1000) break;
          this.#suspects.release(slot.owner!);
          await this.#retire(slot);
        }
        slot.owner = ref;
        slot.lastUsedAt = now;
        // Until its process is up, the ingress holds the script's requests (a null port).
        slot.starting = true;
        changed = true;
        await this.#publishRoutes();
        await this.#spawnWithRetries(slot).catch((error) => console.error(`[runner-pool] ${slot.name} failed to start:`, error));
      }
      if (changed) await this.#publishRoutes();
    } finally {
      this.#rebalancing = false;
    }
  }

  async #retire(slot: RunnerSlot): Promise<void> {
    slot.killedBy = 'retired';
    slot.owner = null;
    slot.port = 0;
    slot.heartbeats?.close();
    const process = slot.process;
    slot.process = null;
    await process?.stop(1000);
  }

  /**
   * Replaces a runner that holds too many isolates (the Worker Loader never unloads one): a fresh
   * runner takes the slot and new requests, and the old one finishes what it is serving.
   */
  async #recycle(slot: RunnerSlot): Promise<void> {
    slot.recycling = true;
    const old = slot.process!;
    const oldHeartbeats = slot.heartbeats!;
    console.error(`[runner-pool] ${slot.name} holds ${slot.loaded} versions (cap ${this.#maxLoaded(slot)}); replacing it`);
    try {
      await this.#respawn(slot);
      // Requests sent just before the ingress switched ports may still be on their way.
      await new Promise((resolve) => setTimeout(resolve, 250));
      await drain(oldHeartbeats, 30_000);
      oldHeartbeats.close();
      await old.stop(1000);
    } finally {
      slot.recycling = false;
    }
  }

  /** POSTs `body` to `path` on every live runner's admin socket. */
  async broadcast(path: string, body: unknown): Promise<void> {
    await Promise.all(
      this.#liveSlots()
        .filter(isLive)
        .map(async (slot) => {
          const response = await fetch(`http://127.0.0.1:${slot.adminPort}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', [headers.internal]: this.#options.secret },
            body: JSON.stringify(body),
          });
          if (!response.ok) throw new Error(`${slot.name} answered ${response.status} to ${path}`);
        }),
    );
  }

  /** The runner that serves a script now: its solo runner while it is a suspect (waiting for it to start), else its shared one. */
  async #slotFor(target: ScriptRef, deadline: number): Promise<RunnerSlot | null> {
    while (Date.now() < deadline) {
      if (!this.#suspects.has(target, Date.now())) return this.#shared[runnerSlot(target.accountId, target.namespace, target.script, this.#shared.length)];
      const solo = this.#soloSlotOf(target);
      if (solo) return solo;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return null;
  }

  /**
   * Runs an invocation (an event the node sends, not a request through the ingress) on the runner
   * that serves its script, waiting (up to `timeoutMs`) for it to come up when it is being replaced.
   */
  async invoke(entry: InFlight, init: { headers: Record<string, string>; body: string }, timeoutMs = 15_000): Promise<Response> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown = new Error(`no runner for ${entry.namespace}/${entry.script} came up within ${timeoutMs} ms`);
    while (Date.now() < deadline) {
      const slot = await this.#slotFor(entry, deadline);
      if (slot && isLive(slot)) {
        try {
          return await this.#send(slot, entry, init, deadline);
        } catch (error) {
          lastError = error;
          // The connection may break a moment before the watchdog's record of why is read.
          await new Promise((resolve) => setTimeout(resolve, 20));
          const reason = this.#stoppedSent.get(entry.invocationId)?.reason;
          if (reason) throw new InvocationStopped(reason);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw lastError;
  }

  async #send(slot: RunnerSlot, entry: InFlight, init: { headers: Record<string, string>; body: string }, deadline: number): Promise<Response> {
    if (slot.sent.size === 0 && slot.role === 'check') slot.lastAnswerAt = Date.now();
    slot.sent.set(entry.invocationId, entry);
    slot.lastUsedAt = Date.now();
    try {
      const response = await fetch(`http://127.0.0.1:${slot.port}/`, {
        method: 'POST',
        headers: { ...init.headers, [headers.internal]: this.#options.secret },
        body: init.body,
        signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      });
      // The answer is read here, so the invocation stays a candidate until it is complete.
      return new Response(await response.text(), response);
    } finally {
      slot.sent.delete(entry.invocationId);
      const now = Date.now();
      slot.answered = [...slot.answered.filter((answered) => answered.at > now - 5000), { entry: { ...entry, answered: true }, at: now }];
    }
  }

  /**
   * Starts an upload being checked on the check runner, one at a time (so a start-up that never
   * ends is the only candidate when the runner gets stuck). Answers what went wrong if the runner
   * was killed or died meanwhile, else the runner's response.
   */
  check(entry: InFlight, init: { headers: Record<string, string>; body: string }): Promise<Response | { failure: string }> {
    const run = async (): Promise<Response | { failure: string }> => {
      const slot = this.#checker;
      const deadline = Date.now() + 30_000;
      while (!isLive(slot) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const process = slot.process!;
      try {
        return await this.#send(slot, entry, init, deadline);
      } catch (error) {
        // The connection may break a moment before the process's exit is seen.
        for (let waited = 0; waited < 1000 && process.running && !this.#endings.has(process); waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
        await Promise.race([process.exited, new Promise((resolve) => setTimeout(resolve, 1000))]);
        const ending = this.#endings.get(process);
        if (ending === 'startup') return { failure: `its top-level code ran longer than the ${this.#options.startupCpuMs} ms of CPU time a Worker may use to start, and was stopped` };
        if (ending === 'died') return { failure: 'starting it used more memory than a Worker may use, and its process was stopped' };
        throw error;
      }
    };
    const result = this.#checks.then(run, run);
    this.#checks = result.catch(() => undefined);
    return result;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#soloTimer) clearInterval(this.#soloTimer);
    const slots = this.#liveSlots();
    for (const slot of slots) slot.heartbeats?.close();
    await Promise.all(slots.map((slot) => slot.process?.stop()));
  }
}

/** The watchdog stopped an invocation the node sent, for this reason: it is answered, not retried. */
export class InvocationStopped extends Error {
  readonly reason: StopReason;
  constructor(reason: StopReason) {
    super(reason === 'cpu' ? 'The invocation ran past its CPU time limit and was stopped.' : 'The invocation used more memory than it is allowed and was stopped.');
    this.reason = reason;
  }
}

/** Waits until a runner that no longer gets new requests has answered all it had. */
async function drain(heartbeats: HeartbeatClient, timeoutMs: number): Promise<void> {
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

export type { RunnerRole };
