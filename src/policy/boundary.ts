/*
 * Validation at the boundary, once per input object. A front end asks about the same actor
 * and the same targets over and over (every button of every row); validating them again
 * each time was 95% of `decide()`'s time (45k decisions/s against 2M/s prepared, measured
 * by bench/policy). So an input object is validated by its schema the first time it is
 * seen, and the data the schema reads is copied; when the same object comes back holding
 * the same data (compared field by field with the copy, far cheaper than validating), the
 * validated value is reused. Only the fields the schema reads are compared (it strips the
 * others), following the schema's own shape. A deeply frozen object (as immer or Redux
 * Toolkit leave a front end's state) cannot change, so for it the object itself is enough.
 * Validation is a pure function of the data it reads, so the value reused is the one
 * validating again would give.
 */
import type * as z from 'zod/mini';

/** What a schema reads of its input: an object's fields, an array's items, or a value. */
type Reads =
  | { readonly kind: 'object'; readonly keys: readonly string[]; readonly fields: readonly Reads[] }
  | { readonly kind: 'array'; readonly item: Reads }
  | { readonly kind: 'value' };

const VALUE: Reads = { kind: 'value' };

interface Def {
  readonly type: string;
  readonly innerType?: z.ZodMiniType;
  readonly in?: z.ZodMiniType;
  readonly shape?: Readonly<Record<string, z.ZodMiniType>>;
  readonly element?: z.ZodMiniType;
}

/** What `schema` reads, following wrappers (optional, default, readonly, nullable, pipe). */
function readsOf(schema: z.ZodMiniType): Reads {
  const def = (schema as unknown as { _zod: { def: Def } })._zod.def;
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nullable':
      return readsOf(def.innerType!);
    case 'pipe':
      return readsOf(def.in!);
    case 'object': {
      const keys = Object.keys(def.shape!);
      return { kind: 'object', keys, fields: keys.map((k) => readsOf(def.shape![k]!)) };
    }
    case 'array':
      return { kind: 'array', item: readsOf(def.element!) };
    default:
      // A string, number, enum, union of those: compared as a value (an object there
      // would have failed validation, so it is never copied).
      return VALUE;
  }
}

/** A copy of what `reads` reads of `value` (nested arrays of the fields, in key order). */
function copyOf(reads: Reads, value: unknown): unknown {
  if (reads.kind === 'value' || typeof value !== 'object' || value === null) return value;
  if (reads.kind === 'array') {
    return (value as readonly unknown[]).map((item) => copyOf(reads.item, item));
  }
  const record = value as Record<string, unknown>;
  return reads.keys.map((key, i) => copyOf(reads.fields[i]!, record[key]));
}

