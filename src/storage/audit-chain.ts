import { type AuditEvent, auditEventSchema } from '../domain/index.js';
import { parseWith } from '../errors/parse.js';
import { ValidationError } from '../errors/validation-error.js';
import {
  type AuditCheckpoint,
  type CheckpointKey,
  checkpointIsAuthentic,
} from './audit-checkpoints.js';
import { canonicalJson, sha256Hex } from './canonical.js';
import { AuditBrokenError } from './errors.js';
import type { Store } from './ports.js';
import { type AuditHead, type AuditRecord, GENESIS_HASH } from './records.js';

// AUD-02: field names that would carry a secret. Compared with case and separators removed.
const SECRET_KEY =
  /^(pin|newpin|oldpin|puk|otp)$|passcode|password|privatekey|managementkey|onetimecode|secret/;

function assertNoSecrets(value: unknown, path: string): void {
  if (value === null || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value)) {
    const field = path === '' ? key : `${path}.${key}`;
    if (!Array.isArray(value) && SECRET_KEY.test(key.toLowerCase().replace(/[^a-z]/g, ''))) {
      throw new ValidationError('audit event', [
        { field, message: 'looks like a secret; secrets never enter the audit log (AUD-02)' },
      ]);
    }
    assertNoSecrets(inner, field);
  }
}

/**
 * Validates an audit event and brings it to canonical form (AUD-01), refusing fields that
 * would carry a secret (AUD-02).
 *
 * @throws VALIDATION when the event is malformed, not plain JSON, or names a secret.
 * @example
 * ```ts
 * const { event, json } = prepareAuditEvent(raw);
 * ```
 */
export function prepareAuditEvent(input: AuditEvent): { event: AuditEvent; json: string } {
  const parsed = parseWith(auditEventSchema, input, 'audit event');
  assertNoSecrets(parsed.details, 'details');
  const json = canonicalJson(parsed);
  const event = JSON.parse(json) as AuditEvent;
  preparedJson.set(event, json);
  return { event, json };
}

// The canonical JSON of each prepared event, so the append that follows hashes and stores
// it without encoding the event again.
const preparedJson = new WeakMap<AuditEvent, string>();

/**
 * The canonical JSON of an audit event: the one {@link prepareAuditEvent} made for it, or
 * encoded now.
 *
 * @throws VALIDATION when the event is not plain JSON.
 * @example
 * ```ts
 * const json = eventJson(prepareAuditEvent(raw).event);
 * ```
 */
export function eventJson(event: AuditEvent): string {
  return preparedJson.get(event) ?? canonicalJson(event);
}

/**
 * The hash of an audit record: SHA-256 over the canonical JSON of `{ seq, prevHash, event }`.
 *
 * @example
 * ```ts
 * auditHash(1, GENESIS_HASH, event)
 * ```
 */
export function auditHash(
  seq: number,
  prevHash: string,
  event: AuditEvent,
  json: string = canonicalJson(event),
): string {
  // canonicalJson({ seq, prevHash, event }), written out: its keys sort as event, prevHash, seq.
  return sha256Hex(`{"event":${json},"prevHash":${JSON.stringify(prevHash)},"seq":${seq}}`);
}

/**
 * Builds the next record of the chain after `head`.
 *
 * @example
 * ```ts
 * const record = chainRecord({ seq: 0, hash: GENESIS_HASH }, event);
 * ```
 */
export function chainRecord(
  head: AuditHead,
  event: AuditEvent,
  json: string = eventJson(event),
): AuditRecord {
  const seq = head.seq + 1;
  return {
    seq,
    at: event.at,
    event,
    prevHash: head.hash,
    hash: auditHash(seq, head.hash, event, json),
  };
}

/** Why a link of the audit chain is broken. */
export type AuditBreak =
  /** A record is missing (a gap, or the log ends before the head says). */
  | 'missing'
  /** The record's `prevHash` is not the hash of the record before. */
  | 'prev-hash'
  /** The record's content does not hash to its `hash` (it was changed). */
  | 'hash'
  /** The head does not point at the last record. */
  | 'head'
  /** AUD-03: a record's hash is not the one a checkpoint vouches for (the chain was rewritten and rehashed). */
  | 'rewritten'
  /** AUD-03: the log ends before a record a checkpoint vouches for (a deleted tail or log). */
  | 'truncated'
  /** AUD-03: a checkpoint's MAC is wrong (forged or altered). */
  | 'forged-checkpoint';

/** Options of {@link verifyAudit}. */
export interface VerifyAuditOptions {
  /** Records read per transaction (default 1000). */
  readonly pageSize?: number;
  /**
   * AUD-03: checkpoints from the host's sink, read before the call. The chain must reach
   * every one of them with the hash it vouches for.
   */
  readonly checkpoints?: readonly AuditCheckpoint[];
  /** The key that MACed the checkpoints; required with `checkpoints`. */
  readonly key?: CheckpointKey;
}

/** The outcome of {@link verifyAudit}. */
export type AuditVerification =
  | { readonly ok: true; readonly count: number; readonly head: AuditHead }
  | {
      readonly ok: false;
      /** Sequence number of the first broken or missing link. */
      readonly seq: number;
      /** Why. */
      readonly reason: AuditBreak;
      /** A sentence for a person. */
      readonly message: string;
      /** Records that verified before the break. */
      readonly count: number;
    };

