/**
 * Serialises typed config objects to Cap'n Proto text, the format `workerd serve` reads. Values
 * map one to one: objects are structs, arrays are lists, strings are quoted; enum values and
 * embedded files are marked explicitly so nothing is ever spliced in as raw text.
 */
export type CapnpValue = string | number | boolean | CapnpEnum | CapnpVoid | CapnpValue[] | { [field: string]: CapnpValue | undefined };

export class CapnpEnum {
  readonly name: string;
  constructor(name: string) {
    if (!/^[a-zA-Z][a-zA-Z0-9]*$/.test(name)) throw new Error(`invalid capnp enumerant ${name}`);
    this.name = name;
  }
}

export class CapnpVoid {}

export const enumValue = (name: string) => new CapnpEnum(name);
export const voidValue = new CapnpVoid();

const escapes: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A capnp text literal. One regex pass: configs embed whole worker bundles (100+ KB). */
function quote(text: string): string {
  return `"${text.replace(/["\\\n\r\t\x00-\x1f\x7f]/g, (char) => escapes[char] ?? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`)}"`;
}

export function serializeValue(value: CapnpValue): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('capnp numbers must be finite');
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof CapnpEnum) return value.name;
  if (value instanceof CapnpVoid) return '()';
  if (Array.isArray(value)) return `[${value.map(serializeValue).join(', ')}]`;
  const fields = Object.entries(value)
    .filter(([, field]) => field !== undefined)
    .map(([name, field]) => {
      if (!/^[a-z][a-zA-Z0-9]*$/.test(name)) throw new Error(`invalid capnp field name ${name}`);
      return `${name} = ${serializeValue(field as CapnpValue)}`;
    });
  return `(${fields.join(', ')})`;
}

/** A whole config file: `const config :Workerd.Config = (...)`. */
export function serializeConfig(config: CapnpValue, schemaPath: string): string {
  return `using Workerd = import ${quote(schemaPath)};\nconst config :Workerd.Config = ${serializeValue(config)};\n`;
}
