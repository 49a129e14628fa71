import { ValidationError } from './validation-error.js';

/*
 * Issue 13: careid's public functions answer any JavaScript value with a careid error.
 * careid/card's run on every APDU, so these are typeof/instanceof tests, not schemas. A
 * value of the wrong kind (not bytes, not a number, not a string, not a record) is a
 * ValidationError naming the argument; a value of the right kind that breaks a format
 * (ISO 7816-4, BER, DER) stays the layer's own coded error (CARD_PROTOCOL, PKI_MALFORMED).
 */

/**
 * The error for argument `field` of `what` that is not what it should be.
 *
 * @example
 * ```ts
 * throw invalidArgument('decodeTlv input', 'bytes', 'a Uint8Array', value);
 * ```
 */
export function invalidArgument(
  what: string,
  field: string,
  expected: string,
  value: unknown,
): ValidationError {
  return new ValidationError(what, [
    { field, message: `must be ${expected}, got ${kindOf(value)}` },
  ]);
}

/**
 * Checks that `value` is a Uint8Array (a Buffer is one).
 *
 * @throws VALIDATION otherwise.
 */
export function checkBytes(
  value: unknown,
  what: string,
  field: string,
): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw invalidArgument(what, field, 'a Uint8Array', value);
  }
}

/**
 * Checks that `value` is a whole number from `min` to `max`.
 *
 * @throws VALIDATION otherwise.
 */
export function checkWhole(
  value: unknown,
  min: number,
  max: number,
  what: string,
  field: string,
): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(what, field, `a whole number from ${min} to ${max}`, value);
  }
}

/**
 * Checks that `value` is a string.
 *
 * @throws VALIDATION otherwise.
 */
export function checkString(value: unknown, what: string, field: string): asserts value is string {
  if (typeof value !== 'string') throw invalidArgument(what, field, 'a string', value);
}

/**
 * Checks that `value` is an object whose fields can be read (not null, an array or bytes).
 *
 * @throws VALIDATION otherwise.
 */
export function checkRecord(
  value: unknown,
  what: string,
  field: string,
): asserts value is { readonly [field: string]: unknown } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument(what, field, 'an object', value);
  }
}

/**
 * Checks that `value` is one of the names of `table` (its own keys: never `toString` or
 * `__proto__`), so `table[value]` is defined.
 *
 * @throws VALIDATION otherwise.
 */
export function checkName<K extends string>(
  value: unknown,
  table: Readonly<Record<K, unknown>>,
  what: string,
  field: string,
): asserts value is K {
  if (typeof value !== 'string' || !Object.hasOwn(table, value)) {
    throw invalidArgument(what, field, `one of ${Object.keys(table).join(', ')}`, value);
  }
}

/**
 * What kind of value `value` is, in a few words, for an error message: `a string`, `null`,
 * `a Uint16Array`, `a Map`, `an object`. Never the value itself: it may be a secret (a PIN,
 * a key, AUD-02) or a megabyte long. Finite numbers are the exception: they are shown,
 * since a number out of range is what a person needs to see (`300`).
 *
 * Never throws, whatever the value (null-prototype objects have no `toString`).
 *
 * @example
 * ```ts
 * kindOf(Object.create(null)); // 'an object'
 * ```
 */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'number':
      return Number.isFinite(value) ? String(value) : `the number ${String(value)}`;
    case 'string':
      if (value.length === 0) return 'an empty string';
      return `a string of ${value.length} character${value.length === 1 ? '' : 's'}`;
    case 'bigint':
      return 'a bigint';
    case 'boolean':
      return 'a boolean';
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
  }
  if (Array.isArray(value)) return 'an array';
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype) return 'an object';
  const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && /^[A-Za-z]\w{0,40}$/.test(name)
    ? `${/^[AEIO]/.test(name) ? 'an' : 'a'} ${name}`
    : 'an object';
}
