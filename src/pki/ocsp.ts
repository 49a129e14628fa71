import { z } from 'zod';
import { parseWith } from '../errors/parse.js';
import {
  type PublicKeyInfo,
  readSignatureAlgorithm,
  readSignatureBits,
  type SignatureAlgorithmInfo,
  verifySignature,
} from './algorithms.js';
import { encodeGeneralizedTime } from './cert-time.js';
import { parseCertificate } from './certificate.js';
import {
  DerCursor,
  decodeOid,
  decodeSmallInt,
  decodeTime,
  decodeUnsigned,
  elementBytes,
  fromHex,
  readRoot,
  type Tlv,
  toHex,
  valueBytes,
} from './der-reader.js';
import {
  bitString,
  DER_NULL,
  enumerated,
  explicit,
  octetString,
  oid,
  sequence,
  Tag,
  tlv,
  unsignedInteger,
} from './der-writer.js';
import {
  OID_OCSP_BASIC,
  OID_OCSP_NONCE,
  OID_SHA1,
  OID_SHA256,
  OID_SHA384,
  OID_SHA512,
} from './oids.js';
import { malformed, PkiError } from './pki-error.js';
import {
  type RevocationReason,
  RevocationReasonCode,
  revocationReasonFromCode,
} from './revocation-reason.js';

/** Largest OCSP request careid reads. */
export const MAX_OCSP_REQUEST_BYTES = 16 * 1024;
/** Largest OCSP response careid reads. */
export const MAX_OCSP_RESPONSE_BYTES = 256 * 1024;
/** Most certificates careid answers for in one request. */
export const MAX_OCSP_REQUESTS = 32;

/** OCSPRequest / TBSRequest / Request context tags (RFC 6960 §4.1.1). */
const REQ_SIGNATURE = 0xa0;
const REQ_VERSION = 0xa0;
const REQ_REQUESTOR_NAME = 0xa1;
const REQ_EXTENSIONS = 0xa2;
const REQ_SINGLE_EXTENSIONS = 0xa0;
/** OCSPResponse / BasicOCSPResponse / ResponseData context tags (RFC 6960 §4.2.1). */
const RES_BYTES = 0xa0;
const RES_CERTS = 0xa0;
const RES_VERSION = 0xa0;
const RES_RESPONDER_BY_NAME = 0xa1;
const RES_RESPONDER_BY_KEY = 0xa2;
const RES_EXTENSIONS = 0xa1;
/** CertStatus choices good [0], revoked [1], unknown [2] (RFC 6960 §4.2.1). */
const CS_GOOD = 0x80;
const CS_REVOKED = 0xa1;
const CS_UNKNOWN = 0x82;
/** RevokedInfo revocationReason [0] EXPLICIT; SingleResponse nextUpdate [0], extensions [1]. */
const REVOKED_REASON = 0xa0;
const SINGLE_NEXT_UPDATE = 0xa0;
const SINGLE_EXTENSIONS = 0xa1;

/** OCSPResponseStatus (RFC 6960 §4.2.1). */
export const OcspResponseStatus = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
} as const;

/** The hashes a CertID may use; SHA-1 is the RFC 6960 §4.1.1 default and not a signature. */
export type CertIdHash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

const HASH_BY_OID: ReadonlyMap<string, CertIdHash> = new Map([
  [OID_SHA1, 'SHA-1'],
  [OID_SHA256, 'SHA-256'],
  [OID_SHA384, 'SHA-384'],
  [OID_SHA512, 'SHA-512'],
]);

/** One CertID of a request (RFC 6960 §4.1.1). */
export interface OcspCertId {
  /** The CertID element, echoed verbatim in the response. */
  readonly der: Uint8Array;
  /** Hash used for the issuer hashes. */
  readonly hash: CertIdHash;
  /** Hash of the issuer's subject Name. */
  readonly issuerNameHash: Uint8Array;
  /** Hash of the issuer's public key bits. */
  readonly issuerKeyHash: Uint8Array;
  /** Serial asked about, lower-case hex. */
  readonly serialHex: string;
}

