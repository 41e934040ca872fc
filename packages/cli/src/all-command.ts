import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const mainScript = fileURLToPath(new URL('./main.ts', import.meta.url));
const setpriv = '/usr/bin/setpriv';

interface Child {
  process: ChildProcess;
  /** Resolves with the first match of `ready` in the child's output. */
  ready: Promise<RegExpExecArray>;
  exited: Promise<void>;
}

/** Starts `main.ts <mode>` as a child that dies with this process, relaying its output. */
function startChild(mode: 'api' | 'node', env: Record<string, string>, ready: RegExp): Child {
  let command = [process.execPath, '--disable-warning=ExperimentalWarning', mainScript, mode];
  if (existsSync(setpriv)) command = [setpriv, '--pdeathsig', 'KILL', '--', ...command];
  const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env, SWITCHYARD_PARENT_PID: String(process.pid) } });
  child.stderr!.pipe(process.stderr);
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const readiness = new Promise<RegExpExecArray>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) resolve(match);
    });
    child.once('exit', (code, signal) => reject(new Error(`switchyard ${mode} exited (${signal ?? code}) before it was ready`)));
  });
  return { process: child, ready: readiness, exited };
}

/**
 * `npm start`: the whole platform on this machine, as two processes that talk only over HTTP:
 * the control plane (`api`) and a data plane node (`node`), with a node token made up for them
 * unless SWITCHYARD_NODE_TOKEN sets one.
 */
export async function runAll(): Promise<void> {
  const nodeToken = process.env.SWITCHYARD_NODE_TOKEN || randomBytes(24).toString('base64url');
  const api = startChild('api', { SWITCHYARD_NODE_TOKEN: nodeToken }, /switchyard api: listening on (http:\/\/\S+)\/client\/v4/);
  const children: Child[] = [api];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    // Both at once: each stops what it runs within 4 s, and whatever is left after 4.5 s is killed.
    for (const child of children) child.process.kill('SIGTERM');
    await Promise.race([Promise.all(children.map((child) => child.exited)), new Promise((resolve) => setTimeout(resolve, 4500))]);
    for (const child of children) child.process.kill('SIGKILL');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  try {
    const [, apiUrl] = await api.ready;
    const node = startChild('node', { SWITCHYARD_NODE_TOKEN: nodeToken, SWITCHYARD_CONTROL_URL: apiUrl }, /switchyard node: \S+ ready; traffic ingress on (http:\/\/\S+)/);
    children.push(node);
    const [, ingressUrl] = await node.ready;
    for (const child of children) void child.exited.then(() => stop(1));
    console.log(`switchyard: traffic ingress on ${ingressUrl}`);
    console.log(`switchyard: API listening on ${apiUrl}/client/v4`);
  } catch (error) {
    console.error(`switchyard: ${error instanceof Error ? error.message : error}`);
    await stop(1);
  }
}
