import { CareIdError } from '../errors/care-id-error.js';

/**
 * A write lost a race: the record changed since it was read (its `version` is stale), or
 * the database could not serialise the transaction. Nothing was written; read again and retry.
 *
 * @example
 * ```ts
 * try { await store.transaction((tx) => tx.users.update(stale)) }
 * catch (e) { if (e instanceof ConflictError) console.log(e.kind, e.key) }
 * ```
 */
export class ConflictError extends CareIdError<'CONFLICT'> {
  override name = 'ConflictError';
  /** The kind of record (`users`, `smartcards`, …), or `transaction` for a serialisation failure. */
  readonly kind: string;
  /** The record's key, or `''` for a serialisation failure. */
  readonly key: string;

  constructor(kind: string, key: string, message: string, options: { cause?: unknown } = {}) {
    super('CONFLICT', message, options);
    this.kind = kind;
    this.key = key;
  }
}

/**
 * An insert whose key is already taken: a user's UUID (ID-05), a card serial, a
 * certificate serial, any record id. Nothing was written.
 *
 * @example
 * ```ts
 * if (e instanceof DuplicateError) console.log(`${e.kind} ${e.key} exists`);
 * ```
 */
export class DuplicateError extends CareIdError<'DUPLICATE'> {
  override name = 'DuplicateError';
  /** The kind of record. */
  readonly kind: string;
  /** The key that is taken. */
  readonly key: string;

  constructor(kind: string, key: string, options: { cause?: unknown } = {}) {
    super('DUPLICATE', `${kind} ${key} already exists`, options);
    this.kind = kind;
    this.key = key;
  }
}

/**
 * An update of a record that does not exist. Nothing was written.
 *
 * @example
 * ```ts
 * if (e instanceof NotFoundError) console.log(`no ${e.kind} ${e.key}`);
 * ```
 */
export class NotFoundError extends CareIdError<'NOT_FOUND'> {
  override name = 'NotFoundError';
  /** The kind of record. */
  readonly kind: string;
  /** The key that was looked for. */
  readonly key: string;

  constructor(kind: string, key: string, options: { cause?: unknown } = {}) {
    super('NOT_FOUND', `${kind} ${key} does not exist`, options);
    this.kind = kind;
    this.key = key;
  }
}

/**
 * The store cannot be reached or refused to work (connection refused or killed, database
 * locked for too long, file not writable). The transaction did not commit, unless the
 * connection died during COMMIT, when its outcome is unknown (see the message).
 *
 * @example
 * ```ts
 * if (e instanceof StoreUnavailableError) console.error(e.message, e.cause);
 * ```
 */
export class StoreUnavailableError extends CareIdError<'STORE_UNAVAILABLE'> {
  override name = 'StoreUnavailableError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super('STORE_UNAVAILABLE', message, options);
  }
}

/**
 * AUD-01: the audit chain does not verify; `seq` is the first broken or missing link.
 *
 * @example
 * ```ts
 * if (e instanceof AuditBrokenError) console.error(`audit record ${e.seq}: ${e.reason}`);
 * ```
 */
export class AuditBrokenError extends CareIdError<'AUDIT_BROKEN'> {
  override name = 'AuditBrokenError';
  /** Sequence number of the first broken or missing record. */
  readonly seq: number;
  /** Why the link is broken. */
  readonly reason: string;

  constructor(seq: number, reason: string, message: string) {
    super('AUDIT_BROKEN', message);
    this.seq = seq;
    this.reason = reason;
  }
}
