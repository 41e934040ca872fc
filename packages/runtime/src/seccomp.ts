/**
 * A classic-BPF seccomp filter for runner processes (x86_64), in the raw `struct sock_filter`
 * form bubblewrap's `--seccomp FD` takes. It kills any other architecture and answers EPERM to
 * system calls a JavaScript runtime has no use for and a sandbox escape would: debugging other
 * processes, kernel modules and kexec, mounts and namespaces, eBPF and perf, the keyring,
 * userfaultfd, clock and reboot control, raw I/O ports, handle-based opens.
 */
const deniedX8664: Record<string, number> = {
  ptrace: 101,
  syslog: 103,
  mknod: 133,
  personality: 135,
  pivot_root: 155,
  adjtimex: 159,
  chroot: 161,
  acct: 163,
  settimeofday: 164,
  mount: 165,
  umount2: 166,
  swapon: 167,
  swapoff: 168,
  reboot: 169,
  iopl: 172,
  ioperm: 173,
  init_module: 175,
  delete_module: 176,
  quotactl: 179,
  lookup_dcookie: 212,
  clock_settime: 227,
  kexec_load: 246,
  add_key: 248,
  request_key: 249,
  keyctl: 250,
  mknodat: 259,
  unshare: 272,
  perf_event_open: 298,
  name_to_handle_at: 303,
  open_by_handle_at: 304,
  setns: 308,
  process_vm_readv: 310,
  process_vm_writev: 311,
  finit_module: 313,
  kexec_file_load: 320,
  bpf: 321,
  userfaultfd: 323,
};

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JGE_K = 0x35;
const BPF_RET_K = 0x06;
const AUDIT_ARCH_X86_64 = 0xc000003e;
const X32_SYSCALL_BIT = 0x40000000;
const RET_ALLOW = 0x7fff0000;
const RET_KILL_PROCESS = 0x80000000;
const RET_EPERM = 0x00050000 | 1;

export const deniedSyscalls = Object.keys(deniedX8664);

export function runnerSeccompFilter(): Buffer {
  const numbers = Object.values(deniedX8664);
  const program: [number, number, number, number][] = [
    [BPF_LD_W_ABS, 0, 0, 4], // arch
    [BPF_JEQ_K, 1, 0, AUDIT_ARCH_X86_64],
    [BPF_RET_K, 0, 0, RET_KILL_PROCESS],
    [BPF_LD_W_ABS, 0, 0, 0], // syscall number
    [BPF_JGE_K, numbers.length + 1, 0, X32_SYSCALL_BIT],
    ...numbers.map((nr, i): [number, number, number, number] => [BPF_JEQ_K, numbers.length - i, 0, nr]),
    [BPF_RET_K, 0, 0, RET_ALLOW],
    [BPF_RET_K, 0, 0, RET_EPERM],
  ];
  const buffer = Buffer.alloc(program.length * 8);
  program.forEach(([code, jt, jf, k], i) => {
    buffer.writeUInt16LE(code, i * 8);
    buffer.writeUInt8(jt, i * 8 + 2);
    buffer.writeUInt8(jf, i * 8 + 3);
    buffer.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return buffer;
}
