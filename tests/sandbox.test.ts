import assert from 'node:assert/strict';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Api, esModule, uploadScript } from './helpers/api.ts';
import { visit } from './helpers/ingress.ts';
import { descendants } from '../packages/bench/src/process-memory.ts';
import { removeDataDir, startPlatform, type RunningPlatform, usePlatform } from './helpers/platform.ts';

const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
const status = (pid: number, field: string) => new RegExp(`^${field}:\\s+(.*)$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '';

// These layers exist where the machine allows them (Linux, root, bubblewrap, cgroup v1): the
// platform says at start which are active, and this suite checks that what it says is true.
const sandboxable = process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/bin/bwrap');

describe('runner processes are sandboxed where the machine allows', { skip: sandboxable ? false : 'needs Linux, root and bubblewrap' }, () => {
  let platform: RunningPlatform;
  let runners: number[];

  usePlatform({}, async (started) => {
    platform = started.platform;
    await uploadScript(new Api(platform), 'production', 'probe', {}, [esModule('index.mjs', 'export default { fetch() { return new Response("ok"); } };')]);
    assert.equal((await visit(platform.ingress, 'probe')).body, 'ok');
    runners = descendants(platform.process.pid!).filter((pid) => /^\/workerd serve \/config\/runner-/.test(cmdline(pid)));
  });

  it('says at start which layers are active', () => {
    assert.match(platform.output(), /runner sandbox: bubblewrap .*uid 65534/);
  });

  it('runs runners as uid 65534, in a pid namespace, with a seccomp filter and nothing of the host environment', () => {
    assert.equal(runners.length, 2, 'two runner processes under bubblewrap');
    for (const pid of runners) {
      assert.match(status(pid, 'Uid'), /^65534\s+65534/);
      assert.equal(status(pid, 'Seccomp'), '2', 'seccomp filter mode');
      assert.notEqual(readlinkSync(`/proc/${pid}/ns/pid`), readlinkSync('/proc/self/ns/pid'), 'a pid namespace of its own');
      assert.notEqual(readlinkSync(`/proc/${pid}/ns/user`), readlinkSync('/proc/self/ns/user'), 'a user namespace of its own');
      assert.equal(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).filter((v) => !/^(PATH|PWD)=/.test(v)).length, 0);
      if (existsSync('/sys/fs/cgroup/memory/switchyard')) assert.match(readFileSync(`/proc/${pid}/cgroup`, 'utf8'), /memory:\/switchyard\/node-\d+-[0-9a-f]{8}\/runner-\d/);
    }
  });

  it('gives each node cgroups of its own, and removes them when it stops', { skip: existsSync('/sys/fs/cgroup/memory/switchyard') ? false : 'no memory cgroup' }, async () => {
    const other = await startPlatform();
    try {
      const group = (pid: number) => /memory:(\/switchyard\/[^/\n]+)\/runner-\d/.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))![1];
      const theirs = descendants(other.process.pid!).filter((pid) => /^\/workerd serve \/config\/runner-/.test(cmdline(pid)));
      assert.equal(theirs.length, 2);
      const mine = group(runners[0]);
      const otherGroup = group(theirs[0]);
      assert.notEqual(otherGroup, mine, 'two platforms on one host do not share runner cgroups');
      assert.ok(existsSync(`/sys/fs/cgroup/memory${otherGroup}`));
      await other.stop();
      assert.equal(existsSync(`/sys/fs/cgroup/memory${otherGroup}`), false, 'the stopped node removed its cgroups');
      assert.ok(existsSync(`/sys/fs/cgroup/memory${mine}`), 'the running node kept its own');
    } finally {
      await other.stop();
      await removeDataDir(other);
    }
  });
});