/** A parsed OCSP request. */
export interface OcspRequest {
  /** The certificates asked about. */
  readonly certIds: readonly OcspCertId[];
  /** The nonce extension element, echoed in the response (RFC 6960 §4.4.1). */
  readonly nonceExtension: Uint8Array | undefined;
}

const REQ = 'OCSP request';

function readCertId(buf: Uint8Array, t: Tlv, what: string): OcspCertId {
  const c = new DerCursor(buf, t, what);
  const alg = c.enter(c.next(Tag.SEQUENCE));
  const hashOid = decodeOid(buf, alg.next(Tag.OID), what);
  alg.optional(Tag.NULL);
  alg.end();
  const hash = HASH_BY_OID.get(hashOid);
  if (hash === undefined) throw new PkiError('PKI_UNSUPPORTED', `CertID hash ${hashOid}`);
  const issuerNameHash = valueBytes(buf, c.next(Tag.OCTET_STRING));
  const issuerKeyHash = valueBytes(buf, c.next(Tag.OCTET_STRING));
  const serialHex = toHex(decodeUnsigned(buf, c.next(Tag.INTEGER), what));
  c.end();
  return { der: elementBytes(buf, t), hash, issuerNameHash, issuerKeyHash, serialHex };
}

/**
 * Parses a DER OCSPRequest (RFC 6960 §4.1.1). A request signature, if any, is ignored:
 * careid's responder answers anyone (status is public information).
 *
 * @throws PKI_MALFORMED when the DER is not an OCSP request, or over 16 KiB or 32 CertIDs.
 * @throws PKI_UNSUPPORTED for a CertID hash other than SHA-1/SHA-2.
 * @example
 * ```ts
 * const { certIds } = parseOcspRequest(body);
 * ```
 */
export function parseOcspRequest(der: Uint8Array): OcspRequest {
  const root = readRoot(der, REQ, MAX_OCSP_REQUEST_BYTES);
  if (root.tag !== Tag.SEQUENCE) throw malformed(REQ, 'not a SEQUENCE');
  const c = new DerCursor(der, root, REQ);
  const tbs = c.enter(c.next(Tag.SEQUENCE));
  c.optional(REQ_SIGNATURE);
  c.end();
  const version = tbs.optional(REQ_VERSION);
  if (version !== undefined) {
    const v = tbs.enter(version);
    if (decodeSmallInt(der, v.next(Tag.INTEGER), REQ) !== 0) throw malformed(REQ, 'not v1');
  }
  tbs.optional(REQ_REQUESTOR_NAME);
  const list = tbs.enter(tbs.next(Tag.SEQUENCE));
  const certIds: OcspCertId[] = [];
  while (!list.atEnd) {
    if (certIds.length >= MAX_OCSP_REQUESTS) throw malformed(REQ, 'too many CertIDs');
    const r = list.enter(list.next(Tag.SEQUENCE));
    certIds.push(readCertId(der, r.next(Tag.SEQUENCE), REQ));
    r.optional(REQ_SINGLE_EXTENSIONS);
    r.end();
  }
  if (certIds.length === 0) throw malformed(REQ, 'no CertID');
  let nonceExtension: Uint8Array | undefined;
  const extTlv = tbs.optional(REQ_EXTENSIONS);
  tbs.end();
  if (extTlv !== undefined) {
    const w = tbs.enter(extTlv);
    const exts = w.enter(w.next(Tag.SEQUENCE));
    while (!exts.atEnd) {
      const eTlv = exts.next(Tag.SEQUENCE);
      const e = exts.enter(eTlv);
      if (decodeOid(der, e.next(Tag.OID), REQ) === OID_OCSP_NONCE) {
        nonceExtension = elementBytes(der, eTlv);
      }
    }
  }
  return { certIds, nonceExtension };
}

/** A single answer in an OCSP response. */
export type OcspCertStatus =
  | {
      /** Issued by this CA and not revoked. */
      readonly status: 'good';
    }
  | {
      /** Revoked. */
      readonly status: 'revoked';
      /** Since when. */
      readonly revokedAt: Date;
      /** Why (RFC 5280 §5.3.1). */
      readonly reason: RevocationReason;
    }
  | {
      /** Not issued by this CA, as far as the responder knows. */
      readonly status: 'unknown';
    };

