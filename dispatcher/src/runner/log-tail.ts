import { WorkerEntrypoint } from 'cloudflare:workers';
import type { LogEntry } from '@switchyard/protocol';
import { readApi, type HostEnv } from '../host-env.ts';

const text = (message: unknown) => (Array.isArray(message) ? message : [message]).map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' ');

/**
 * The tail consumer of every user worker that turned logs on: after each invocation workerd hands
 * it the invocation's console output, exceptions and outcome, which go to the control plane's log store.
 */
export class LogTail extends WorkerEntrypoint<HostEnv, { versionId: string }> {
  async tail(events: TraceItem[]): Promise<void> {
    const entries = events.flatMap((event): LogEntry[] => {
      const url = event.event && 'request' in event.event ? (event.event.request as { url?: string }).url : undefined;
      const outcome = event.outcome;
      return [
        ...event.logs.map((log) => ({ at: log.timestamp, level: String(log.level).slice(0, 16), message: text(log.message).slice(0, 4096), outcome, url })),
        ...event.exceptions.map((exception) => ({ at: exception.timestamp, level: 'exception', message: `${exception.name}: ${exception.message}`.slice(0, 4096), outcome, url })),
      ];
    });
    if (entries.length > 0) await readApi(this.env).appendLogs({ versionId: this.ctx.props.versionId, entries: entries.slice(0, 1000) });
  }
}
