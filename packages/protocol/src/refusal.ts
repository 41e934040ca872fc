import * as z from 'zod';

/** Codes of the refusals one Switchyard process answers another with. */
export const refusalCodes = {
  /** A message that does not match its schema. */
  malformedMessage: 20001,
  /** A call without the credential this endpoint requires. */
  unauthorized: 20002,
  /** A path this process does not serve. */
  unknownRoute: 20003,
  /** The other process answered with an error status. */
  upstreamFailed: 20004,
} as const;

/** A message from another process that was refused: never a crash, never a silent default. */
export class ProtocolError extends Error {
  readonly code: number;
  readonly status: number;

  constructor(code: number, message: string, status = 400) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
    this.status = status;
  }
}

/** Parses `value` with `schema`, or throws a coded refusal naming what arrived and what is wrong. */
export function parseMessage<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
  throw new ProtocolError(refusalCodes.malformedMessage, `Malformed ${what}${where}: ${issue?.message ?? 'does not match its schema'}.`);
}

/** Parses a JSON text with `schema`; unparseable JSON is refused the same way. */
export function parseJsonMessage<S extends z.ZodType>(schema: S, text: string, what: string): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError(refusalCodes.malformedMessage, `Malformed ${what}: not JSON.`);
  }
  return parseMessage(schema, value, what);
}

/** A failure answer of another process, in Cloudflare's envelope: what the caller may read of it. */
export const failureEnvelopeSchema = z.object({ errors: z.array(z.object({ code: z.number(), message: z.string() })).min(1) });

/** The first error message of a failure answer, or its status when it carries no envelope. */
export async function failureMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    return failureEnvelopeSchema.parse(JSON.parse(text)).errors[0].message;
  } catch {
    return `${response.status} ${text.slice(0, 200)}`.trim();
  }
}

/** A refusal as the receiving process answers it, in Cloudflare's envelope. */
export function refusalBody(error: ProtocolError): { success: false; errors: { code: number; message: string }[]; messages: []; result: null } {
  return { success: false, errors: [{ code: error.code, message: error.message }], messages: [], result: null };
}
