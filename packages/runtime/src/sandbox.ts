import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, realpathSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { deniedSyscalls, runnerSeccompFilter } from './seccomp.ts';
import { dirname, join } from 'node:path';

const bwrap = '/usr/bin/bwrap';
const setpriv = '/usr/bin/setpriv';
/** The unprivileged user runners run as, outside their user namespace too. */
export const runnerUid = 65534;

const runningAsRoot = () => process.getuid?.() === 0;

/**
 * Where runner configs are written: `<runDir>/runners`, owned by the runner user when runners drop
 * privileges. The directories above it become traversable but not listable, so the runner user
 * reaches its own directory and nothing else there.
 */
export function runnerConfigDir(layers: SandboxLayers, runDir: string): string {
  if (!layers.bubblewrap || !runningAsRoot()) return runDir;
  const dir = join(runDir, 'runners');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chownSync(dir, runnerUid, runnerUid);
  chmodSync(dir, 0o700);
  // Every directory above it becomes traversable (never listable) where it is not already.
  for (let ancestor = runDir; ancestor !== dirname(ancestor); ancestor = dirname(ancestor)) {
    const mode = statSync(ancestor).mode & 0o7777;
    if ((mode & 0o001) === 0) chmodSync(ancestor, mode | 0o011);
  }
  return dir;
}

/** Makes a runner config readable by the runner user only. */
export function handToRunner(layers: SandboxLayers, path: string): void {
  if (layers.bubblewrap && runningAsRoot()) chownSync(path, runnerUid, runnerUid);
}
const memoryCgroupRoot = '/sys/fs/cgroup/memory';

/** Each node's runners have cgroups of their own: `switchyard/<instance>/<runner>`, removed when the node stops. */
const instanceCgroup = (instance: string) => join(memoryCgroupRoot, 'switchyard', instance);

