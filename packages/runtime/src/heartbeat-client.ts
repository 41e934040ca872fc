import { connect, type Socket } from 'node:net';
import { headers, parseJsonMessage, runnerHeartbeatSchema, type RunnerHeartbeat } from '@switchyard/protocol';

/**
 * Asks runners for their heartbeat over one kept-alive connection each, writing the HTTP/1.1
 * request by hand and reading the answer by its content-length. The watchdog asks a hundred times
 * a second per runner, so each ask must cost next to nothing; a general HTTP client costs ~10x more.
 */
export class HeartbeatClient {
  readonly #port: number;
  readonly #request: Buffer;
  #socket: Socket | null = null;
  #buffer = Buffer.alloc(0);
  #waiting: { resolve(beat: RunnerHeartbeat): void; reject(error: Error): void; timer: NodeJS.Timeout } | null = null;

  constructor(adminPort: number, secret: string) {
    this.#port = adminPort;
    this.#request = Buffer.from(`GET /heartbeat HTTP/1.1\r\nhost: runner\r\n${headers.internal}: ${secret}\r\n\r\n`);
  }

  /** The runner's heartbeat; rejects if it does not answer within `timeoutMs` (one ask at a time). */
  read(timeoutMs = 1000): Promise<RunnerHeartbeat> {
    if (this.#waiting) return Promise.reject(new Error('a heartbeat is already being read'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.#fail(new Error('runner heartbeat timed out')), timeoutMs);
      this.#waiting = { resolve, reject, timer };
      this.#connection().write(this.#request);
    });
  }

  close(): void {
    this.#socket?.destroy();
    this.#socket = null;
  }

  #connection(): Socket {
    if (this.#socket && !this.#socket.destroyed) return this.#socket;
    this.#buffer = Buffer.alloc(0);
    const socket = connect({ host: '127.0.0.1', port: this.#port, noDelay: true });
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#parse();
    });
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => {
      if (this.#socket === socket) this.#socket = null;
      this.#fail(new Error('runner closed the heartbeat connection'));
    });
    this.#socket = socket;
    return socket;
  }

  #parse(): void {
    const end = this.#buffer.indexOf('\r\n\r\n');
    if (end === -1) return;
    const head = this.#buffer.subarray(0, end).toString('latin1');
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? NaN);
    if (!Number.isFinite(length)) return this.#fail(new Error('runner heartbeat without content-length'), true);
    if (this.#buffer.length < end + 4 + length) return;
    const body = this.#buffer.subarray(end + 4, end + 4 + length).toString('utf8');
    this.#buffer = this.#buffer.subarray(end + 4 + length);
    const waiting = this.#waiting;
    this.#waiting = null;
    if (!waiting) return;
    clearTimeout(waiting.timer);
    if (!head.startsWith('HTTP/1.1 200')) return waiting.reject(new Error(`runner heartbeat answered ${head.split('\r\n')[0]}`));
    try {
      waiting.resolve(parseJsonMessage(runnerHeartbeatSchema, body, 'runner heartbeat'));
    } catch (error) {
      waiting.reject(error as Error);
    }
  }

  #fail(error: Error, closeConnection = false): void {
    const waiting = this.#waiting;
    this.#waiting = null;
    if (waiting) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
    }
    // A timed-out or garbled answer may still arrive: start over on a fresh connection.
    if (closeConnection || error.message.includes('timed out')) this.close();
  }
}
