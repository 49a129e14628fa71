import type { AuditEvent } from '../../domain/index.js';
import { chainRecord, prepareAuditEvent } from '../audit-chain.js';
import { DuplicateError, StoreUnavailableError } from '../errors.js';
import { kindSpecs } from '../kinds.js';
import { Mutex } from '../mutex.js';
import type {
  BulkLoadResult,
  BulkSource,
  RecordKind,
  RecordTypes,
  Store,
  StoreTx,
} from '../ports.js';
import { GENESIS_HASH } from '../records.js';
import { withValidation } from '../validated.js';
import { memoryTx } from './repositories.js';
import { emptyState } from './state.js';
import type { MemTable, Undo } from './table.js';

/**
 * The default store: everything in this process's memory, gone when it exits. For tests,
 * demos and small tools.
 *
 * Transactions are real: they run one at a time (a FIFO mutex, so async transactions never
 * interleave), and every write logs its inverse, so a `fn` that throws leaves no trace.
 *
 * @example
 * ```ts
 * const store = memoryStore();
 * await store.transaction(async (tx) => {
 *   await tx.users.insert(profile);
 *   await tx.audit.append(event);
 * });
 * ```
 */
export function memoryStore(): Store {
  const state = emptyState();
  const mutex = new Mutex();
  let closed = false;

  const assertOpen = () => {
    if (closed) throw new StoreUnavailableError('The memory store is closed');
  };

  async function transaction<T>(fn: (tx: StoreTx) => Promise<T> | T): Promise<T> {
    return mutex.run(async () => {
      assertOpen();
      const undo: Undo[] = [];
      let open = true;
      const live = () => {
        if (!open) {
          throw new StoreUnavailableError('This transaction has ended: use its tx only inside fn');
        }
      };
      try {
        const result = await fn(withValidation(memoryTx({ state, undo, live })));
        open = false;
        return result;
      } catch (error) {
        open = false;
        for (let i = undo.length - 1; i >= 0; i--) (undo[i] as Undo)();
        throw error;
      }
    });
  }

  async function bulkLoad<K extends RecordKind>(
    kind: K,
    records: BulkSource<RecordTypes[K]>,
    event: AuditEvent,
  ): Promise<BulkLoadResult> {
    const spec = kindSpecs[kind];
    const prepared = prepareAuditEvent(event).event;
    // Validate everything first: once writing starts nothing can fail, so no undo is needed.
    const parsed: RecordTypes[K][] = [];
    for await (const record of records) parsed.push(spec.parse(record));
    return mutex.run(async () => {
      assertOpen();
      const table = state.tables[kind] as MemTable<RecordTypes[K]>;
      const seen = new Set<string>();
      for (const record of parsed) {
        const key = spec.key(record);
        if (seen.has(key) || table.has(key)) throw new DuplicateError(spec.label, key);
        seen.add(key);
      }
      table.putMany(parsed.map((r) => structuredClone(r)));
      const last = state.audit[state.audit.length - 1];
      const audit = Object.freeze(chainRecord(last ?? { seq: 0, hash: GENESIS_HASH }, prepared));
      state.audit.push(audit);
      return { count: parsed.length, audit };
    });
  }

  return {
    adapter: 'memory',
    transaction,
    bulkLoad,
    async close() {
      closed = true;
    },
  };
}