/** `good [0] IMPLICIT NULL` and `unknown [2] IMPLICIT NULL` (RFC 6960 §4.2.1). */
const STATUS_GOOD = Uint8Array.of(CS_GOOD, 0x00);
const STATUS_UNKNOWN = Uint8Array.of(CS_UNKNOWN, 0x00);

/** One SingleResponse (RFC 6960 §4.2.1); the CertID is the request's, verbatim. */
export function encodeSingleResponse(
  certIdDer: Uint8Array,
  answer: OcspCertStatus,
  thisUpdate: Date,
  nextUpdate: Date | undefined,
): Uint8Array {
  let status: Uint8Array;
  if (answer.status === 'good') status = STATUS_GOOD;
  else if (answer.status === 'unknown') status = STATUS_UNKNOWN;
  else {
    const parts = [encodeGeneralizedTime(answer.revokedAt)];
    if (answer.reason !== 'unspecified') {
      parts.push(explicit(0, enumerated(RevocationReasonCode[answer.reason])));
    }
    status = tlv(CS_REVOKED, ...parts); // revoked [1] IMPLICIT RevokedInfo
  }
  const parts = [certIdDer, status, encodeGeneralizedTime(thisUpdate)];
  if (nextUpdate !== undefined) parts.push(explicit(0, encodeGeneralizedTime(nextUpdate)));
  return sequence(...parts);
}

/**
 * ResponseData (RFC 6960 §4.2.1): version v1 left out as the DER default, responderID
 * `byName [1]` (careid avoids the SHA-1 `byKey` hash), the responses, and the nonce.
 */
export function encodeResponseData(
  responderName: Uint8Array,
  producedAt: Date,
  singleResponses: readonly Uint8Array[],
  nonceExtension: Uint8Array | undefined,
): Uint8Array {
  const parts = [
    explicit(1, responderName),
    encodeGeneralizedTime(producedAt),
    sequence(...singleResponses),
  ];
  if (nonceExtension !== undefined) parts.push(explicit(1, sequence(nonceExtension)));
  return sequence(...parts);
}

/** OCSPResponse around a signed BasicOCSPResponse (RFC 6960 §4.2.1). */
export function encodeOcspResponse(
  responseData: Uint8Array,
  signatureAlgorithm: Uint8Array,
  signature: Uint8Array,
  certs: readonly Uint8Array[],
): Uint8Array {
  const basic = sequence(
    responseData,
    signatureAlgorithm,
    bitString(signature),
    explicit(0, sequence(...certs)),
  );
  return sequence(
    enumerated(OcspResponseStatus.successful),
    explicit(0, sequence(oid(OID_OCSP_BASIC), octetString(basic))),
  );
}

/** An unsigned error response: only a status (RFC 6960 §2.3). */
export function encodeOcspError(
  status: Exclude<keyof typeof OcspResponseStatus, 'successful'>,
): Uint8Array {
  return sequence(enumerated(OcspResponseStatus[status]));
}

/** One answer of a parsed response. */
export interface ParsedSingleResponse {
  /** Which certificate this answers for. */
  readonly certId: OcspCertId;
  /** good, revoked or unknown. */
  readonly answer: OcspCertStatus;
  /** When the status was known correct. */
  readonly thisUpdate: Date;
  /** When newer information will be available. */
  readonly nextUpdate: Date | undefined;
}

/** A parsed OCSP response. `basic` is absent unless the status is `successful`. */
export interface ParsedOcspResponse {
  /** OCSPResponseStatus (0 = successful). */
  readonly status: number;
  /** The BasicOCSPResponse, present when the status is successful. */
  readonly basic:
    | {
        /** DER of the ResponseData, what the signature covers. */
        readonly tbs: Uint8Array;
        /** The ResponderID element. */
        readonly responderId: Uint8Array;
        /** When the response was signed. */
        readonly producedAt: Date;
        /** The answers. */
        readonly responses: readonly ParsedSingleResponse[];
        /** How the responder signed. */
        readonly signatureAlgorithm: SignatureAlgorithmInfo;
        /** The signature value. */
        readonly signature: Uint8Array;
        /** Certificates embedded to help verify the signature (DER). */
        readonly certs: readonly Uint8Array[];
      }
    | undefined;
}

