import { errors } from '../http/api-error.ts';
import type { ModuleType } from './version-content.ts';

const byContentType: Record<string, ModuleType> = {
  'application/javascript+module': 'esModule',
  'text/javascript+module': 'esModule',
  'application/javascript': 'commonJsModule',
  'text/javascript': 'commonJsModule',
  'application/x-javascript': 'commonJsModule',
  'text/plain': 'text',
  'application/octet-stream': 'data',
  'application/wasm': 'wasm',
  'application/json': 'json',
  'application/source-map': 'sourceMap',
};

const byExtension: Record<string, ModuleType> = {
  mjs: 'esModule',
  js: 'esModule',
  cjs: 'commonJsModule',
  txt: 'text',
  html: 'text',
  bin: 'data',
  wasm: 'wasm',
  json: 'json',
  map: 'sourceMap',
};

/**
 * The module type of an upload part, from its content type as Cloudflare defines them, or, when a
 * client sent none, from the file extension.
 */
export function moduleTypeOf(partName: string, contentType: string): ModuleType {
  const bare = contentType.split(';')[0].trim().toLowerCase();
  const known = byContentType[bare];
  if (known) return known;
  if (bare === '' || bare === 'application/octet-stream') {
    const extension = partName.split('.').pop()?.toLowerCase() ?? '';
    const inferred = byExtension[extension];
    if (inferred) return inferred;
  }
  if (bare.includes('python')) {
    throw errors.badRequest(`Part "${partName}": Python Workers are not supported by Switchyard.`, 10021);
  }
  throw errors.badRequest(
    `Part "${partName}" has content type "${contentType}", which is not a module type. Use one of: ${Object.keys(byContentType).join(', ')}.`,
    10021,
  );
}
