import { z } from 'zod';
import { fromBase64, toBase64Url, utf8Bytes, utf8Text } from '../crypto/encoding.js';
import { ValidationError } from '../errors/validation-error.js';

/** The largest page a list query returns. */
export const MAX_PAGE_SIZE = 1000;
/** The page size when none is asked for. */
export const DEFAULT_PAGE_SIZE = 100;

/** How much of a list to read: a page size and the cursor of the page before. */
export interface PageRequest {
  /** Items per page, 1 to 1000 (default 100). */
  readonly limit?: number | undefined;
  /** `nextCursor` of the previous page; absent for the first page. */
  readonly cursor?: string | undefined;
}

/** One page of a list; `nextCursor` is present when more items follow. */
export interface Page<T> {
  /** The items of this page, in the query's documented order. */
  readonly items: readonly T[];
  /** Pass as `cursor` to read the next page; absent on the last page. */
  readonly nextCursor?: string;
}

/** Validates a {@link PageRequest}. */
export const pageRequestSchema = z
  .object({
    limit: z.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
    cursor: z.string().max(4096).optional(),
  })
  .optional();

/** A position in an ordered list: the sort key of the last item seen. */
export type SortKey = readonly (string | number)[];

/**
 * Encodes the sort key of the last item of a page as an opaque cursor. Cursors are the
 * same for every adapter: base64url JSON of the sort key.
 *
 * @example
 * ```ts
 * encodeCursor(['smith', 'ann', '100000000001'])
 * ```
 */
export function encodeCursor(key: SortKey): string {
  return toBase64Url(utf8Bytes(JSON.stringify(key)));
}

/**
 * Decodes a cursor made by {@link encodeCursor}, checking it has `length` parts.
 *
 * @throws VALIDATION when the cursor is not one this store made.
 * @example
 * ```ts
 * const [family, given, uuid] = decodeCursor(page.nextCursor, 3);
 * ```
 */
export function decodeCursor(cursor: string, length: number): SortKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8Text(fromBase64(cursor)));
  } catch (cause) {
    throw new ValidationError('page', [{ field: 'cursor', message: 'is not a cursor' }], { cause });
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== length ||
    !parsed.every((p) => typeof p === 'string' || typeof p === 'number')
  ) {
    throw new ValidationError('page', [
      { field: 'cursor', message: 'is not a cursor of this query' },
    ]);
  }
  return parsed as SortKey;
}

/**
 * Decodes the cursor of the audit log: the last sequence number read.
 *
 * @throws VALIDATION when the cursor is not one of the audit log's.
 * @example
 * ```ts
 * const after = decodeSeqCursor(page?.cursor); // 0 for the first page
 * ```
 */
export function decodeSeqCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const seq = decodeCursor(cursor, 1)[0];
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    throw new ValidationError('page', [{ field: 'cursor', message: 'is not an audit cursor' }]);
  }
  return seq;
}

/**
 * The page size of a request (default 100).
 *
 * @example
 * ```ts
 * pageLimit({ limit: 20 }) // 20
 * ```
 */
export function pageLimit(page: PageRequest | undefined): number {
  return page?.limit ?? DEFAULT_PAGE_SIZE;
}

/**
 * Builds a page from up to `limit + 1` items read in order: the extra item only says
 * that more follow.
 *
 * @example
 * ```ts
 * toPage(rows, 100, (u) => [u.uuid])
 * ```
 */
export function toPage<T>(rows: readonly T[], limit: number, keyOf: (item: T) => SortKey): Page<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(keyOf(items[items.length - 1] as T)) };
}