const RES = 'OCSP response';

/**
 * Parses a DER OCSPResponse (RFC 6960 §4.2.1) without verifying it.
 *
 * @throws PKI_MALFORMED when the DER is not an OCSP response, or over 256 KiB.
 * @throws PKI_UNSUPPORTED for an unknown response type or SHA-1 signature.
 * @example
 * ```ts
 * const { basic } = parseOcspResponse(der);
 * ```
 */
export function parseOcspResponse(der: Uint8Array): ParsedOcspResponse {
  const root = readRoot(der, RES, MAX_OCSP_RESPONSE_BYTES);
  if (root.tag !== Tag.SEQUENCE) throw malformed(RES, 'not a SEQUENCE');
  const c = new DerCursor(der, root, RES);
  const status = decodeSmallInt(der, c.next(Tag.ENUMERATED), RES);
  const bytesTlv = c.optional(RES_BYTES);
  c.end();
  if (status !== OcspResponseStatus.successful) return { status, basic: undefined };
  if (bytesTlv === undefined) throw malformed(RES, 'successful response without a body');
  const rb = c.enter(c.enter(bytesTlv).next(Tag.SEQUENCE));
  const type = decodeOid(der, rb.next(Tag.OID), RES);
  if (type !== OID_OCSP_BASIC) throw new PkiError('PKI_UNSUPPORTED', `OCSP response type ${type}`);
  const octets = rb.next(Tag.OCTET_STRING);
  rb.end();
  const body = valueBytes(der, octets);
  const bRoot = readRoot(body, RES, MAX_OCSP_RESPONSE_BYTES);
  const b = new DerCursor(body, bRoot, RES);
  const tbsTlv = b.next(Tag.SEQUENCE);
  const signatureAlgorithm = readSignatureAlgorithm(body, b.next(Tag.SEQUENCE), RES);
  const signature = readSignatureBits(body, b.next(Tag.BIT_STRING), RES);
  const certs: Uint8Array[] = [];
  const certsTlv = b.optional(RES_CERTS);
  b.end();
  if (certsTlv !== undefined) {
    const list = b.enter(b.enter(certsTlv).next(Tag.SEQUENCE));
    while (!list.atEnd) certs.push(elementBytes(body, list.next(Tag.SEQUENCE)));
  }
  const t = b.enter(tbsTlv);
  t.optional(RES_VERSION);
  const rid = t.next();
  if (rid.tag !== RES_RESPONDER_BY_NAME && rid.tag !== RES_RESPONDER_BY_KEY)
    throw malformed(RES, 'bad responderID');
  const producedAt = decodeTime(body, t.next(Tag.GENERALIZED_TIME), RES);
  const list = t.enter(t.next(Tag.SEQUENCE));
  t.optional(RES_EXTENSIONS);
  t.end();
  const responses: ParsedSingleResponse[] = [];
  while (!list.atEnd) {
    if (responses.length >= MAX_OCSP_REQUESTS) throw malformed(RES, 'too many responses');
    const s = list.enter(list.next(Tag.SEQUENCE));
    const certId = readCertId(body, s.next(Tag.SEQUENCE), RES);
    const st = s.next();
    let answer: OcspCertStatus;
    if (st.tag === CS_GOOD) answer = { status: 'good' };
    else if (st.tag === CS_UNKNOWN) answer = { status: 'unknown' };
    else if (st.tag === CS_REVOKED) {
      const r = s.enter(st);
      const revokedAt = decodeTime(body, r.next(Tag.GENERALIZED_TIME), RES);
      let reason: RevocationReason = 'unspecified';
      const rt = r.optional(REVOKED_REASON);
      r.end();
      if (rt !== undefined) {
        const code = decodeSmallInt(body, r.enter(rt).next(Tag.ENUMERATED), RES);
        reason = revocationReasonFromCode(code) ?? 'unspecified';
      }
      answer = { status: 'revoked', revokedAt, reason };
    } else throw malformed(RES, 'bad certStatus');
    const thisUpdate = decodeTime(body, s.next(Tag.GENERALIZED_TIME), RES);
    const nu = s.optional(SINGLE_NEXT_UPDATE);
    const nextUpdate =
      nu === undefined ? undefined : decodeTime(body, s.enter(nu).next(Tag.GENERALIZED_TIME), RES);
    s.optional(SINGLE_EXTENSIONS);
    s.end();
    responses.push({ certId, answer, thisUpdate, nextUpdate });
  }
  return {
    status,
    basic: {
      tbs: elementBytes(body, tbsTlv),
      responderId: elementBytes(body, rid),
      producedAt,
      responses,
      signatureAlgorithm,
      signature,
      certs,
    },
  };
}

