import { errors } from '../http/api-error.ts';
import type { ModuleType } from './version-content.ts';

const mebibyte = 1024 * 1024;

/** What one Worker upload may carry. Every part counts toward one of these (see README, "Limits"). */
export const uploadLimits = {
  /** All module parts together: code and the data it imports (every part but source maps and metadata). */
  moduleBytes: 10 * mebibyte,
  /** All source-map parts together. */
  sourceMapBytes: 10 * mebibyte,
  /** The `metadata` part (or the SDK's `metadata[...]` fields), and a settings patch. */
  metadataBytes: mebibyte,
  /** Module and source-map parts. */
  parts: 1000,
  /** A part's name, which becomes a module name. */
  partNameBytes: 1024,
  /** `annotations` as JSON. */
  annotationsBytes: 4096,
  /** Entries of `tail_consumers`. */
  tailConsumers: 16,
};

export interface PartSize {
  name: string;
  type: ModuleType;
  size: number;
}

const mib = (bytes: number) => `${bytes / mebibyte} MiB`;

/**
 * Refuses (413, code 10027) an upload whose parts exceed a limit, from their sizes alone, so
 * nothing of a refused upload is read further or stored.
 */
export function assertPartsWithinLimits(parts: PartSize[]): void {
  if (parts.length > uploadLimits.parts) {
    throw errors.tooLarge(10027, `The upload has ${parts.length} parts; at most ${uploadLimits.parts} are accepted: bundle modules together.`);
  }
  let moduleBytes = 0;
  let sourceMapBytes = 0;
  for (const part of parts) {
    if (Buffer.byteLength(part.name) > uploadLimits.partNameBytes) {
      throw errors.badRequest(`Part "${part.name.slice(0, 40)}…" has a name longer than ${uploadLimits.partNameBytes} bytes; give it a shorter one.`, 10021);
    }
    if (part.type === 'sourceMap') sourceMapBytes += part.size;
    else moduleBytes += part.size;
  }
  if (moduleBytes > uploadLimits.moduleBytes) {
    throw errors.tooLarge(10027, `The script's modules total ${moduleBytes} bytes, over the size limit of ${mib(uploadLimits.moduleBytes)}; make the bundle smaller.`);
  }
  if (sourceMapBytes > uploadLimits.sourceMapBytes) {
    throw errors.tooLarge(
      10027,
      `The upload's source maps total ${sourceMapBytes} bytes, over the size limit of ${mib(uploadLimits.sourceMapBytes)}; upload smaller source maps or none (wrangler: upload_source_maps = false).`,
    );
  }
}
