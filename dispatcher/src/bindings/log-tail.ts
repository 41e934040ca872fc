import { WorkerEntrypoint } from 'cloudflare:workers';
import type { HostEnv } from '../config.ts';
import { ControlPlaneClient } from '../control-plane-client.ts';

export interface LogOwner {
  namespace: string;
  script: string;
  versionId: string;
}

const text = (message: unknown) => (Array.isArray(message) ? message : [message]).map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' ');

/**
 * The tail consumer of every user worker: after each invocation workerd hands it the invocation's
 * console output, exceptions and outcome, which go to the control plane's log store.
 */
export class LogTail extends WorkerEntrypoint<HostEnv, LogOwner> {
  async tail(events: TraceItem[]): Promise<void> {
    const entries = events.flatMap((event) => {
      const url = event.event && 'request' in event.event ? (event.event.request as { url?: string }).url : undefined;
      return [
        ...event.logs.map((log) => ({ at: log.timestamp, level: log.level, message: text(log.message).slice(0, 4096), outcome: event.outcome, url })),
        ...event.exceptions.map((exception) => ({
          at: exception.timestamp,
          level: 'exception',
          message: `${exception.name}: ${exception.message}`.slice(0, 4096),
          outcome: event.outcome,
          url,
        })),
      ];
    });
    if (entries.length === 0) return;
    const client = new ControlPlaneClient(this.env.CONTROL, this.env.SWITCHYARD);
    await client.request('/logs', { method: 'POST', body: JSON.stringify({ ...this.ctx.props, entries }), headers: { 'content-type': 'application/json' } });
  }
}