/**
 * AUD-01: walks the audit chain from the first record to the head and reports the first
 * broken or missing link. Reads page by page, each page in its own transaction, up to the
 * head read at the start (records appended meanwhile are left for the next run).
 *
 * AUD-03: given `checkpoints` (read from the sink before the call) and their `key`, it
 * also checks every checkpoint's MAC (`forged-checkpoint`), that the record each one names
 * still has the hash it vouches for (`rewritten`: a row changed and every later hash
 * recomputed), and that the log reaches the newest one (`truncated`: a deleted tail, or a
 * deleted log). Records after the newest checkpoint are vouched for by the chain alone.
 *
 * @throws VALIDATION when `checkpoints` come without a `key`, or the key is shorter than 32 bytes.
 * @throws STORE_UNAVAILABLE when the store cannot be reached.
 * @example
 * ```ts
 * const result = await verifyAudit(store, { checkpoints: await sink.read(), key });
 * if (!result.ok) console.error(`audit record ${result.seq}: ${result.message}`);
 * ```
 */
export async function verifyAudit(
  store: Store,
  options: VerifyAuditOptions = {},
): Promise<AuditVerification> {
  const limit = options.pageSize ?? 1000;
  const checkpoints = options.checkpoints ?? [];
  if (checkpoints.length > 0 && options.key === undefined) {
    throw new ValidationError('verifyAudit options', [
      { field: 'key', message: 'checkpoints are verified with the key that MACed them' },
    ]);
  }
  for (const checkpoint of checkpoints) {
    if (!checkpointIsAuthentic(options.key as CheckpointKey, checkpoint)) {
      return {
        ok: false,
        seq: Number(checkpoint?.seq) || 0,
        reason: 'forged-checkpoint',
        message: `the checkpoint of record ${String(checkpoint?.seq)} does not carry the key's MAC: it was forged or altered`,
        count: 0,
      };
    }
  }
  const vouched = new Map<number, AuditCheckpoint>();
  let newest: AuditCheckpoint | undefined;
  for (const checkpoint of checkpoints) {
    vouched.set(checkpoint.seq, checkpoint);
    if (newest === undefined || checkpoint.seq > newest.seq) newest = checkpoint;
  }
  const head = await store.transaction((tx) => tx.audit.head());
  let prev: AuditHead = { seq: 0, hash: GENESIS_HASH };
  let cursor: string | undefined;
  const broken = (seq: number, reason: AuditBreak, message: string): AuditVerification => ({
    ok: false,
    seq,
    reason,
    message,
    count: prev.seq,
  });
  while (prev.seq < head.seq) {
    const page = await store.transaction((tx) => tx.audit.read({ limit, cursor }));
    for (const record of page.items) {
      if (record.seq > head.seq) break;
      const expected = prev.seq + 1;
      if (record.seq !== expected) {
        return broken(expected, 'missing', `record ${expected} is missing (next is ${record.seq})`);
      }
      if (record.prevHash !== prev.hash) {
        return broken(
          record.seq,
          'prev-hash',
          `record ${record.seq} does not link to record ${prev.seq}`,
        );
      }
      if (auditHash(record.seq, record.prevHash, record.event) !== record.hash) {
        return broken(record.seq, 'hash', `record ${record.seq} was changed after it was written`);
      }
      const checkpoint = vouched.get(record.seq);
      if (checkpoint !== undefined && checkpoint.hash !== record.hash) {
        return broken(
          record.seq,
          'rewritten',
          `record ${record.seq} is not the one checkpointed at ${checkpoint.at}: the chain up to it was rewritten`,
        );
      }
      prev = { seq: record.seq, hash: record.hash };
    }
    if (page.nextCursor === undefined) break;
    cursor = page.nextCursor;
  }
  if (prev.seq < head.seq) {
    return broken(
      prev.seq + 1,
      'missing',
      `the log ends at record ${prev.seq} but its head is ${head.seq}`,
    );
  }
  if (prev.hash !== head.hash) {
    return broken(head.seq, 'head', `the head does not point at record ${head.seq}`);
  }
  if (newest !== undefined && newest.seq > head.seq) {
    return broken(
      head.seq + 1,
      'truncated',
      `the log ends at record ${head.seq}, but a checkpoint taken at ${newest.at} vouches for record ${newest.seq}: records were deleted`,
    );
  }
  return { ok: true, count: head.seq, head };
}

/**
 * {@link verifyAudit}, throwing when the chain is broken.
 *
 * @throws AUDIT_BROKEN with the first broken link's `seq` and `reason`.
 * @throws STORE_UNAVAILABLE when the store cannot be reached.
 * @example
 * ```ts
 * await assertAuditIntact(store);
 * ```
 */
export async function assertAuditIntact(
  store: Store,
  options: VerifyAuditOptions = {},
): Promise<AuditHead> {
  const result = await verifyAudit(store, options);
  if (!result.ok) {
    throw new AuditBrokenError(result.seq, result.reason, `Audit chain broken: ${result.message}`);
  }
  return result.head;
}
