import { CareIdError } from '../../errors/care-id-error.js';
import { ConflictError, DuplicateError, StoreUnavailableError } from '../errors.js';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  '57P01', // admin_shutdown: pg_terminate_backend
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);

const CONNECTION_MESSAGE =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable|Client was closed/i;

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Whether a pg error means the connection is gone or could not be made.
 *
 * @example
 * ```ts
 * isConnectionError(Object.assign(new Error('x'), { code: '57P01' })) // true
 * ```
 */
export function isConnectionError(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  return error instanceof Error && CONNECTION_MESSAGE.test(error.message);
}

/**
 * Whether a pg error is a serialisation failure or a deadlock: retrying the transaction may succeed.
 *
 * @example
 * ```ts
 * isSerializationFailure({ code: '40001' }) // true
 * ```
 */
export function isSerializationFailure(error: unknown): boolean {
  const code = codeOf(error);
  return code === '40001' || code === '40P01';
}

/**
 * Maps a pg error to a careid error: serialisation failures and deadlocks to CONFLICT,
 * unique violations to DUPLICATE, lost or refused connections to STORE_UNAVAILABLE. Other
 * errors (bugs) are returned unchanged.
 *
 * @example
 * ```ts
 * throw mapPgError(error);
 * ```
 */
export function mapPgError(error: unknown, duringCommit = false): unknown {
  if (error instanceof CareIdError) return error;
  if (isSerializationFailure(error)) {
    return new ConflictError(
      'transaction',
      '',
      'The transaction could not be serialised with concurrent ones (retries exhausted); run it again',
      { cause: error },
    );
  }
  if (codeOf(error) === '23505') {
    const constraint = (error as { constraint?: unknown }).constraint;
    return new DuplicateError('record', String(constraint ?? 'key'), { cause: error });
  }
  if (isConnectionError(error)) {
    return new StoreUnavailableError(
      duringCommit
        ? 'The PostgreSQL connection was lost during COMMIT: the transaction may or may not have committed'
        : 'The PostgreSQL store cannot be reached or the connection was lost; nothing was committed',
      { cause: error },
    );
  }
  return error;
}
