// Index keys are tuples encoded in one string: parts joined by \u0000, which no escaped
// part contains, so string order is tuple order (code-unit order within a part).
const SEP = '\u0000';

function escapePart(part: string | number): string {
  const text = typeof part === 'number' ? String(part).padStart(16, '0') : part;
  return text.replaceAll('\u0001', '\u0001\u0002').replaceAll('\u0000', '\u0001\u0001');
}

/**
 * Encodes a tuple as an index key.
 *
 * @example
 * ```ts
 * encodeKey(['smith', 'ann']) // 'smith\u0000ann'
 * ```
 */
export function encodeKey(parts: readonly (string | number)[]): string {
  return parts.map(escapePart).join(SEP);
}

/** One entry of an index: the encoded tuple (ending with the primary key) and the primary key. */
interface Entry {
  readonly key: string;
  readonly pk: string;
}

/**
 * A sorted index for the memory store: binary search for lookups and range scans, so
 * queries read only the entries they return (no full scans).
 */
export class SortedIndex {
  private entries: Entry[] = [];

  /** The position of the first entry whose key is >= `key` (or > when `after`). */
  private lowerBound(key: string, after: boolean): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = (this.entries[mid] as Entry).key;
      if (k < key || (after && k === key)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds an entry. */
  add(parts: readonly (string | number)[], pk: string): void {
    const key = encodeKey([...parts, pk]);
    this.entries.splice(this.lowerBound(key, false), 0, { key, pk });
  }

  /** Removes an entry. */
  remove(parts: readonly (string | number)[], pk: string): void {
    const key = encodeKey([...parts, pk]);
    const at = this.lowerBound(key, false);
    if (this.entries[at]?.key === key) this.entries.splice(at, 1);
  }

  /** Adds many entries at once, sorting once (bulk load). */
  addMany(items: Iterable<readonly [readonly (string | number)[], string]>): void {
    for (const [parts, pk] of items) this.entries.push({ key: encodeKey([...parts, pk]), pk });
    this.entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /**
   * Primary keys, in order, of the entries whose tuple starts with `equal`, then (when
   * given) a part starting with `prefix`; from the tuple `from` on, strictly after the
   * full tuple `after` (a cursor), skipping those `filter` refuses, ending before the first
   * that `stop` accepts, at most `limit`.
   */
  scan(options: {
    readonly equal: readonly (string | number)[];
    readonly prefix?: string | undefined;
    readonly from?: readonly (string | number)[] | undefined;
    readonly after?: readonly (string | number)[] | undefined;
    readonly limit?: number | undefined;
    readonly filter?: ((pk: string) => boolean) | undefined;
    readonly stop?: ((pk: string) => boolean) | undefined;
  }): string[] {
    const base = options.equal.length === 0 ? '' : encodeKey(options.equal) + SEP;
    const start = base + (options.prefix === undefined ? '' : escapePart(options.prefix));
    let at = this.lowerBound(start, false);
    if (options.from !== undefined) {
      at = Math.max(at, this.lowerBound(base + encodeKey(options.from), false));
    }
    if (options.after !== undefined) {
      at = Math.max(at, this.lowerBound(encodeKey(options.after), true));
    }
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const out: string[] = [];
    for (; at < this.entries.length && out.length < limit; at++) {
      const entry = this.entries[at] as Entry;
      if (!entry.key.startsWith(start)) break;
      if (options.stop?.(entry.pk)) break;
      if (options.filter === undefined || options.filter(entry.pk)) out.push(entry.pk);
    }
    return out;
  }
}
