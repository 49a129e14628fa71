import { fromHex, latin1Bytes, latin1Text, toHex } from '../../crypto/encoding.js';
import { checkBytes, checkRecord, checkString } from '../../errors/guards.js';
import { decodeTlv, encodeTlv, findTlv, requireTlv } from '../apdu/tlv.js';
import { CardProtocolError } from '../errors.js';
import { PivTag } from './constants.js';

/** CHUID tags (SP 800-73-4 Part 1 Table 9). */
const CHUID_FASCN = 0x30;
const CHUID_GUID = 0x34;
const CHUID_EXPIRY = 0x35;
const CHUID_SIGNATURE = 0x3e;
/** CertInfo 00: the certificate is not compressed (SP 800-73-4 Part 1 Table 15 note). */
const CERT_INFO_UNCOMPRESSED = 0x00;
/** CertInfo bit 0: the certificate is gzip-compressed (SP 800-73-4 Part 1 Table 15 note). */
const CERT_INFO_GZIP = 0x01;

/**
 * The FASC-N of a non-federal issuer (agency 9999, system 9999, credential 999999), as
 * SP 800-73-4 Part 1 §3.3 allows for cards that are not federal PIV cards.
 * @example
 * ```ts
 * await piv.writeChuid({ fascn: NON_FEDERAL_FASCN, guid: holderGuid('555123456789'), expiry: '20291231' });
 * ```
 */
export const NON_FEDERAL_FASCN: Uint8Array = fromHex(
  'd4e739da739ced39ce739d836858210842108421c84210c3eb',
);

/**
 * What careid keeps in the CHUID: the GUID carries the holder's UUID (CARD-11, see {@link holderGuid}).
 * @example
 * ```ts
 * const chuid: Chuid = { fascn: NON_FEDERAL_FASCN, guid: holderGuid('555123456789'), expiry: '20291231' };
 * ```
 */
export interface Chuid {
  /** The FASC-N, 25 bytes. */
  readonly fascn: Uint8Array;
  /** The GUID as a canonical UUID string (lower case, hyphenated). */
  readonly guid: string;
  /** Expiration date, `YYYYMMDD`. */
  readonly expiry: string;
  /**
   * The issuer asymmetric signature (tag 3E, SP 800-73-4 Part 1 §3.1.2): a CMS SignedData
   * over {@link chuidSignedContent}, made with careid/pki's `signChuid`. Absent: written
   * empty, as on an unsigned card.
   */
  readonly issuerSignature?: Uint8Array;
}

function uuidToBytes(uuid: string): Uint8Array {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(uuid)) {
    throw new CardProtocolError('CHUID GUID must be a UUID');
  }
  return fromHex(uuid.replaceAll('-', ''));
}

