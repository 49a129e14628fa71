import type { AuditEvent } from '../../domain/index.js';
import { prepareAuditEvent } from '../audit-chain.js';
import { DuplicateError, StoreUnavailableError } from '../errors.js';
import { kindSpecs } from '../kinds.js';
import type {
  BulkLoadResult,
  BulkSource,
  RecordKind,
  RecordTypes,
  Store,
  StoreTx,
} from '../ports.js';
import { withValidation } from '../validated.js';
import type { SqlConn } from './conn.js';
import type { Qualify } from './migrations.js';
import { sqlTx } from './repositories.js';
import { rowColumns, rowValues, tableDefs } from './tables.js';

/** Rows per statement of a bulk load. */
const BULK_BATCH = 5000;

/** What an adapter gives the shared SQL store: a way to run one transaction. */
export interface SqlEngine {
  /** Which adapter this is. */
  readonly adapter: 'sqlite' | 'postgres';
  /** Qualifies table names. */
  readonly q: Qualify;
  /**
   * Runs `fn` in one serialisable transaction on one connection, mapping driver errors to
   * careid errors. `retry: false` forbids re-running `fn` (a bulk load reads its source once).
   */
  run<T>(fn: (conn: SqlConn) => Promise<T>, options: { readonly retry: boolean }): Promise<T>;
  /** Releases the connections. */
  close(): Promise<void>;
}

/**
 * Builds a {@link Store} over a SQL engine: the shared repositories, validation, the
 * audit chain and batched bulk loads.
 *
 * @example
 * ```ts
 * return sqlStore(engine);
 * ```
 */
export function sqlStore(engine: SqlEngine): Store {
  let closed = false;
  const assertOpen = () => {
    if (closed) throw new StoreUnavailableError(`The ${engine.adapter} store is closed`);
  };

  async function transaction<T>(fn: (tx: StoreTx) => Promise<T> | T): Promise<T> {
    assertOpen();
    return engine.run(
      async (conn) => {
        let open = true;
        const live = () => {
          if (!open) {
            throw new StoreUnavailableError(
              'This transaction has ended: use its tx only inside fn',
            );
          }
        };
        try {
          return await fn(withValidation(sqlTx({ conn, q: engine.q, live })));
        } finally {
          open = false;
        }
      },
      { retry: true },
    );
  }

  async function bulkLoad<K extends RecordKind>(
    kind: K,
    records: BulkSource<RecordTypes[K]>,
    event: AuditEvent,
  ): Promise<BulkLoadResult> {
    assertOpen();
    const spec = kindSpecs[kind];
    const def = tableDefs[kind];
    const columns = rowColumns(def as never);
    const prepared = prepareAuditEvent(event).event;
    return engine.run(
      async (conn) => {
        const table = engine.q(def.table);
        const indexes = Object.entries(def.indexes);
        // The chain's lock first, as before the table's (DROP INDEX): the order every writer takes them in.
        await conn.tracking?.atSerialPoint('SELECT 1', []);
        // Loading into an empty table: drop its secondary indexes and build them once at the
        // end (a sort instead of a million random B-tree inserts). DDL is transactional, so a
        // failed load restores them with everything else.
        const empty = (await conn.all(`SELECT 1 AS one FROM ${table} LIMIT 1`)).length === 0;
        if (empty) for (const [name] of indexes) await conn.run(`DROP INDEX ${engine.q(name)}`);
        if (conn.dialect === 'postgres') await conn.run("SET LOCAL maintenance_work_mem = '256MB'");
        let count = 0;
        let batch: RecordTypes[K][] = [];
        // One insert in flight while the next batch is parsed: the database and Node overlap.
        let inFlight: Promise<void> = Promise.resolve();
        let failure: unknown;
        const flush = async () => {
          if (batch.length === 0) return;
          const rows = batch.map((r) => rowValues(kind, r));
          const first = spec.key(batch[0] as RecordTypes[K]);
          const last = spec.key(batch[batch.length - 1] as RecordTypes[K]);
          batch = [];
          await inFlight;
          if (failure !== undefined) throw failure;
          inFlight = conn.insertMany(table, columns, rows).then(
            (inserted) => {
              if (inserted !== rows.length) {
                failure = new DuplicateError(spec.label, `(one of ${first} … ${last})`);
              }
              count += inserted;
            },
            (error: unknown) => {
              failure = error;
            },
          );
        };
        for await (const record of records) {
          batch.push(spec.parse(record));
          if (batch.length >= BULK_BATCH) await flush();
        }
        await flush();
        await inFlight;
        if (failure !== undefined) throw failure;
        if (empty) {
          for (const [name, cols] of indexes) {
            await conn.run(`CREATE INDEX ${name} ON ${table} (${cols.join(', ')})`);
          }
        }
        // Fresh statistics, so the planner does not plan for the table as it was.
        if (conn.dialect === 'postgres') await conn.run(`ANALYZE ${table}`);
        const tx = sqlTx({ conn, q: engine.q, live: () => undefined });
        const audit = await tx.audit.append(prepared);
        return { count, audit };
      },
      { retry: false },
    );
  }

  return {
    adapter: engine.adapter,
    transaction,
    bulkLoad,
    async close() {
      if (closed) return;
      closed = true;
      await engine.close();
    },
  };
}