/** Removes a node's runner cgroups once its runners are gone (a cgroup with a process in it cannot be removed). */
export async function removeCgroups(layers: SandboxLayers, instance: string): Promise<void> {
  if (!layers.memoryCgroup) return;
  const root = instanceCgroup(instance);
  for (let attempt = 0; attempt < 20 && existsSync(root); attempt++) {
    try {
      for (const entry of readdirSync(root, { withFileTypes: true })) if (entry.isDirectory()) rmdirSync(join(root, entry.name));
      rmdirSync(root);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The /etc/hosts runners see. */
export const runnerHosts = '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n';

/** Which containment layers this machine allows for runner processes. */
export interface SandboxLayers {
  bubblewrap: boolean;
  memoryCgroup: boolean;
  /** A seccomp filter goes with bubblewrap on x86_64 (its `--seccomp`). */
  seccomp: boolean;
}

export function detectSandbox(): SandboxLayers {
  let memoryCgroup = false;
  try {
    const probe = join(memoryCgroupRoot, 'switchyard');
    mkdirSync(probe, { recursive: true });
    memoryCgroup = existsSync(join(probe, 'memory.limit_in_bytes'));
  } catch {
    memoryCgroup = false;
  }
  const bubblewrap = existsSync(bwrap) && process.platform === 'linux';
  return { bubblewrap, memoryCgroup, seccomp: bubblewrap && process.arch === 'x64' };
}

export function describeSandbox(layers: SandboxLayers, runnerMemoryMb: number): string {
  const active = [
    layers.bubblewrap &&
      `bubblewrap (own user, pid, ipc and uts namespaces; ${runningAsRoot() ? `uid ${runnerUid} inside and out` : 'uid 65534 inside'}; read-only system; no host files or environment)`,
    layers.memoryCgroup && `a memory cgroup of ${runnerMemoryMb} MiB per runner`,
    layers.seccomp && `a seccomp filter refusing ${deniedSyscalls.length} system calls (ptrace, mount, bpf, kexec, keyctl, ...)`,
  ].filter(Boolean);
  const missing = [
    !layers.bubblewrap && 'bubblewrap (install the Debian package bubblewrap)',
    !layers.memoryCgroup && 'memory cgroup (needs a writable cgroup v1 memory hierarchy)',
    !layers.seccomp && 'seccomp filter (needs bubblewrap on x86_64)',
  ].filter(Boolean);
  return `runner sandbox: ${active.length ? active.join('; ') : 'none'}; missing: ${missing.length ? missing.join('; ') : 'none'}`;
}

/**
 * The command that starts a runner's workerd contained by the layers available: a memory cgroup
 * joined before exec (so every descendant is in it), then bubblewrap with nothing of the host but
 * the system libraries, CA certificates, resolver files, the workerd binary and the runner's config.
 */
export function sandboxedCommand(layers: SandboxLayers, name: string, workerd: string, configPath: string, memoryMb: number, instance: string): string[] {
  const seccompFd = 9; // a single digit: sh redirects only fds 0 to 9
  const inner = ['serve', '/config/' + configPath.split('/').pop(), '--experimental'];
  let command = [workerd, 'serve', configPath, '--experimental'];
  if (layers.bubblewrap) {
    const binary = realpathSync(workerd);
    const readOnly = ['/usr', '/lib', '/lib64', '/bin', '/etc/ssl', '/etc/ca-certificates', '/etc/resolv.conf', '/etc/nsswitch.conf']
      .filter((path) => existsSync(path))
      .flatMap((path) => ['--ro-bind', path, path]);
    // The runner resolves the standard loopback names only, never the host's own (internal) names.
    const hosts = join(dirname(configPath), 'hosts');
    writeFileSync(hosts, runnerHosts);
    command = [
      bwrap,
      '--die-with-parent',
      '--new-session',
      '--unshare-user',
      '--unshare-pid',
      '--unshare-ipc',
      '--unshare-uts',
      '--unshare-cgroup-try',
      '--uid',
      '65534',
      '--gid',
      '65534',
      ...(layers.seccomp ? ['--seccomp', String(seccompFd)] : []),
      '--clearenv',
      '--setenv',
      'PATH',
      '/usr/bin:/bin',
      ...readOnly,
      '--ro-bind',
      hosts,
      '/etc/hosts',
      '--ro-bind',
      binary,
      '/workerd',
      '--ro-bind',
      dirname(configPath),
      '/config',
      '--dev',
      '/dev',
      '--proc',
      '/proc',
      '--tmpfs',
      '/tmp',
      '--chdir',
      '/tmp',
      '/workerd',
      ...inner,
    ];
    if (runningAsRoot() && existsSync(setpriv)) {
      // The parent-death signal is set again here, after the uid change: changing credentials
      // clears the one set before, and bubblewrap would outlive a node killed with SIGKILL.
      command = [setpriv, '--reuid', String(runnerUid), '--regid', String(runnerUid), '--clear-groups', '--pdeathsig', 'KILL', '--', ...command];
    }
  }
  // A shell joins the cgroup (so every descendant is in it) and opens the seccomp filter on the fd
  // bubblewrap reads it from, then becomes the rest of the command.
  const group = layers.memoryCgroup ? join(instanceCgroup(instance), name) : '/dev/null';
  if (layers.memoryCgroup) {
    mkdirSync(group, { recursive: true });
    writeFileSync(join(group, 'memory.limit_in_bytes'), String(memoryMb * 1024 * 1024));
  }
  const filter = layers.seccomp ? join(dirname(configPath), 'runner.seccomp') : '/dev/null';
  if (layers.seccomp) writeFileSync(filter, runnerSeccompFilter());
  if (layers.memoryCgroup || layers.seccomp) {
    const target = layers.memoryCgroup ? join(group, 'cgroup.procs') : '/dev/null';
    command = ['/bin/sh', '-c', `echo $$ > "$0" && exec ${seccompFd}< "$1" && shift && exec "$@"`, target, filter, ...command];
  }
  return command;
}
