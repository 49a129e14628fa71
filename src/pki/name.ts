import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { bytesOf, fromPkijs, readDer } from './asn1.js';
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

/** Largest Name careid reads on its own (inside a certificate the certificate's limit holds). */
const MAX_NAME_BYTES = 8 * 1024;

/**
 * A Name PKI.js writes with one attribute per RDN. PKI.js's own `toSchema` puts every
 * attribute into a single SET, i.e. one multi-valued RDN, unsorted (not DER); careid never
 * writes multi-valued RDNs (RFC 5280 §4.1.2.4), so it overrides the encoding.
 */
class SingleValuedName extends pkijs.RelativeDistinguishedNames {
  override toSchema(): asn1js.Sequence {
    return new asn1js.Sequence({
      value: this.typesAndValues.map((tv) => new asn1js.Set({ value: [tv.toSchema()] })),
    });
  }
}

/**
 * A Name with one RDN per attribute, in order. countryName and serialNumber are
 * PrintableString (X.520), everything else UTF8String (RFC 5280 §4.1.2.6).
 */
export function buildName(attributes: readonly NameAttribute[]): pkijs.RelativeDistinguishedNames {
  return new SingleValuedName({
    typesAndValues: attributes.map((a) => {
      const printable = a.type === 'C' || a.type === 'serialNumber';
      return new pkijs.AttributeTypeAndValue({
        type: TYPE_OID[a.type],
        value: printable
          ? new asn1js.PrintableString({ value: a.value })
          : new asn1js.Utf8String({ value: a.value }),
      });
    }),
  });
}

/** The DER of a Name as PKI.js read it. */
export function nameDer(name: pkijs.RelativeDistinguishedNames): Uint8Array {
  return bytesOf(name.valueBeforeDecode);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** asn1js universal tag numbers of the string types a Name may hold (X.680 §8.4). */
const UTF8_STRING = 12;
const PRINTABLE_STRING = 19;
const TELETEX_STRING = 20;
const IA5_STRING = 22;
const BMP_STRING = 30;

/**
 * Every attribute of a Name, multi-valued RDNs included (flattened, RDN index kept).
 * PKI.js flattens the RDNs and loses their grouping, so careid walks the SETs itself.
 *
 * @throws PKI_MALFORMED when the Name is malformed or holds an unsupported string type.
 */
export function readName(der: Uint8Array, what: string): readonly ParsedNameAttribute[] {
  const root = readDer(der, what, MAX_NAME_BYTES);
  if (!(root instanceof asn1js.Sequence)) throw malformed(what, 'a Name is a SEQUENCE');
  const out: ParsedNameAttribute[] = [];
  root.valueBlock.value.forEach((set, rdn) => {
    if (!(set instanceof asn1js.Set)) throw malformed(what, 'an RDN is a SET');
    if (set.valueBlock.value.length === 0) throw malformed(what, 'empty RDN');
    for (const atv of set.valueBlock.value) {
      const a = fromPkijs(what, () => new pkijs.AttributeTypeAndValue({ schema: atv }));
      out.push({
        oid: a.type,
        type: OID_TYPE.get(a.type),
        value: decodeString(a.value, what),
        rdn,
      });
    }
  });
  return out;
}

function decodeString(value: unknown, what: string): string {
  const block = value as asn1js.BaseBlock;
  const id = block?.idBlock;
  const raw = (block?.valueBlock as { valueHexView?: Uint8Array } | undefined)?.valueHexView;
  if (id === undefined || id.tagClass !== 1 || id.isConstructed || raw === undefined) {
    throw malformed(what, 'a name attribute value is not a string');
  }
  switch (id.tagNumber) {
    case UTF8_STRING:
      try {
        return utf8.decode(raw);
      } catch (error) {
        throw malformed(what, 'invalid UTF-8 in a name', error);
      }
    case PRINTABLE_STRING:
    case IA5_STRING:
    case TELETEX_STRING: // read as Latin-1, as most implementations do
      return latin1.decode(raw);
    case BMP_STRING: {
      // UTF-16 big-endian (X.690 §8.23.8)
      if (raw.length % 2 !== 0) throw malformed(what, 'odd-length BMPString');
      let s = '';
      for (let i = 0; i < raw.length; i += 2)
        s += String.fromCharCode((raw[i]! << 8) | raw[i + 1]!);
      return s;
    }
    default:
      throw malformed(what, `unsupported string type ${id.tagNumber} in a name`);
  }
}
