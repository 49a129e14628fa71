import { ValidationError } from '../errors/validation-error.js';

/**
 * The canonical JSON of a plain value: object keys sorted by code unit, no whitespace,
 * `undefined` properties left out (as JSON does). Hashes are taken over this text, so the
 * same value always hashes the same whatever order its keys were built in.
 *
 * @throws VALIDATION when the value is not plain JSON (a function, a Date, a non-finite
 * number, a bigint, a cycle).
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  try {
    return encode(value, new Set());
  } catch (error) {
    if (!(error instanceof Fault)) throw error;
    throw new ValidationError('audit event', [
      { field: error.path.reverse().join('.'), message: error.message },
    ]);
  }
}

/**
 * Why a value is not plain JSON, and where: the path is built only on the way out of a
 * failure, so the hot path (every command's audit record) builds no path strings.
 */
class Fault {
  /** The keys from the faulty value up to the root (reversed once, at the top). */
  readonly path: (string | number)[] = [];
  constructor(readonly message: string) {}
}

/** A fault on its way out through `key`: the key joins its path. */
function within(error: unknown, key: string | number): unknown {
  if (error instanceof Fault) error.path.push(key);
  return error;
}

function encode(value: unknown, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new Fault('must be a finite number');
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new Fault(`must be plain JSON, not a ${typeof value}`);
  }
  const obj = value as Record<string, unknown>;
  if (seen.has(obj)) throw new Fault('must not contain a cycle');
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      let out = '[';
      for (let i = 0; i < obj.length; i++) {
        if (i > 0) out += ',';
        try {
          out += encode(obj[i] ?? null, seen);
        } catch (error) {
          throw within(error, i);
        }
      }
      return `${out}]`;
    }
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      throw new Fault('must be a plain object (write dates as ISO strings)');
    }
    // Sorted by UTF-16 code unit: the default order of sort() on strings.
    const keys = Object.keys(obj).sort();
    let out = '{';
    for (const key of keys) {
      const inner = obj[key];
      if (inner === undefined) continue;
      if (out.length > 1) out += ',';
      try {
        out += `${JSON.stringify(key)}:${encode(inner, seen)}`;
      } catch (error) {
        throw within(error, key);
      }
    }
    return `${out}}`;
  } finally {
    seen.delete(obj);
  }
}

// The audit chain's hash, here since the chain is taken over canonical JSON.
export { sha256Hex } from '../crypto/hash.js';
