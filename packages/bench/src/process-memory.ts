import { readFileSync } from 'node:fs';

/** Resident memory of a process, in MiB. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/** Every descendant process of `pid`. */
export function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/**
 * The workerd processes under the platform: serving runners (configs `runner-*` and `solo-*`), the
 * check runner (uploads start there), and the ingress.
 */
export function workerdProcesses(platformPid: number): { runners: number[]; checker: number[]; ingress: number[] } {
  const runners: number[] = [];
  const checker: number[] = [];
  const ingress: number[] = [];
  for (const pid of descendants(platformPid)) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue;
    }
    if (!/workerd serve/.test(cmdline) || cmdline.includes('bwrap')) continue;
    (/runner-|solo-/.test(cmdline) ? runners : cmdline.includes('checker') ? checker : ingress).push(pid);
  }
  return { runners, checker, ingress };
}