/**
 * Whether a parsed response's signature verifies under the responder's key.
 *
 * @throws PKI_MALFORMED when the response has no body or the signature cannot be decoded.
 */
export function verifyOcspSignature(
  response: ParsedOcspResponse,
  responderKey: PublicKeyInfo,
): Promise<boolean> {
  const b = response.basic;
  if (b === undefined) throw malformed(RES, 'no BasicOCSPResponse');
  return verifySignature(responderKey, b.signatureAlgorithm, b.signature, b.tbs);
}

const CERT_ID_HASH_OID: Readonly<Record<CertIdHash, string>> = {
  'SHA-1': OID_SHA1,
  'SHA-256': OID_SHA256,
  'SHA-384': OID_SHA384,
  'SHA-512': OID_SHA512,
};

const ocspRequestInputSchema = z.object({
  issuer: z.instanceof(Uint8Array),
  serials: z
    .array(z.string().regex(/^[0-9a-f]{1,40}$/, 'lower-case hex serial'))
    .min(1)
    .max(MAX_OCSP_REQUESTS),
  hash: z.enum(['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']).optional(),
  nonce: z
    .instanceof(Uint8Array)
    .refine((n) => n.length >= 1 && n.length <= 32, '1 to 32 bytes')
    .optional(),
});

/** What {@link createOcspRequest} asks about. */
export interface OcspRequestInput {
  /** The issuing CA's DER certificate. */
  readonly issuer: Uint8Array;
  /** Serials (lower-case hex) of certificates it issued. */
  readonly serials: readonly string[];
  /** CertID hash; SHA-1 by default, as most responders expect (RFC 6960 §4.1.1, RFC 5019 §2.1.1). */
  readonly hash?: CertIdHash;
  /** A nonce to bind the response to this request (RFC 6960 §4.4.1). */
  readonly nonce?: Uint8Array;
}

/**
 * Builds an unsigned DER OCSPRequest (RFC 6960 §4.1.1) for certificates of one issuer.
 *
 * @throws VALIDATION when a serial is not lower-case hex, or there are none or over 32.
 * @throws PKI_MALFORMED when the issuer certificate cannot be parsed.
 * @example
 * ```ts
 * const req = await createOcspRequest({ issuer: ca.issuingCertificate, serials: [serialHex] });
 * ```
 */
export async function createOcspRequest(input: OcspRequestInput): Promise<Uint8Array> {
  const v = parseWith(ocspRequestInputSchema, input, 'OCSP request input');
  const issuer = parseCertificate(v.issuer);
  const hash = v.hash ?? 'SHA-1';
  const nameHash = new Uint8Array(await crypto.subtle.digest(hash, issuer.subjectDer));
  const keyHash = new Uint8Array(await crypto.subtle.digest(hash, issuer.publicKey.keyBits));
  const algorithm = sequence(oid(CERT_ID_HASH_OID[hash]), DER_NULL);
  const requests = v.serials.map((s) => {
    const certId = sequence(
      algorithm,
      octetString(nameHash),
      octetString(keyHash),
      unsignedInteger(fromHex(s.length % 2 ? `0${s}` : s)),
    );
    return sequence(certId);
  });
  const parts = [sequence(...requests)];
  if (v.nonce !== undefined) {
    // The nonce extension's value is an OCTET STRING holding the nonce (RFC 8954 §2.1).
    parts.push(
      explicit(2, sequence(sequence(oid(OID_OCSP_NONCE), octetString(octetString(v.nonce))))),
    );
  }
  return sequence(sequence(...parts));
}
