import * as asn1js from 'asn1js';
import { CareIdError } from '../errors/care-id-error.js';
import { malformed } from './pki-error.js';

/**
 * The edge between careid and asn1js/PKI.js: DER in (bounded, strict), PKI.js exceptions
 * out as careid's coded errors, and pre-encoded elements placed inside asn1js structures.
 */

/**
 * asn1js parse limits for one certificate, CSR or OCSP message: careid's structures nest
 * at most a dozen levels and hold a few hundred nodes, so hostile nesting or node floods
 * stop early.
 */
const MAX_DEPTH = 24;
const MAX_NODES = 4_096;

/** The identifier octets' universal class and SEQUENCE / SET tag numbers (X.690 §8.1.2). */
const UNIVERSAL_CLASS = 1;
const SEQUENCE_TAG = 16;
const SET_TAG = 17;

/** Minimal length-octet count for a definite length (X.690 §10.1). */
function minimalLengthOctets(length: number): number {
  if (length < 0x80) return 1;
  let n = 1;
  for (let v = length; v > 0; v = Math.floor(v / 256)) n++;
  return n;
}

/**
 * Refuses what BER allows and DER does not (X.690 §10): indefinite or non-minimal
 * lengths, and constructed forms of primitive universal types. asn1js reads BER.
 */
function requireDer(block: asn1js.AsnType, what: string): void {
  const stack: asn1js.AsnType[] = [block];
  while (stack.length > 0) {
    const b = stack.pop() as asn1js.BaseBlock;
    const len = b.lenBlock;
    if (len.isIndefiniteForm) throw malformed(what, 'indefinite length (not DER)');
    if (len.blockLength !== minimalLengthOctets(len.length)) {
      throw malformed(what, 'non-minimal length (not DER)');
    }
    const id = b.idBlock;
    if (id.isConstructed) {
      const tag = id.tagNumber;
      if (id.tagClass === UNIVERSAL_CLASS && tag !== SEQUENCE_TAG && tag !== SET_TAG) {
        throw malformed(what, 'constructed string (not DER)');
      }
      const children = (b.valueBlock as { value?: unknown }).value;
      if (Array.isArray(children)) stack.push(...(children as asn1js.AsnType[]));
    }
  }
}

/**
 * Parses `input` as exactly one DER element of at most `maxBytes`, within careid's depth
 * and node limits.
 *
 * @throws PKI_MALFORMED when the input is not bytes, is empty or too large, is not one
 *   complete DER element, or exceeds the limits.
 */
export function readDer(input: unknown, what: string, maxBytes: number): asn1js.AsnType {
  if (!(input instanceof Uint8Array)) throw malformed(what, 'not a byte array');
  if (input.length === 0) throw malformed(what, 'empty input');
  if (input.length > maxBytes) throw malformed(what, `larger than ${maxBytes} bytes`);
  // asn1js mostly reports errors in its result, but throws on some (a malformed time).
  const parsed = fromPkijs(what, () =>
    asn1js.fromBER(input, {
      maxDepth: MAX_DEPTH,
      maxNodes: MAX_NODES,
      maxContentLength: maxBytes,
      parseEmbedded: false,
      copyInput: false, // results are views of `input`, as careid documents
    }),
  );
  if (parsed.offset === -1) throw malformed(what, parsed.result.error || 'not DER');
  if (parsed.offset !== input.length) throw malformed(what, 'trailing bytes after the element');
  requireDer(parsed.result, what);
  return parsed.result;
}

/**
 * Runs a PKI.js / asn1js step; careid's own errors pass through, anything else PKI.js
 * throws (schema mismatches, TypeErrors on absent fields) becomes `PKI_MALFORMED`.
 *
 * @throws PKI_MALFORMED when `step` throws anything but a careid error.
 */
export function fromPkijs<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof CareIdError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw malformed(what, detail.slice(0, 200), error);
  }
}

/** {@link readDer} then a PKI.js class built from the parsed schema. */
export function readPkijs<T>(
  input: unknown,
  what: string,
  maxBytes: number,
  make: (schema: asn1js.AsnType) => T,
): T {
  const schema = readDer(input, what, maxBytes);
  return fromPkijs(what, () => make(schema));
}

