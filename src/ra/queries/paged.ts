import type { Page, PageRequest } from '../../storage/paging.js';
import { DEFAULT_PAGE_SIZE } from '../../storage/paging.js';

/** Store pages one filtered page may read before it returns what it has. */
const MAX_READS_PER_PAGE = 8;

/**
 * One page of a store query with some items left out (out of scope, not matching): reads
 * store pages of at most the room left, so the page never holds more than `limit` items and
 * its `nextCursor` is the store's, at the last item looked at. A page may hold fewer than
 * `limit` items (even none) while `nextCursor` says more follow.
 *
 * @example
 * ```ts
 * await filteredPage((p) => tx.users.searchByName(q, p), { limit: 50 }, (u) => visible(u) ? u : undefined);
 * ```
 */
export async function filteredPage<T, R>(
  read: (page: PageRequest) => Promise<Page<T>>,
  request: PageRequest | undefined,
  keep: (item: T) => Promise<R | undefined> | R | undefined,
): Promise<Page<R>> {
  const limit = request?.limit ?? DEFAULT_PAGE_SIZE;
  const items: R[] = [];
  let cursor = request?.cursor;
  let reads = 0;
  do {
    const page = await read({
      limit: limit - items.length,
      ...(cursor !== undefined ? { cursor } : {}),
    });
    for (const item of page.items) {
      const kept = await keep(item);
      if (kept !== undefined) items.push(kept);
    }
    cursor = page.nextCursor;
    reads++;
  } while (cursor !== undefined && items.length < limit && reads < MAX_READS_PER_PAGE);
  return cursor === undefined ? { items } : { items, nextCursor: cursor };
}
