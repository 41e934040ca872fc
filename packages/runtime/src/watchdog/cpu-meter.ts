import { readdirSync, readFileSync } from 'node:fs';

/**
 * The CPU time a runner's workerd has used, read from the kernel. workerd runs all JavaScript on
 * its main thread, whose `/proc/<pid>/schedstat` counts nanoseconds on CPU; the runner is found as
 * the `workerd` process among the descendants of the command that started it (a sandbox wraps it).
 */
export class CpuMeter {
  readonly #path: string;

  private constructor(pid: number) {
    this.#path = `/proc/${pid}/schedstat`;
  }

  /** The meter for the workerd under `rootPid`, or null where /proc does not show one. */
  static forProcessTree(rootPid: number): CpuMeter | null {
    const pid = workerdUnder(rootPid);
    return pid === null ? null : new CpuMeter(pid);
  }

  /** Milliseconds on CPU so far; null once the process is gone. */
  readMs(): number | null {
    try {
      return Number(readFileSync(this.#path, 'utf8').split(' ')[0]) / 1e6;
    } catch {
      return null;
    }
  }
}

function workerdUnder(rootPid: number): number | null {
  const children = new Map<number, number[]>();
  const names = new Map<number, string>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split at the last ')'.
      const close = stat.lastIndexOf(')');
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      const pid = Number(entry);
      names.set(pid, stat.slice(stat.indexOf('(') + 1, close));
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      // gone meanwhile
    }
  }
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (names.get(pid) === 'workerd') return pid;
    queue.push(...(children.get(pid) ?? []));
  }
  return null;
}
