import { DerCursor, decodeOid, type Tlv } from './der-reader.js';
import { oid, printableString, sequence, set, Tag, utf8String } from './der-writer.js';
import {
  OID_COMMON_NAME,
  OID_COUNTRY,
  OID_ORGANIZATION,
  OID_ORGANIZATIONAL_UNIT,
  OID_SERIAL_NUMBER,
} from './oids.js';
import { malformed } from './pki-error.js';

/** The name attributes careid writes. */
export type NameAttributeType = 'C' | 'O' | 'OU' | 'CN' | 'serialNumber';

/** One attribute of a distinguished name, in order. */
export interface NameAttribute {
  /** Attribute type. */
  readonly type: NameAttributeType;
  /** Attribute value. */
  readonly value: string;
}

/** An attribute read from a name, keeping which RDN it came from. */
export interface ParsedNameAttribute {
  /** Dotted OID of the attribute type. */
  readonly oid: string;
  /** The short name when careid knows the type. */
  readonly type: NameAttributeType | undefined;
  /** Attribute value, decoded. */
  readonly value: string;
  /** Index of the RDN it belongs to: attributes of a multi-valued RDN share it. */
  readonly rdn: number;
}

const TYPE_OID: Readonly<Record<NameAttributeType, string>> = {
  C: OID_COUNTRY,
  O: OID_ORGANIZATION,
  OU: OID_ORGANIZATIONAL_UNIT,
  CN: OID_COMMON_NAME,
  serialNumber: OID_SERIAL_NUMBER,
};
const OID_TYPE: ReadonlyMap<string, NameAttributeType> = new Map(
  Object.entries(TYPE_OID).map(([t, o]) => [o, t as NameAttributeType]),
);

/** PrintableString characters (X.680 §41.4). */
export const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/**
 * Encodes a Name with one RDN per attribute (RFC 5280 §4.1.2.4): careid never writes
 * multi-valued RDNs, whose ordering PKI.js and others disagree on. countryName and
 * serialNumber are PrintableString (X.520), everything else UTF8String (RFC 5280 §4.1.2.6).
 */
export function encodeName(attributes: readonly NameAttribute[]): Uint8Array {
  return sequence(
    ...attributes.map((a) => {
      const printable = a.type === 'C' || a.type === 'serialNumber';
      const value = printable ? printableString(a.value) : utf8String(a.value);
      return set(sequence(oid(TYPE_OID[a.type]), value));
    }),
  );
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** Reads every attribute of a Name, multi-valued RDNs included (flattened, RDN index kept). */
export function readName(buf: Uint8Array, t: Tlv, what: string): readonly ParsedNameAttribute[] {
  const out: ParsedNameAttribute[] = [];
  const c = new DerCursor(buf, t, what);
  let rdn = 0;
  while (!c.atEnd) {
    const setTlv = c.next(Tag.SET);
    const s = c.enter(setTlv);
    if (s.atEnd) throw malformed(what, 'empty RDN');
    while (!s.atEnd) {
      const atv = s.enter(s.next(Tag.SEQUENCE));
      const id = decodeOid(buf, atv.next(Tag.OID), what);
      const v = atv.next();
      atv.end();
      out.push({ oid: id, type: OID_TYPE.get(id), value: decodeString(buf, v, what), rdn });
    }
    rdn++;
  }
  return out;
}

function decodeString(buf: Uint8Array, v: Tlv, what: string): string {
  const bytes = buf.subarray(v.valueStart, v.end);
  switch (v.tag) {
    case Tag.UTF8_STRING:
      try {
        return decoder.decode(bytes);
      } catch (error) {
        throw malformed(what, 'invalid UTF-8 in a name', error);
      }
    case Tag.PRINTABLE_STRING:
    case Tag.IA5_STRING:
    case 0x14: // TeletexString, read as Latin-1 as most implementations do
      return latin1.decode(bytes);
    case 0x1e: {
      // BMPString: UTF-16 big-endian (X.690 §8.23.8)
      if (bytes.length % 2 !== 0) throw malformed(what, 'odd-length BMPString');
      let s = '';
      for (let i = 0; i < bytes.length; i += 2) {
        s += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
      }
      return s;
    }
    default:
      throw malformed(what, `unsupported string type 0x${v.tag.toString(16)} in a name`);
  }
}
