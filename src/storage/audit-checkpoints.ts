import { z } from 'zod';
import { constantTimeEqualText } from '../crypto/equal.js';
import { hmacSha256Hex } from '../crypto/hash.js';
import { type IsoDateTime, isoDateTimeSchema } from '../domain/dates.js';
import { ValidationError } from '../errors/validation-error.js';
import { canonicalJson } from './canonical.js';
import { StoreUnavailableError } from './errors.js';
import { Mutex } from './mutex.js';
import type { AuditLog, BulkLoadResult, Store, StoreTx } from './ports.js';
import type { AuditHead } from './records.js';

/**
 * AUD-03: the head of the audit chain (sequence and hash) at a moment, MACed with
 * HMAC-SHA-256 under a key the store never sees. Kept by a host sink outside the database,
 * it lets {@link verifyAudit} detect a deleted tail, a deleted log and a chain rewritten
 * with recomputed hashes.
 */
export interface AuditCheckpoint {
  /** Sequence number of the record checkpointed. */
  readonly seq: number;
  /** That record's hash. */
  readonly hash: string;
  /** When the checkpoint was taken. */
  readonly at: IsoDateTime;
  /** Which key MACed it (the host's name for the key, for rotation). */
  readonly keyId: string;
  /** HMAC-SHA-256, hex, over the canonical JSON of the other fields. */
  readonly mac: string;
}

