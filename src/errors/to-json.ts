/**
 * Field names that may hold a secret (AUD-02): passcodes, PINs, PUKs, keys, one-time codes,
 * tokens. A field so named is never serialised, at any depth, whatever its value.
 */
const SECRET_FIELD =
  /^(pin|puk|otp)$|passcode|password|secret|private|managementkey|keymaterial|onetime|token/i;

/** Fields of an error that are never serialised: what led to it can hold anything. */
const NEVER = new Set(['cause', 'stack', 'name', 'code', 'message']);

/** Nesting deeper than this is cut: error fields are small records, not graphs. */
const MAX_DEPTH = 8;

/**
 * A value as plain JSON data, or `undefined` to leave it out. Bytes, errors, functions,
 * maps and class instances without their own `toJSON` are left out: bytes may be key
 * material (AUD-02) and an error is a cause by another name.
 */
export function jsonSafe(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'object' || depth >= MAX_DEPTH) return undefined;
  if (value instanceof Error || ArrayBuffer.isView(value) || value instanceof ArrayBuffer)
    return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (Array.isArray(value)) {
    return value.map((item) => jsonSafe(item, depth + 1) ?? null);
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    return typeof toJSON === 'function' ? jsonSafe(toJSON.call(value), depth + 1) : undefined;
  }
  return jsonSafeFields(value as Record<string, unknown>, depth + 1);
}

/** The own enumerable fields of `record` as plain JSON, secret-named fields left out. */
export function jsonSafeFields(
  record: object,
  depth = 0,
  skip: ReadonlySet<string> = new Set(),
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(record)) {
    if (skip.has(field) || SECRET_FIELD.test(field)) continue;
    const safe = jsonSafe(value, depth);
    if (safe !== undefined) out[field] = safe;
  }
  return out;
}

/** The fields of a careid error that `toJSON` writes besides name, code and message. */
export function errorFields(error: object): Record<string, unknown> {
  return jsonSafeFields(error, 0, NEVER);
}
