import { SortedIndex } from './sorted-index.js';

/** The tuple a record contributes to an index, or `undefined` to stay out of it. */
export type IndexParts<R> = (record: R) => readonly (string | number)[] | undefined;

/** An undo step of the transaction in progress. */
export type Undo = () => void;

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  for (const inner of Object.values(value)) deepFreeze(inner);
  return Object.freeze(value);
}

/**
 * One kind of record in memory: a map by primary key plus sorted secondary indexes. Every
 * write pushes its inverse onto the transaction's undo log, so a failed transaction is
 * rolled back exactly.
 */
export class MemTable<R> {
  private readonly rows = new Map<string, R>();
  private readonly indexes = new Map<string, { parts: IndexParts<R>; index: SortedIndex }>();

  constructor(
    private readonly keyOf: (record: R) => string,
    indexes: Readonly<Record<string, IndexParts<R>>>,
  ) {
    for (const [name, parts] of Object.entries(indexes)) {
      this.indexes.set(name, { parts, index: new SortedIndex() });
    }
  }

  /** The stored record with this key. */
  get(pk: string): R | undefined {
    return this.rows.get(pk);
  }

  /** The records with these keys, in order. */
  getAll(pks: readonly string[]): R[] {
    return pks.map((pk) => this.rows.get(pk) as R);
  }

  /** The named index. */
  index(name: string): SortedIndex {
    const entry = this.indexes.get(name);
    if (entry === undefined) throw new Error(`no index ${name}`);
    return entry.index;
  }

  /** Stores `record` (frozen), replacing any record with its key, and logs the undo step. */
  put(record: R, undo: Undo[]): void {
    const pk = this.keyOf(record);
    const before = this.rows.get(pk);
    this.write(pk, before, deepFreeze(record));
    undo.push(() => this.write(pk, this.rows.get(pk), before));
  }

  /** Deletes the record with this key, if any, and logs the undo step. */
  delete(pk: string, undo: Undo[]): void {
    const before = this.rows.get(pk);
    if (before === undefined) return;
    this.write(pk, before, undefined);
    undo.push(() => this.write(pk, undefined, before));
  }

  /** Adds many new records at once (bulk load; the caller has checked the keys are free). */
  putMany(records: readonly R[]): void {
    for (const record of records) this.rows.set(this.keyOf(record), deepFreeze(record));
    for (const { parts, index } of this.indexes.values()) {
      index.addMany(
        (function* (keyOf) {
          for (const record of records) {
            const p = parts(record);
            if (p !== undefined) yield [p, keyOf(record)] as const;
          }
        })(this.keyOf),
      );
    }
  }

  /** Whether a record has this key. */
  has(pk: string): boolean {
    return this.rows.has(pk);
  }

  private write(pk: string, before: R | undefined, after: R | undefined): void {
    for (const { parts, index } of this.indexes.values()) {
      const old = before === undefined ? undefined : parts(before);
      if (old !== undefined) index.remove(old, pk);
      const next = after === undefined ? undefined : parts(after);
      if (next !== undefined) index.add(next, pk);
    }
    if (after === undefined) this.rows.delete(pk);
    else this.rows.set(pk, after);
  }
}