/** Validates a checkpoint read back from a sink. */
export const auditCheckpointSchema = z
  .object({
    seq: z.number().int().min(1),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    at: isoDateTimeSchema,
    keyId: z.string().min(1).max(200),
    mac: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .readonly();

/**
 * A secret key object whose bytes can be exported: Node's secret `KeyObject`
 * (`createSecretKey(bytes)`) is one. Described by shape so careid's root needs no Node types.
 */
export interface ExportableSecretKey {
  /** `'secret'` for a symmetric key; any other type is refused. */
  readonly type: string;
  /** Its size in bytes. */
  readonly symmetricKeySize?: number | undefined;
  /** Its bytes. */
  export(): Uint8Array;
}

/**
 * The key that MACs checkpoints: at least 32 bytes of secret, or a secret key object
 * (Node's `KeyObject`). It must live outside the database (a KMS, a secrets file): whoever
 * holds it can forge checkpoints.
 */
export type CheckpointKey = Uint8Array | ExportableSecretKey;

/**
 * Where checkpoints go: a port the host implements over a file, a log service or another
 * database. `write` must not return before the checkpoint is durable.
 */
export interface CheckpointSink {
  /**
   * Keeps a checkpoint.
   *
   * @throws whatever the host's medium throws; the decorator reports it (see `onSinkError`).
   */
  write(checkpoint: AuditCheckpoint): Promise<void>;
  /**
   * Every checkpoint kept, oldest first.
   *
   * @throws VALIDATION when what is kept is not a list of checkpoints.
   */
  read(): Promise<readonly AuditCheckpoint[]>;
}

const MIN_KEY_BYTES = 32;

function checkKey(key: CheckpointKey): void {
  const bytes = key instanceof Uint8Array ? key.byteLength : (key.symmetricKeySize ?? 0);
  if ((key instanceof Uint8Array || key.type === 'secret') && bytes >= MIN_KEY_BYTES) return;
  throw new ValidationError('audit checkpoint key', [
    { field: 'key', message: `must be a secret of at least ${MIN_KEY_BYTES} bytes` },
  ]);
}

function macOf(key: CheckpointKey, fields: Omit<AuditCheckpoint, 'mac'>): string {
  const text = canonicalJson({
    v: 1,
    seq: fields.seq,
    hash: fields.hash,
    at: fields.at,
    keyId: fields.keyId,
  });
  return hmacSha256Hex(key instanceof Uint8Array ? key : key.export(), text);
}

/**
 * MACs the chain head `head` as of `at` into a checkpoint.
 *
 * @throws VALIDATION when the key is shorter than 32 bytes or the head is empty.
 * @example
 * ```ts
 * const checkpoint = signCheckpoint(key, await store.transaction((tx) => tx.audit.head()));
 * ```
 */
export function signCheckpoint(
  key: CheckpointKey,
  head: AuditHead,
  options: { readonly at?: Date; readonly keyId?: string } = {},
): AuditCheckpoint {
  checkKey(key);
  if (head.seq < 1) {
    throw new ValidationError('audit checkpoint', [
      { field: 'seq', message: 'an empty chain has nothing to checkpoint' },
    ]);
  }
  const fields = {
    seq: head.seq,
    hash: head.hash,
    at: (options.at ?? new Date()).toISOString() as IsoDateTime,
    keyId: options.keyId ?? 'default',
  };
  return { ...fields, mac: macOf(key, fields) };
}

/**
 * Whether a checkpoint's MAC is the one `key` gives (compared in constant time).
 *
 * @throws VALIDATION when the key is shorter than 32 bytes.
 * @example
 * ```ts
 * if (!checkpointIsAuthentic(key, checkpoint)) console.error('forged checkpoint');
 * ```
 */
export function checkpointIsAuthentic(key: CheckpointKey, checkpoint: AuditCheckpoint): boolean {
  checkKey(key);
  const parsed = auditCheckpointSchema.safeParse(checkpoint);
  if (!parsed.success) return false;
  return constantTimeEqualText(macOf(key, parsed.data), parsed.data.mac);
}

/** Options of {@link withAuditCheckpoints}. */
export interface AuditCheckpointOptions {
  /** The MAC key, kept outside the database (32 bytes or more). */
  readonly key: CheckpointKey;
  /** Where checkpoints go. */
  readonly sink: CheckpointSink;
  /**
   * Checkpoint once the chain has grown by this many records since this store's last
   * checkpoint (default 1: after every transaction that appended). Records appended since
   * the last checkpoint are what a deleted tail can take unnoticed.
   */
  readonly every?: number;
  /** The key's name, written into each checkpoint (default `default`). */
  readonly keyId?: string;
  /** The clock of the checkpoints' `at` (default: now). */
  readonly clock?: () => Date;
  /**
   * Called when the sink fails after the transaction committed. By default the call
   * rejects with STORE_UNAVAILABLE saying the transaction committed (so the caller does not
   * run it again); either way the next transaction checkpoints again.
   */
  readonly onSinkError?: (error: unknown) => void;
}

/** A store whose committed audit records are checkpointed to a sink (AUD-03). */
export interface CheckpointedStore extends Store {
  /**
   * Checkpoints the chain's head now, whatever `every` says (at shutdown, on a schedule);
   * returns the checkpoint, or `undefined` when the chain is empty.
   *
   * @throws STORE_UNAVAILABLE when the store or the sink fails.
   */
  checkpoint(): Promise<AuditCheckpoint | undefined>;
}

/**
 * AUD-03: wraps a store so that, after a transaction that appended audit records commits,
 * the chain's new head is MACed and handed to `sink` (every `every` records). The store
 * and its transactions are otherwise unchanged; checkpoints are taken only of committed
 * records, so a rolled-back transaction leaves none. Give {@link verifyAudit} the sink's
 * checkpoints and the key to detect a deleted tail, a deleted log, a rewritten chain and a
 * forged checkpoint.
 *
 * Several app servers on one database each wrap their own store; each checkpoints the
 * records it appended, to its own sink or a shared one, and verification takes all of them.
 * The wrapped store keeps the adapter's own members (`migrate`, `schema`, `path`).
 *
 * @throws VALIDATION when the key is shorter than 32 bytes or `every` is not a positive integer.
 * @example
 * ```ts
 * const key = Buffer.from(process.env.CAREID_AUDIT_KEY!, 'base64');
 * const sink = fileCheckpointSink('/var/lib/careid/audit-checkpoints.json'); // careid/storage/file
 * const store = withAuditCheckpoints(postgresStore(url), { key, sink });
 * const ra = createRegistrationAuthority({ store });
 * // later, from a host that holds the key:
 * const result = await verifyAudit(store, { checkpoints: await sink.read(), key });
 * ```
 */
export function withAuditCheckpoints<S extends Store>(
  store: S,
  options: AuditCheckpointOptions,
): S & CheckpointedStore {
  checkKey(options.key);
  const every = options.every ?? 1;
  if (!Number.isSafeInteger(every) || every < 1) {
    throw new ValidationError('audit checkpoint options', [
      { field: 'every', message: 'must be a positive integer' },
    ]);
  }
  const clock = options.clock ?? (() => new Date());
  const mutex = new Mutex();
  let checkpointed = 0;

  const write = (head: AuditHead) =>
    mutex.run(async () => {
      if (head.seq <= checkpointed) return undefined;
      const checkpoint = signCheckpoint(options.key, head, {
        at: clock(),
        ...(options.keyId !== undefined ? { keyId: options.keyId } : {}),
      });
      try {
        await options.sink.write(checkpoint);
      } catch (error) {
        if (options.onSinkError === undefined) {
          throw new StoreUnavailableError(
            'The transaction committed, but its audit checkpoint could not be written to the sink; do not run it again',
            { cause: error },
          );
        }
        options.onSinkError(error);
        return undefined;
      }
      checkpointed = head.seq;
      return checkpoint;
    });

  const due = (head: AuditHead | undefined): head is AuditHead =>
    head !== undefined && head.seq - checkpointed >= every;

  // The adapter's own members (migrate, schema, path) stay reachable.
  return {
    ...store,
    async transaction<T>(fn: (tx: StoreTx) => Promise<T> | T): Promise<T> {
      let last: AuditHead | undefined;
      const result = await store.transaction((tx) => {
        // A retried attempt starts again from nothing.
        last = undefined;
        const audit: AuditLog = {
          append: async (event) => {
            const record = await tx.audit.append(event);
            last = { seq: record.seq, hash: record.hash };
            return record;
          },
          head: () => tx.audit.head(),
          read: (page) => tx.audit.read(page),
        };
        return fn(withAudit(tx, audit));
      });
      if (due(last)) await write(last);
      return result;
    },
    async bulkLoad(kind, records, event): Promise<BulkLoadResult> {
      const result = await store.bulkLoad(kind, records, event);
      if (due(result.audit)) await write(result.audit);
      return result;
    },
    async checkpoint() {
      const head = await store.transaction((tx) => tx.audit.head());
      if (head.seq === 0) return undefined;
      return (await write(head)) ?? signedAgain(head);
    },
    close: () => store.close(),
  };

  // The head was checkpointed already: hand back a checkpoint of it without writing it twice.
  function signedAgain(head: AuditHead): AuditCheckpoint {
    return signCheckpoint(options.key, head, {
      at: clock(),
      ...(options.keyId !== undefined ? { keyId: options.keyId } : {}),
    });
  }
}

/** A transaction whose audit log is `audit` and every other repository is `tx`'s. */
function withAudit(tx: StoreTx, audit: AuditLog): StoreTx {
  return new Proxy(tx, {
    get: (target, property) =>
      property === 'audit' ? audit : Reflect.get(target, property, target),
  });
}

/**
 * A sink in this process's memory: for tests, and for hosts that forward checkpoints
 * elsewhere themselves (`checkpoints` is the list as kept).
 *
 * @example
 * ```ts
 * const sink = memoryCheckpointSink();
 * const store = withAuditCheckpoints(memoryStore(), { key, sink });
 * ```
 */
export function memoryCheckpointSink(): CheckpointSink & {
  readonly checkpoints: readonly AuditCheckpoint[];
} {
  const checkpoints: AuditCheckpoint[] = [];
  return {
    checkpoints,
    async write(checkpoint) {
      checkpoints.push(Object.freeze({ ...checkpoint }));
    },
    async read() {
      return [...checkpoints];
    },
  };
}
