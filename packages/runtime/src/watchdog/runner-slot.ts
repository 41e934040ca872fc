import type { InFlight } from '@switchyard/protocol';
import type { HeartbeatClient } from '../heartbeat-client.ts';
import type { WorkerdProcess } from '../workerd-process.ts';
import type { ScriptRef } from './blame.ts';
import { CpuLedger } from './cpu-ledger.ts';
import type { CpuMeter } from './cpu-meter.ts';

/**
 * What a runner process is for: `shared` runners serve every script (by a hash of its name), the
 * `check` runner starts uploads being checked (never serving traffic), and a `solo` runner serves
 * one suspect script alone, so that blame on it is exact.
 */
export type RunnerRole = 'shared' | 'check' | 'solo';

/** One runner process position in the pool, and what the watchdog knows of its current process. */
export interface RunnerSlot {
  role: RunnerRole;
  name: string;
  /** The script a solo runner serves; null for the others (and for a solo slot not in use). */
  owner: ScriptRef | null;
  generation: number;
  port: number;
  adminPort: number;
  process: WorkerdProcess | null;
  heartbeats: HeartbeatClient | null;
  meter: CpuMeter | null;
  /** The runner's CPU time (ms) at its last answered heartbeat. */
  cpuAtLastAnswer: number | null;
  ledger: CpuLedger;
  lastAnswerAt: number;
  heartbeatSentAt: number;
  heartbeatPending: boolean;
  starting: boolean;
  killedBy: 'cpu' | 'startup' | 'retired' | null;
  judging: boolean;
  /** The invocations the runner said it was running, in its last answered heartbeat. */
  running: InFlight[];
  /** Invocations the node itself sent (events, warm-ups) and has no answer for, and those it had answers for lately. */
  sent: Map<string, InFlight>;
  answered: { entry: InFlight; at: number }[];
  /** How many versions the runner holds isolates for, and whether it is being replaced for it. */
  loaded: number;
  recycling: boolean;
  lastUsedAt: number;
}

export function newSlot(role: RunnerRole, name: string): RunnerSlot {
  return {
    role,
    name,
    owner: null,
    generation: 0,
    port: 0,
    adminPort: 0,
    process: null,
    heartbeats: null,
    meter: null,
    cpuAtLastAnswer: null,
    ledger: new CpuLedger(),
    lastAnswerAt: 0,
    heartbeatSentAt: 0,
    heartbeatPending: false,
    starting: true,
    killedBy: null,
    judging: false,
    running: [],
    sent: new Map(),
    answered: [],
    loaded: 0,
    recycling: false,
    lastUsedAt: 0,
  };
}

export const isLive = (slot: RunnerSlot) => Boolean(slot.process?.running) && !slot.killedBy && !slot.starting;