function bytesToUuid(bytes: Uint8Array): string {
  const h = toHex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The GUID of a card whose holder is known by a careid UUID: ten zero bytes, then BCD. */
const HOLDER_GUID_PREFIX = '00000000-0000-0000-0000-';

/**
 * The CHUID GUID carrying a holder's 12-digit careid UUID (ID-05, CARD-11): ten zero
 * bytes, then the digits in packed BCD, so the canonical form ends with the UUID itself
 * (`00000000-0000-0000-0000-555123456789`).
 *
 * @throws VALIDATION when `uuid` is not a string.
 * @throws CARD_PROTOCOL when `uuid` is not 12 digits.
 * @example
 * ```ts
 * await piv.writeChuid({ fascn: NON_FEDERAL_FASCN, guid: holderGuid('555123456789'), expiry: '20291231' });
 * ```
 */
export function holderGuid(uuid: string): string {
  checkString(uuid, 'holderGuid input', 'uuid');
  if (!/^\d{12}$/.test(uuid)) throw new CardProtocolError('a holder UUID is 12 digits (ID-05)');
  return `${HOLDER_GUID_PREFIX}${uuid}`;
}

/**
 * The holder's 12-digit UUID in a CHUID GUID written by {@link holderGuid}, or
 * `undefined` for any other GUID.
 *
 * @throws VALIDATION when `guid` is not a string.
 * @example
 * ```ts
 * holderOfGuid('00000000-0000-0000-0000-555123456789'); // '555123456789'
 * ```
 */
export function holderOfGuid(guid: string): string | undefined {
  checkString(guid, 'holderOfGuid input', 'guid');
  const tail = guid.slice(HOLDER_GUID_PREFIX.length);
  return guid.startsWith(HOLDER_GUID_PREFIX) && /^\d{12}$/.test(tail) ? tail : undefined;
}

/**
 * Encodes a CHUID object (SP 800-73-4 Part 1 Table 9): FASC-N, GUID, expiry, an empty
 * issuer signature and the error detection code. careid does not sign CHUIDs (CARD-11:
 * the card holds the UUID; the issuer signature is optional outside federal PIV).
 *
 * @throws VALIDATION when `chuid` is not a record of bytes and strings as {@link Chuid} says.
 * @throws CARD_PROTOCOL when the GUID is not a UUID, the FASC-N is not 25 bytes or the
 * expiry is not `YYYYMMDD`.
 * @example
 * ```ts
 * encodeChuid({ fascn: NON_FEDERAL_FASCN, guid: user.uuid, expiry: '20291231' });
 * ```
 */
export function encodeChuid(chuid: Chuid): Uint8Array {
  const content = signedContent(chuid, 'encodeChuid input');
  const signature = chuid.issuerSignature ?? new Uint8Array(0);
  checkBytes(signature, 'encodeChuid input', 'chuid.issuerSignature');
  return Uint8Array.from([
    ...content,
    ...encodeTlv(CHUID_SIGNATURE, signature),
    ...encodeTlv(PivTag.ERROR_DETECTION),
  ]);
}

/**
 * What the CHUID's issuer signature covers: every data element before the signature (tag
 * 3E), as they are written on the card (SP 800-73-4 Part 1 §3.1.2, FIPS 201-3 §4.2.1).
 *
 * @throws VALIDATION when `chuid` is not a record of bytes and strings as {@link Chuid} says.
 * @throws CARD_PROTOCOL on a bad field.
 * @example
 * ```ts
 * const signature = await signChuid({ content: chuidSignedContent(chuid), certificate, signer });
 * ```
 */
export function chuidSignedContent(chuid: Omit<Chuid, 'issuerSignature'>): Uint8Array {
  return signedContent(chuid, 'chuidSignedContent input');
}

/** {@link chuidSignedContent}, its errors naming `what`. */
function signedContent(chuid: Omit<Chuid, 'issuerSignature'>, what: string): Uint8Array {
  checkRecord(chuid, what, 'chuid');
  checkBytes(chuid.fascn, what, 'chuid.fascn');
  checkString(chuid.guid, what, 'chuid.guid');
  checkString(chuid.expiry, what, 'chuid.expiry');
  if (chuid.fascn.length !== 25) throw new CardProtocolError('CHUID FASC-N must be 25 bytes');
  if (!/^\d{8}$/.test(chuid.expiry)) throw new CardProtocolError('CHUID expiry must be YYYYMMDD');
  return Uint8Array.from([
    ...encodeTlv(CHUID_FASCN, chuid.fascn),
    ...encodeTlv(CHUID_GUID, uuidToBytes(chuid.guid)),
    ...encodeTlv(CHUID_EXPIRY, latin1Bytes(chuid.expiry)),
  ]);
}

/**
 * Decodes a CHUID object.
 *
 * @throws VALIDATION when `bytes` is not a Uint8Array.
 * @throws CARD_PROTOCOL when a mandatory element is missing or malformed.
 * @example
 * ```ts
 * const { guid } = decodeChuid(await session.readObject(PivObject.CHUID));
 * ```
 */
export function decodeChuid(bytes: Uint8Array): Chuid {
  checkBytes(bytes, 'decodeChuid input', 'bytes');
  const items = decodeTlv(bytes);
  const fascn = requireTlv(items, CHUID_FASCN, 'CHUID');
  const guid = requireTlv(items, CHUID_GUID, 'CHUID');
  const expiry = requireTlv(items, CHUID_EXPIRY, 'CHUID');
  if (guid.length !== 16) throw new CardProtocolError(`CHUID GUID of ${guid.length} bytes`);
  const text = latin1Text(expiry);
  if (!/^\d{8}$/.test(text)) throw new CardProtocolError('CHUID expiry is not YYYYMMDD');
  const signature = findTlv(items, CHUID_SIGNATURE);
  return {
    fascn,
    guid: bytesToUuid(guid),
    expiry: text,
    ...(signature !== undefined && signature.length > 0 ? { issuerSignature: signature } : {}),
  };
}

/**
 * Wraps a DER certificate in a PIV certificate container (SP 800-73-4 Part 1 Table 15).
 *
 * @throws VALIDATION when `der` is not a Uint8Array.
 * @example
 * ```ts
 * await session.writeObject(PivObject.CERT_AUTHENTICATION, encodeCertificateObject(der));
 * ```
 */
export function encodeCertificateObject(der: Uint8Array): Uint8Array {
  checkBytes(der, 'encodeCertificateObject input', 'der');
  return Uint8Array.from([
    ...encodeTlv(PivTag.CERTIFICATE, der),
    ...encodeTlv(PivTag.CERT_INFO, Uint8Array.of(CERT_INFO_UNCOMPRESSED)),
    ...encodeTlv(PivTag.ERROR_DETECTION),
  ]);
}

/**
 * The DER certificate in a PIV certificate container.
 *
 * @throws VALIDATION when `bytes` is not a Uint8Array.
 * @throws CARD_PROTOCOL when tag 70 is missing or the certificate is compressed.
 * @example
 * ```ts
 * const der = decodeCertificateObject(await session.readObject(PivObject.CERT_AUTHENTICATION));
 * ```
 */
export function decodeCertificateObject(bytes: Uint8Array): Uint8Array {
  checkBytes(bytes, 'decodeCertificateObject input', 'bytes');
  const items = decodeTlv(bytes);
  const info = findTlv(items, PivTag.CERT_INFO);
  if (info !== undefined && info.length > 0 && (info[0]! & CERT_INFO_GZIP) !== 0) {
    throw new CardProtocolError('compressed certificates are not supported');
  }
  return requireTlv(items, PivTag.CERTIFICATE, 'certificate container');
}
