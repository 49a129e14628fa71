import { toHex as hexOf } from '../../crypto/encoding.js';
import { checkBytes, checkRecord, checkWhole } from '../../errors/guards.js';

/**
 * AUD-02: what an APDU log may show. PINs, PUKs, management-key witnesses and challenges,
 * and key material never leave this module in clear.
 */

/** VERIFY carries a PIN (SP 800-73-4 Part 2 §3.2.1). */
const INS_VERIFY = 0x20;
/** CHANGE REFERENCE DATA carries the old and new PIN or PUK (SP 800-73-4 Part 2 §3.2.2). */
const INS_CHANGE_REFERENCE_DATA = 0x24;
/** RESET RETRY COUNTER carries the PUK and the new PIN (SP 800-73-4 Part 2 §3.2.3). */
const INS_RESET_RETRY_COUNTER = 0x2c;
/** GENERAL AUTHENTICATE (SP 800-73-4 Part 2 §3.2.4). */
const INS_GENERAL_AUTHENTICATE = 0x87;
/** Card management key reference (SP 800-78-4 Table 6-1 / SP 800-73-4 Part 1 §3.1). */
const KEY_MANAGEMENT = 0x9b;
/** Key management key: GENERAL AUTHENTICATE answers with a decrypted secret (SP 800-73-4 Part 1 Table 4b). */
const KEY_KEY_MANAGEMENT = 0x9d;
/** Vendor IMPORT ASYMMETRIC KEY (YubiKey PIV extension): private key material. */
const INS_IMPORT_KEY = 0xfe;
/** Vendor SET MANAGEMENT KEY (YubiKey PIV extension): the new management key. */
const INS_SET_MANAGEMENT_KEY = 0xff;

/**
 * The header of the logical command an APDU belongs to (chained pieces and GET RESPONSE).
 * @example
 * ```ts
 * redactCommand(bytes, { ins: 0x24, p2: 0x80 } satisfies ApduHeader);
 * ```
 */
export interface ApduHeader {
  /** Instruction byte. */
  readonly ins: number;
  /** Parameter 2 (the key reference for PIV authentication commands). */
  readonly p2: number;
}

/**
 * Whether the data field of a command with this header is secret (AUD-02).
 *
 * @example
 * ```ts
 * commandDataIsSecret({ ins: 0x20, p2: 0x80 }); // true: a PIN
 * ```
 */
export function commandDataIsSecret(header: ApduHeader): boolean {
  switch (header.ins) {
    case INS_VERIFY:
    case INS_CHANGE_REFERENCE_DATA:
    case INS_RESET_RETRY_COUNTER:
    case INS_IMPORT_KEY:
    case INS_SET_MANAGEMENT_KEY:
      return true;
    case INS_GENERAL_AUTHENTICATE:
      return header.p2 === KEY_MANAGEMENT;
    default:
      return false;
  }
}

/**
 * Whether the response data to a command with this header is secret (AUD-02).
 *
 * @example
 * ```ts
 * responseDataIsSecret({ ins: 0x87, p2: 0x9b }); // true: a management-key witness
 * ```
 */
export function responseDataIsSecret(header: ApduHeader): boolean {
  return (
    header.ins === INS_GENERAL_AUTHENTICATE &&
    (header.p2 === KEY_MANAGEMENT || header.p2 === KEY_KEY_MANAGEMENT)
  );
}

/**
 * Hex of bytes, upper case, no separators.
 *
 * @example
 * ```ts
 * toHex(Uint8Array.of(0x9a)); // '9A'
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  return hexOf(bytes).toUpperCase();
}

/**
 * The loggable form of a command APDU: the header in clear, the body either in hex or as
 * `[redacted N bytes]` when it belongs to a command whose data is secret.
 *
 * @throws VALIDATION when `bytes` is not a Uint8Array or `logical` not a header of two
 * bytes: a header that cannot be read cannot say whether the data is secret.
 * @example
 * ```ts
 * redactCommand(verifyBytes, { ins: 0x20, p2: 0x80 }); // '00200080 [redacted 9 bytes]'
 * ```
 */
export function redactCommand(bytes: Uint8Array, logical: ApduHeader): string {
  checkBytes(bytes, 'redactCommand input', 'bytes');
  checkHeader(logical, 'redactCommand input');
  const head = toHex(bytes.subarray(0, 4));
  const body = bytes.subarray(4);
  if (body.length === 0) return head;
  return commandDataIsSecret(logical)
    ? `${head} [redacted ${body.length} bytes]`
    : `${head} ${toHex(body)}`;
}

/**
 * The loggable form of response data, `[redacted N bytes]` when secret.
 *
 * @throws VALIDATION when `data` is not a Uint8Array or `logical` not a header of two bytes.
 * @example
 * ```ts
 * redactResponse(data, { ins: 0xcb, p2: 0xff }); // hex of the object
 * ```
 */
export function redactResponse(data: Uint8Array, logical: ApduHeader): string {
  checkBytes(data, 'redactResponse input', 'data');
  checkHeader(logical, 'redactResponse input');
  if (data.length === 0) return '';
  return responseDataIsSecret(logical) ? `[redacted ${data.length} bytes]` : toHex(data);
}

/** A header handed in from outside: INS and P2 must be bytes to decide what is secret. */
function checkHeader(logical: unknown, what: string): asserts logical is ApduHeader {
  checkRecord(logical, what, 'logical');
  checkWhole(logical['ins'], 0, 0xff, what, 'logical.ins');
  checkWhole(logical['p2'], 0, 0xff, what, 'logical.p2');
}
