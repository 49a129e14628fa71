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
  return encode(value, '', new Set());
}

function fail(path: string, message: string): never {
  throw new ValidationError('audit event', [{ field: path, message }]);
}

function encode(value: unknown, path: string, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) fail(path, 'must be a finite number');
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      fail(path, `must be plain JSON, not a ${typeof value}`);
  }
  const obj = value as object;
  if (seen.has(obj)) fail(path, 'must not contain a cycle');
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      return `[${obj.map((v, i) => encode(v ?? null, path === '' ? `${i}` : `${path}.${i}`, seen)).join(',')}]`;
    }
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      fail(path, 'must be a plain object (write dates as ISO strings)');
    }
    const entries = Object.entries(obj)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const parts = entries.map(
      ([k, v]) => `${JSON.stringify(k)}:${encode(v, path === '' ? k : `${path}.${k}`, seen)}`,
    );
    return `{${parts.join(',')}}`;
  } finally {
    seen.delete(obj);
  }
}

// The audit chain's hash, here since the chain is taken over canonical JSON.
export { sha256Hex } from '../crypto/hash.js';
