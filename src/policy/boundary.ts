/*
 * Validation at the boundary, once per input object. A front end asks about the same actor
 * and the same targets over and over (every button of every row); validating them again
 * each time was 95% of `decide()`'s time (45k decisions/s against 2M/s prepared, measured
 * by bench/policy). So an input object is validated by its schema the first time it is
 * seen, and its data copied; when the same object comes back holding the same data (compared
 * field by field with the copy, far cheaper than validating), the validated value is
 * reused. Changed data, or data that is not plain (a class instance, a cycle, deeper than
 * any policy input), is validated again. Validation is a pure function of the data, so the
 * result is the one validating again would give.
 */

const MAX_DEPTH = 8;
const NOT_PLAIN = Symbol('not plain data');

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A deep copy of plain data (objects, arrays, primitives), or NOT_PLAIN. */
function copyData(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) {
    return typeof value === 'function' || typeof value === 'symbol' ? NOT_PLAIN : value;
  }
  if (depth > MAX_DEPTH) return NOT_PLAIN;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    for (const item of value) {
      const inner = copyData(item, depth + 1);
      if (inner === NOT_PLAIN) return NOT_PLAIN;
      copy.push(inner);
    }
    return copy;
  }
  if (!isPlainObject(value)) return NOT_PLAIN;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const inner = copyData((value as Record<string, unknown>)[key], depth + 1);
    if (inner === NOT_PLAIN) return NOT_PLAIN;
    copy[key] = inner;
  }
  return copy;
}

/** Whether `value` holds exactly the data of `copy` (made by copyData). */
function sameData(copy: unknown, value: unknown): boolean {
  if (typeof copy !== 'object' || copy === null) return Object.is(copy, value);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(copy)) {
    if (!Array.isArray(value) || value.length !== copy.length) return false;
    for (let i = 0; i < copy.length; i++) if (!sameData(copy[i], value[i])) return false;
    return true;
  }
  if (Array.isArray(value) || !isPlainObject(value)) return false;
  const expected = copy as Record<string, unknown>;
  const actual = value as Record<string, unknown>;
  let keys = 0;
  for (const key in actual) {
    if (!Object.hasOwn(expected, key) || !sameData(expected[key], actual[key])) return false;
    keys++;
  }
  for (const _ in expected) keys--;
  return keys === 0;
}

/** Validates each input object once while its data stays the same (see above). */
export class ValidatedOnce<T> {
  readonly #seen = new WeakMap<object, { readonly copy: unknown; readonly value: T }>();
  readonly #validate: (input: unknown) => T;

  constructor(validate: (input: unknown) => T) {
    this.#validate = validate;
  }

  /**
   * The validated value of `input`.
   *
   * @throws VALIDATION from the schema, when `input` is not valid.
   */
  get(input: unknown): T {
    if (typeof input !== 'object' || input === null) return this.#validate(input);
    const seen = this.#seen.get(input);
    if (seen !== undefined && sameData(seen.copy, input)) return seen.value;
    const value = this.#validate(input);
    const copy = copyData(input, 0);
    if (copy !== NOT_PLAIN) this.#seen.set(input, { copy, value });
    return value;
  }
}
