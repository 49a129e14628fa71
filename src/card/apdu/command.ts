import { checkBytes, checkRecord, invalidArgument, kindOf } from '../../errors/guards.js';
import { CardProtocolError } from '../errors.js';
import { EXTENDED_MAX_NC, EXTENDED_MAX_NE, SHORT_MAX_NC, SHORT_MAX_NE } from './iso7816.js';

/**
 * A command APDU (ISO 7816-4 §5.1): header, data field (Nc bytes, possibly empty) and the
 * number of response bytes expected (Ne; `undefined` when no response data is expected).
 * @example
 * ```ts
 * const getVersion: CommandApdu = commandApdu(0x00, 0xfd, 0x00, 0x00, undefined, 256);
 * ```
 */
export interface CommandApdu {
  /** Class byte. */
  readonly cla: number;
  /** Instruction byte. */
  readonly ins: number;
  /** Parameter 1. */
  readonly p1: number;
  /** Parameter 2. */
  readonly p2: number;
  /** Command data field; empty for cases 1 and 2. */
  readonly data: Uint8Array;
  /** Ne, 1..65536; `undefined` when the Le field is absent (cases 1 and 3). */
  readonly ne: number | undefined;
}

/**
 * Builds a command APDU record.
 *
 * @throws VALIDATION when `data` is not a Uint8Array.
 * @throws CARD_PROTOCOL when a header byte is outside 0..255, Nc > 65535 or Ne outside 1..65536.
 * @example
 * ```ts
 * const select = commandApdu(0x00, 0xa4, 0x04, 0x00, aid, 256);
 * ```
 */
export function commandApdu(
  cla: number,
  ins: number,
  p1: number,
  p2: number,
  data: Uint8Array = new Uint8Array(0),
  ne?: number,
): CommandApdu {
  checkBytes(data, 'command APDU', 'data');
  checkHeader(cla, ins, p1, p2, data, ne);
  return { cla, ins, p1, p2, data, ne };
}

/** ISO 7816-4 §5.1 limits of a command APDU's fields (`data` already known to be bytes). */
function checkHeader(
  cla: unknown,
  ins: unknown,
  p1: unknown,
  p2: unknown,
  data: Uint8Array,
  ne: unknown,
): void {
  checkByte('CLA', cla);
  checkByte('INS', ins);
  checkByte('P1', p1);
  checkByte('P2', p2);
  if (data.length > EXTENDED_MAX_NC) throw new CardProtocolError(`Nc ${data.length} > 65535`);
  if (
    ne !== undefined &&
    (typeof ne !== 'number' || !Number.isInteger(ne) || ne < 1 || ne > EXTENDED_MAX_NE)
  ) {
    throw new CardProtocolError(`Ne must be 1..65536, got ${kindOf(ne)}`);
  }
}

/** One header byte (no array of pairs: this runs several times per APDU). */
function checkByte(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new CardProtocolError(`${name} must be a byte (0 to 255), got ${kindOf(value)}`);
  }
}

/**
 * Checks a command APDU record handed in from outside (it may not come from
 * {@link commandApdu}): the same checks, and that it is a record with bytes for `data`.
 *
 * @throws VALIDATION when it is not a record with bytes for `data`.
 * @throws CARD_PROTOCOL when a field is out of range.
 */
export function checkCommand(apdu: unknown, what: string): asserts apdu is CommandApdu {
  checkRecord(apdu, what, 'apdu');
  checkBytes(apdu['data'], what, 'apdu.data');
  checkHeader(apdu['cla'], apdu['ins'], apdu['p1'], apdu['p2'], apdu['data'], apdu['ne']);
}

/**
 * Whether the APDU needs the extended-length form (Nc > 255 or Ne > 256).
 *
 * @throws VALIDATION when `apdu` is not a record with bytes for `data`.
 * @throws CARD_PROTOCOL when a field is out of range.
 * @example
 * ```ts
 * needsExtendedLength(cmd) // false for every PIV command careid sends by default
 * ```
 */
export function needsExtendedLength(apdu: CommandApdu): boolean {
  checkCommand(apdu, 'needsExtendedLength input');
  return extended(apdu);
}

/** {@link needsExtendedLength} of a checked record. */
function extended(apdu: CommandApdu): boolean {
  return apdu.data.length > SHORT_MAX_NC || (apdu.ne ?? 0) > SHORT_MAX_NE;
}

