import { startControlPlane } from '@switchyard/control-plane';

function readPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return port;
}

async function start(): Promise<void> {
  const controlPlane = await startControlPlane({
    dataDir: process.env.SWITCHYARD_DATA_DIR || './.switchyard',
    port: readPort('SWITCHYARD_API_PORT', 8787),
    host: process.env.SWITCHYARD_API_HOST || '127.0.0.1',
    accountId: process.env.SWITCHYARD_ACCOUNT_ID || undefined,
    apiToken: process.env.SWITCHYARD_API_TOKEN || undefined,
  });
  console.log(`switchyard: API listening on ${controlPlane.url}/client/v4`);
  console.log(`switchyard: account id ${controlPlane.accountId}`);
  if (controlPlane.generatedToken) {
    console.log(`switchyard: generated API token (shown once, keep it): ${controlPlane.generatedToken}`);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`switchyard: ${signal} received, stopping`);
    await controlPlane.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

const command = process.argv[2] ?? 'start';
if (command !== 'start') {
  console.error(`usage: switchyard start`);
  process.exit(2);
}
await start();