/** Anything asn1js can place inside a SEQUENCE: a value block, or an {@link EncodedElement}. */
export type Asn1Item = asn1js.BaseBlock | asn1js.Any;

/**
 * An element already DER-encoded, placed as is inside an asn1js structure (no re-parse,
 * no re-encoding). asn1js's own `RawData` returns its bytes but does not write them into
 * an enclosing SEQUENCE's writer, so it cannot be nested; this one can.
 */
export class EncodedElement extends asn1js.Any {
  constructor(private readonly der: Uint8Array) {
    super();
  }

  /** The element's DER, also written into `writer` when asn1js encodes a parent. */
  toBER(_sizeOnly?: boolean, writer?: { write(buf: ArrayBuffer): void }): ArrayBuffer {
    const encoded = this.der.slice().buffer;
    writer?.write(encoded);
    return encoded;
  }
}

/** An asn1js value or PKI.js schema as DER bytes. */
export function encode(block: { toBER(sizeOnly?: boolean): ArrayBuffer }): Uint8Array {
  return new Uint8Array(block.toBER(false));
}

/** A view of the bytes of an `ArrayBuffer` or typed array, without copying. */
export function bytesOf(source: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (source instanceof Uint8Array) return source;
  if (ArrayBuffer.isView(source)) {
    return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  }
  return new Uint8Array(source);
}

/**
 * `SEQUENCE { tbs, signatureAlgorithm, BIT STRING signature, ...more }`: the shape of a
 * Certificate, CertificationRequest, CertificateList and BasicOCSPResponse, with the
 * to-be-signed bytes placed exactly as they were signed.
 */
export function signedStructure(
  tbs: Uint8Array,
  signatureAlgorithm: Asn1Item,
  signature: Uint8Array,
  ...more: readonly Asn1Item[]
): Uint8Array {
  return encode(
    new asn1js.Sequence({
      value: [
        new EncodedElement(tbs),
        signatureAlgorithm,
        new asn1js.BitString({ valueHex: signature }),
        ...more,
      ],
    }),
  );
}

/** The value of a BIT STRING holding whole bytes (signatures, public keys). */
export function wholeByteBits(bits: asn1js.BitString, what: string): Uint8Array {
  if (!(bits instanceof asn1js.BitString) || bits.valueBlock.unusedBits !== 0) {
    throw malformed(what, 'bit string is not whole bytes');
  }
  const value = bits.valueBlock.valueHexView;
  if (value.length === 0) throw malformed(what, 'empty bit string');
  return value;
}

/**
 * The magnitude of a non-negative INTEGER, leading zero octets removed.
 *
 * @throws PKI_MALFORMED for a negative or empty INTEGER.
 */
export function unsignedMagnitude(n: asn1js.Integer, what: string): Uint8Array {
  if (!(n instanceof asn1js.Integer)) throw malformed(what, 'expected an INTEGER');
  const v = n.valueBlock.valueHexView;
  if (v.length === 0) throw malformed(what, 'empty integer');
  if (v[0]! & 0x80) throw malformed(what, 'negative integer');
  let s = 0;
  while (s < v.length - 1 && v[s] === 0) s++;
  return v.subarray(s);
}

/** A minimal positive INTEGER from an unsigned big-endian magnitude (X.690 §8.3). */
export function unsignedInteger(magnitude: Uint8Array): asn1js.Integer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const body = magnitude.subarray(start);
  if (body.length > 0 && body[0]! & 0x80) {
    const padded = new Uint8Array(body.length + 1);
    padded.set(body, 1);
    return new asn1js.Integer({ valueHex: padded });
  }
  return new asn1js.Integer({ valueHex: body.length === 0 ? Uint8Array.of(0) : body });
}

// Lower-case hex of bytes, and bytes from hex text (the caller has validated it; an odd
// length gets a leading 0).
export { fromHex, toHex } from '../crypto/encoding.js';

/** Whether two byte arrays hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Orders byte strings as DER orders a SET OF (X.690 §11.6): byte by byte, a prefix first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