/**
 * Encodes a command APDU in the short form when it fits, else the extended form
 * (ISO 7816-4 §5.1, cases 1, 2S/2E, 3S/3E, 4S/4E). `forceExtended` uses the extended form
 * even when the short one would do.
 *
 * @throws VALIDATION when `apdu` is not a record with bytes for `data`, or `forceExtended`
 * is not a boolean.
 * @throws CARD_PROTOCOL when a field is out of range; never for a record built by
 * {@link commandApdu}.
 * @example
 * ```ts
 * encodeCommandApdu(commandApdu(0, 0xcb, 0x3f, 0xff, tag, 256)); // 00 CB 3F FF 05 ... 00
 * ```
 */
export function encodeCommandApdu(apdu: CommandApdu, forceExtended = false): Uint8Array {
  checkCommand(apdu, 'encodeCommandApdu input');
  if (typeof forceExtended !== 'boolean') {
    throw invalidArgument('encodeCommandApdu input', 'forceExtended', 'a boolean', forceExtended);
  }
  const nc = apdu.data.length;
  const ne = apdu.ne;
  const header = [apdu.cla, apdu.ins, apdu.p1, apdu.p2];
  if (!(forceExtended || extended(apdu))) {
    const out: number[] = [...header];
    if (nc > 0) out.push(nc, ...apdu.data);
    if (ne !== undefined) out.push(ne === SHORT_MAX_NE ? 0 : ne);
    return Uint8Array.from(out);
  }
  // Extended: Lc is 00 hi lo; Le is 2 bytes after a body, 3 bytes (00 hi lo) without one.
  const out: number[] = [...header];
  if (nc > 0) out.push(0, nc >> 8, nc & 0xff, ...apdu.data);
  if (ne !== undefined) {
    const le = ne === EXTENDED_MAX_NE ? 0 : ne;
    if (nc === 0) out.push(0);
    out.push(le >> 8, le & 0xff);
  }
  return Uint8Array.from(out);
}

/**
 * Decodes the bytes of a command APDU (the card side: the simulator uses it).
 *
 * @throws VALIDATION when `bytes` is not a Uint8Array.
 * @throws CARD_PROTOCOL when the bytes are not one of the seven cases of ISO 7816-4 §5.1.
 * @example
 * ```ts
 * const cmd = decodeCommandApdu(Uint8Array.of(0x00, 0x20, 0x00, 0x80)); // case 1
 * ```
 */
export function decodeCommandApdu(bytes: Uint8Array): CommandApdu {
  checkBytes(bytes, 'decodeCommandApdu input', 'bytes');
  if (bytes.length < 4) throw new CardProtocolError(`command APDU of ${bytes.length} bytes`);
  const [cla, ins, p1, p2] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
  const body = bytes.subarray(4);
  const n = body.length;
  const empty = new Uint8Array(0);
  if (n === 0) return { cla, ins, p1, p2, data: empty, ne: undefined };
  const b0 = body[0]!;
  if (n === 1) return { cla, ins, p1, p2, data: empty, ne: b0 === 0 ? SHORT_MAX_NE : b0 };
  if (b0 !== 0) {
    // Short case 3S (Lc data) or 4S (Lc data Le).
    if (n === 1 + b0) return { cla, ins, p1, p2, data: body.slice(1), ne: undefined };
    if (n === 2 + b0) {
      const le = body[n - 1]!;
      return { cla, ins, p1, p2, data: body.slice(1, 1 + b0), ne: le === 0 ? SHORT_MAX_NE : le };
    }
    throw new CardProtocolError(`short Lc ${b0} does not match a body of ${n} bytes`);
  }
  // b0 = 00 with more bytes: an extended form.
  if (n === 3) {
    const le = (body[1]! << 8) | body[2]!;
    return { cla, ins, p1, p2, data: empty, ne: le === 0 ? EXTENDED_MAX_NE : le };
  }
  if (n < 3) throw new CardProtocolError(`truncated extended length (${n} bytes)`);
  const lc = (body[1]! << 8) | body[2]!;
  if (lc === 0) throw new CardProtocolError('extended Lc of 0');
  if (n === 3 + lc) return { cla, ins, p1, p2, data: body.slice(3), ne: undefined };
  if (n === 5 + lc) {
    const le = (body[n - 2]! << 8) | body[n - 1]!;
    return {
      cla,
      ins,
      p1,
      p2,
      data: body.slice(3, 3 + lc),
      ne: le === 0 ? EXTENDED_MAX_NE : le,
    };
  }
  throw new CardProtocolError(`extended Lc ${lc} does not match a body of ${n} bytes`);
}
