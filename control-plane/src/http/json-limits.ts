import { ApiError, errors } from './api-error.ts';

/** The deepest nesting of arrays and objects any JSON the API takes may have. */
export const maxJsonDepth = 64;

/**
 * How deeply the arrays and objects of JSON text nest, found by one pass over the characters
 * (no recursion, so any depth is measured without exhausting the stack). Brackets inside strings
 * do not count. The text need not be valid JSON: the parser judges that afterwards.
 */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c /* \ */) index++;
      else if (char === 0x22 /* " */) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x5b /* [ */ || char === 0x7b /* { */) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (char === 0x5d /* ] */ || char === 0x7d /* } */) {
      depth--;
    }
  }
  return deepest;
}

export interface JsonLimits {
  /** Names the JSON in refusals, e.g. `The "metadata" part`. */
  what: string;
  maxBytes: number;
  /** The API code of refusals (the endpoint's validation code). */
  code: number;
}

export const tooDeep = (what: string, code: number) =>
  errors.badRequest(`${what} nests arrays and objects more than ${maxJsonDepth} levels deep; flatten it.`, code);

export function assertJsonSize(what: string, bytes: number, maxBytes: number, code: number): void {
  if (bytes > maxBytes) throw new ApiError(413, code, `${what} is ${bytes} bytes; at most ${maxBytes} bytes are accepted.`);
}

/** Parses JSON text within a size and a nesting depth, answering 413 or 400 (never a stack overflow) past them. */
export function parseJsonWithin(text: string, limits: JsonLimits): unknown {
  assertJsonSize(limits.what, Buffer.byteLength(text), limits.maxBytes, limits.code);
  if (jsonNestingDepth(text) > maxJsonDepth) throw tooDeep(limits.what, limits.code);
  try {
    return JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) throw errors.badRequest(`${limits.what} is not valid JSON.`, limits.code);
    if (error instanceof RangeError) throw tooDeep(limits.what, limits.code);
    throw error;
  }
}