/** Whether `value` holds, where `reads` reads, exactly the data of `copy`. */
function same(reads: Reads, copy: unknown, value: unknown): boolean {
  if (reads.kind === 'value' || typeof copy !== 'object' || copy === null) {
    return Object.is(copy, value);
  }
  if (typeof value !== 'object' || value === null) return false;
  const copied = copy as readonly unknown[];
  if (reads.kind === 'array') {
    const items = value as readonly unknown[];
    if (!Array.isArray(items) || items.length !== copied.length) return false;
    for (let i = 0; i < copied.length; i++)
      if (!same(reads.item, copied[i], items[i])) return false;
    return true;
  }
  if (Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  const keys = reads.keys;
  for (let i = 0; i < keys.length; i++) {
    if (!same(reads.fields[i]!, copied[i], record[keys[i]!])) return false;
  }
  return true;
}

/**
 * `same` for one schema, generated as straight-line code with the field names written out,
 * so that each property read sees one object shape (4x faster than `same`, measured with
 * bench/policy's workload). Where a page's Content-Security-Policy forbids generating code
 * (as zod's own compiled parsers also detect), `same` is used.
 */
function compiledSame(reads: Reads): ((copy: unknown, value: unknown) => boolean) | undefined {
  let n = 0;
  const gen = (r: Reads, c: string, v: string): string => {
    if (r.kind === 'value')
      return `if (${c} !== ${v} && (${c} === ${c} || ${v} === ${v})) return false;\n`;
    const k = n++;
    const cv = `c${k}`;
    const vv = `v${k}`;
    let body = `const ${cv} = ${c}, ${vv} = ${v};\n`;
    if (r.kind === 'array') {
      body += `if (!Array.isArray(${vv}) || ${vv}.length !== ${cv}.length) return false;\n`;
      body += `for (let i${k} = 0; i${k} < ${cv}.length; i${k}++) {\n${gen(r.item, `${cv}[i${k}]`, `${vv}[i${k}]`)}}\n`;
    } else {
      body += `if (typeof ${vv} !== 'object' || ${vv} === null || Array.isArray(${vv})) return false;\n`;
      r.keys.forEach((key, i) => {
        body += gen(r.fields[i]!, `${cv}[${i}]`, `${vv}[${JSON.stringify(key)}]`);
      });
    }
    return `if (Array.isArray(${c})) {\n${body}} else if (${c} !== ${v}) return false;\n`;
  };
  try {
    return new Function('copy', 'value', `${gen(reads, 'copy', 'value')}return true;`) as (
      copy: unknown,
      value: unknown,
    ) => boolean;
  } catch {
    return undefined;
  }
}

/** Whether every object and array `reads` reads of `value` is frozen (then it never changes). */
function frozen(reads: Reads, value: unknown): boolean {
  if (reads.kind === 'value' || typeof value !== 'object' || value === null) return true;
  if (!Object.isFrozen(value)) return false;
  if (reads.kind === 'array') {
    return (value as readonly unknown[]).every((item) => frozen(reads.item, item));
  }
  const record = value as Record<string, unknown>;
  return reads.keys.every((key, i) => frozen(reads.fields[i]!, record[key]));
}

/** Marks a seen object that is deeply frozen: no copy to compare with. */
const FROZEN = Symbol('deeply frozen');

/** What was validated of an input object: a copy of what its schema read, and the result. */
interface Seen<T> {
  readonly copy: unknown;
  readonly value: T;
}

/** Validates each input object once while the data its schema reads stays the same (see above). */
export class ValidatedOnce<T> {
  readonly #seen = new WeakMap<object, Seen<T>>();
  #lastInput: object | undefined;
  #lastSeen: Seen<T> | undefined;
  readonly #reads: Reads;
  readonly #same: (copy: unknown, value: unknown) => boolean;
  readonly #validate: (input: unknown) => T;

  /** `validate` parses with `schema` (and may go on from its output). */
  constructor(schema: z.ZodMiniType, validate: (input: unknown) => T) {
    const reads = readsOf(schema);
    this.#reads = reads;
    this.#same = compiledSame(reads) ?? ((copy, value) => same(reads, copy, value));
    this.#validate = validate;
  }

  /**
   * The validated value of `input`, not remembered: for an object made for one question
   * (the RA builds its targets afresh per command), where copying it to recognise it
   * later is work for nothing.
   *
   * @throws VALIDATION from the schema, when `input` is not valid.
   */
  once(input: unknown): T {
    return this.#validate(input);
  }

  /**
   * The validated value of `input`.
   *
   * @throws VALIDATION from the schema, when `input` is not valid.
   */
  get(input: unknown): T {
    if (typeof input !== 'object' || input === null) return this.#validate(input);
    // The object asked about last is usually asked about again (one actor, many targets).
    let seen = input === this.#lastInput ? this.#lastSeen : this.#seen.get(input);
    if (seen === undefined || (seen.copy !== FROZEN && !this.#same(seen.copy, input))) {
      const value = this.#validate(input);
      const reads = this.#reads;
      seen = { copy: frozen(reads, input) ? FROZEN : copyOf(reads, input), value };
      this.#seen.set(input, seen);
    }
    this.#lastInput = input;
    this.#lastSeen = seen;
    return seen.value;
  }
}
