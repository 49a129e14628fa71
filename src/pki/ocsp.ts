import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { z } from 'zod';
import { parseWith } from '../errors/parse.js';
import {
  type PublicKeyInfo,
  readSignatureAlgorithm,
  type SignatureAlgorithmInfo,
  verifySignature,
} from './algorithms.js';
import {
  type Asn1Item,
  bytesOf,
  EncodedElement,
  encode,
  fromHex,
  fromPkijs,
  readDer,
  readPkijs,
  toHex,
  unsignedInteger,
  unsignedMagnitude,
  wholeByteBits,
} from './asn1.js';
import { parseCertificate } from './certificate.js';
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
import { readTime } from './time.js';

/**
 * OCSP requests and responses (RFC 6960) on PKI.js's OCSP classes. careid supplies what
 * PKI.js leaves raw: the CertStatus CHOICE, GeneralizedTime in whole seconds, the nonce
 * echo, and limits on hostile input.
 */

/** Largest OCSP request careid reads. */
export const MAX_OCSP_REQUEST_BYTES = 16 * 1024;
/** Largest OCSP response careid reads. */
export const MAX_OCSP_RESPONSE_BYTES = 256 * 1024;
/** Most certificates careid answers for in one request. */
export const MAX_OCSP_REQUESTS = 32;

/** OCSPResponseStatus (RFC 6960 §4.2.1). */
export const OcspResponseStatus = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
} as const;

/** asn1js's number for the context-specific class. */
const CONTEXT_CLASS = 3;
/** CertStatus choices good [0], revoked [1], unknown [2] (RFC 6960 §4.2.1). */
const CS_GOOD = 0;
const CS_REVOKED = 1;
const CS_UNKNOWN = 2;
/** ResponderID choices byName [1], byKey [2] (RFC 6960 §4.2.1). */
const RESPONDER_BY_NAME = 1;
const RESPONDER_BY_KEY = 2;

/** The hashes a CertID may use; SHA-1 is the RFC 6960 §4.1.1 default and not a signature. */
export type CertIdHash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

const CERT_ID_HASH_OID: Readonly<Record<CertIdHash, string>> = {
  'SHA-1': OID_SHA1,
  'SHA-256': OID_SHA256,
  'SHA-384': OID_SHA384,
  'SHA-512': OID_SHA512,
};
const HASH_BY_OID: ReadonlyMap<string, CertIdHash> = new Map(
  Object.entries(CERT_ID_HASH_OID).map(([h, o]) => [o, h as CertIdHash]),
);

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

/**
 * A CertID element (RFC 6960 §4.1.1): `SEQUENCE { hashAlgorithm AlgorithmIdentifier,
 * issuerNameHash OCTET STRING, issuerKeyHash OCTET STRING, serialNumber INTEGER }`, read
 * from the asn1js elements (PKI.js's CertID class builds its schema on every read, which
 * costs more than the rest of an answer); `der` is the element as received.
 */
function certIdFrom(element: unknown, what: string): OcspCertId {
  const [alg, nameHash, keyHash, serial, extra] = children(element);
  const [oid, params, more] = children(alg);
  if (
    !isSequence(element) ||
    extra !== undefined ||
    !isSequence(alg) ||
    !isPrimitive(oid, asn1js.ObjectIdentifier) ||
    more !== undefined ||
    !isPrimitive(nameHash, asn1js.OctetString) ||
    !isPrimitive(keyHash, asn1js.OctetString) ||
    !isInteger(serial)
  ) {
    throw malformed(what, 'bad CertID');
  }
  const hashOid = oid.valueBlock.toString();
  const hash = HASH_BY_OID.get(hashOid);
  if (hash === undefined) throw new PkiError('PKI_UNSUPPORTED', `CertID hash ${hashOid}`);
  if (params !== undefined && !isPrimitive(params, asn1js.Null)) {
    throw malformed(what, 'CertID hash parameters must be NULL');
  }
  return {
    der: bytesOf(element.valueBeforeDecodeView),
    hash,
    issuerNameHash: nameHash.valueBlock.valueHexView,
    issuerKeyHash: keyHash.valueBlock.valueHexView,
    serialHex: toHex(unsignedMagnitude(serial, what)),
  };
}

/*
 * asn1js reads a tag by its number: a SEQUENCE with the constructed bit cleared (0x10) is
 * still a Sequence, and ENUMERATED is a subclass of Integer. The responder echoes CertIDs
 * and the nonce verbatim, so an element with such a tag came back in the response, which
 * no parser (careid's included) could read: found by test/pki/fuzz.test.ts. These check
 * the exact DER type.
 */

/** A DER SEQUENCE: constructed, universal tag 16. */
function isSequence(block: unknown): block is asn1js.Sequence {
  return block instanceof asn1js.Sequence && block.idBlock.isConstructed;
}

/** A DER INTEGER: primitive, universal tag 2 (not ENUMERATED, which asn1js makes a subclass). */
function isInteger(block: unknown): block is asn1js.Integer {
  return (
    block instanceof asn1js.Integer && !block.idBlock.isConstructed && block.idBlock.tagNumber === 2
  );
}

/** A DER primitive of `type` (an OCTET STRING, an OBJECT IDENTIFIER, a BOOLEAN). */
function isPrimitive<T extends abstract new (...args: never[]) => asn1js.BaseBlock>(
  block: unknown,
  type: T,
): block is InstanceType<T> {
  return block instanceof type && !block.idBlock.isConstructed;
}

/** The asn1js children of a constructed element (empty for anything else). */
function children(block: unknown): readonly asn1js.AsnType[] {
  const value = (block as asn1js.Constructed | undefined)?.valueBlock?.value;
  return Array.isArray(value) ? value : [];
}

/** Whether an Extension element (RFC 5280 §4.1) is of type `id`; its shape is checked. */
function isExtension(element: unknown, id: string, what: string): boolean {
  const [oid, second, third, extra] = children(element);
  const value = third ?? second;
  const criticalOk = third === undefined || isPrimitive(second, asn1js.Boolean);
  const shaped =
    isSequence(element) &&
    isPrimitive(oid, asn1js.ObjectIdentifier) &&
    isPrimitive(value, asn1js.OctetString) &&
    criticalOk &&
    extra === undefined;
  if (!shaped) throw malformed(what, 'bad extension');
  return oid.valueBlock.toString() === id;
}

const REQ = 'OCSP request';

function isContext(block: unknown, tagNumber: number): boolean {
  const id = (block as asn1js.BaseBlock | undefined)?.idBlock;
  return id?.tagClass === CONTEXT_CLASS && id.tagNumber === tagNumber;
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
  // PKI.js's OCSPRequest and TBSRequest classes build their whole schema per parse (the
  // optional Signature's Certificate, the requestorName's X.400 address): most of an OCSP
  // answer's cost. careid walks the frame of RFC 6960 §4.1.1 on the asn1js elements and
  // hands each CertID and the extensions to PKI.js; the request signature is ignored.
  const root = readDer(der, REQ, MAX_OCSP_REQUEST_BYTES);
  const [tbs, signature, extra] = children(root);
  const signatureOk = signature === undefined || isContext(signature, 0);
  if (!isSequence(root) || extra !== undefined || !signatureOk) {
    throw malformed(REQ, 'not an OCSPRequest');
  }
  // TBSRequest ::= SEQUENCE { version [0] DEFAULT v1, requestorName [1] OPTIONAL,
  //   requestList SEQUENCE OF Request, requestExtensions [2] EXPLICIT Extensions OPTIONAL }
  const parts = [...children(tbs)];
  if (!isSequence(tbs)) throw malformed(REQ, 'bad TBSRequest');
  if (isContext(parts[0], 0)) {
    const [version] = children(parts.shift());
    if (!isInteger(version) || version.valueBlock.valueDec !== 0) {
      throw malformed(REQ, 'not v1');
    }
  }
  if (isContext(parts[0], 1)) parts.shift();
  const list = parts.shift();
  if (!isSequence(list)) throw malformed(REQ, 'no requestList');
  const extensions = parts.shift();
  if (parts.length > 0 || (extensions !== undefined && !isContext(extensions, 2))) {
    throw malformed(REQ, 'unexpected element in TBSRequest');
  }
  const requests = children(list);
  if (requests.length === 0) throw malformed(REQ, 'no CertID');
  if (requests.length > MAX_OCSP_REQUESTS) throw malformed(REQ, 'too many CertIDs');
  const certIds = requests.map((r) => {
    // Request ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] OPTIONAL }
    const [certId, single, more] = children(r);
    if (!isSequence(r) || more !== undefined) throw malformed(REQ, 'bad Request');
    if (single !== undefined && !isContext(single, 0)) throw malformed(REQ, 'bad Request');
    return certIdFrom(certId, REQ);
  });
  let nonceExtension: Uint8Array | undefined;
  if (extensions !== undefined) {
    const list = children(extensions)[0];
    if (!isSequence(list)) throw malformed(REQ, 'bad requestExtensions');
    for (const element of children(list)) {
      if (isExtension(element, OID_OCSP_NONCE, REQ)) {
        nonceExtension = bytesOf((element as asn1js.Sequence).valueBeforeDecodeView);
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

/** A GeneralizedTime in whole seconds: asn1js writes fractions when there are milliseconds. */
function generalizedTime(d: Date): asn1js.GeneralizedTime {
  return new asn1js.GeneralizedTime({ valueDate: new Date(Math.floor(d.getTime() / 1000) * 1000) });
}

/** `good [0] IMPLICIT NULL` and `unknown [2] IMPLICIT NULL`, encoded once. */
const STATUS_GOOD = new EncodedElement(
  encode(new asn1js.Primitive({ idBlock: { tagClass: CONTEXT_CLASS, tagNumber: CS_GOOD } })),
);
const STATUS_UNKNOWN = new EncodedElement(
  encode(new asn1js.Primitive({ idBlock: { tagClass: CONTEXT_CLASS, tagNumber: CS_UNKNOWN } })),
);

/** RevokedInfo's `revocationReason [0] EXPLICIT CRLReason` per reason, encoded once; none for unspecified. */
const REVOCATION_REASONS: ReadonlyMap<RevocationReason, Asn1Item> = new Map(
  Object.entries(RevocationReasonCode)
    .filter(([name]) => name !== 'unspecified')
    .map(([name, code]) => [
      name as RevocationReason,
      new EncodedElement(
        encode(
          new asn1js.Constructed({
            idBlock: { tagClass: CONTEXT_CLASS, tagNumber: 0 },
            value: [new asn1js.Enumerated({ value: code })],
          }),
        ),
      ),
    ]),
);

/**
 * The CertStatus CHOICE (RFC 6960 §4.2.1), which PKI.js takes as a raw asn1js element:
 * `good [0] IMPLICIT NULL`, `revoked [1] IMPLICIT RevokedInfo`, `unknown [2] IMPLICIT NULL`.
 */
function certStatus(answer: OcspCertStatus): Asn1Item {
  if (answer.status === 'good') return STATUS_GOOD;
  if (answer.status === 'unknown') return STATUS_UNKNOWN;
  const info: Asn1Item[] = [generalizedTime(answer.revokedAt)];
  const reason = REVOCATION_REASONS.get(answer.reason);
  if (reason !== undefined) info.push(reason);
  return new asn1js.Constructed({
    idBlock: { tagClass: CONTEXT_CLASS, tagNumber: CS_REVOKED },
    value: info,
  });
}

/** One answer the responder gives: the request's CertID (verbatim) and its status. */
export interface OcspAnswer {
  /** The CertID element as the request carried it. */
  readonly certIdDer: Uint8Array;
  readonly status: OcspCertStatus;
}

/** What stays the same across one responder certificate's answers, encoded once. */
export interface ResponderParts {
  /** ResponderID `byName [1]` (careid avoids the SHA-1 `byKey` hash). */
  readonly responderId: Asn1Item;
  /** BasicOCSPResponse `certs [0]`: the responder certificate, embedded. */
  readonly certs: Asn1Item;
}

/** The encoded constant parts of a responder's answers (RFC 6960 §4.2.1). */
export function responderParts(subjectDer: Uint8Array, certificateDer: Uint8Array): ResponderParts {
  const tagged = (tagNumber: number, inner: Asn1Item) =>
    new EncodedElement(
      encode(
        new asn1js.Constructed({ idBlock: { tagClass: CONTEXT_CLASS, tagNumber }, value: [inner] }),
      ),
    );
  return {
    responderId: tagged(RESPONDER_BY_NAME, new EncodedElement(subjectDer)),
    certs: tagged(0, new asn1js.Sequence({ value: [new EncodedElement(certificateDer)] })),
  };
}

/**
 * The DER ResponseData (RFC 6960 §4.2.1): version v1 left out as the DER default, the
 * responderID, producedAt, one SingleResponse per answer, and the request's nonce echoed.
 * Composed with asn1js from pre-encoded parts: PKI.js's ResponseData re-parses the
 * responder Name and re-encodes every CertID on each answer, which costs more than the
 * signature.
 */
export function encodeResponseData(
  responder: ResponderParts,
  producedAt: Date,
  answers: readonly OcspAnswer[],
  nextUpdate: Date,
  nonceExtension: Uint8Array | undefined,
): Uint8Array {
  const thisUpdate = generalizedTime(producedAt);
  const next = new asn1js.Constructed({
    idBlock: { tagClass: CONTEXT_CLASS, tagNumber: 0 },
    value: [generalizedTime(nextUpdate)],
  });
  const singles = answers.map(
    (a) =>
      new asn1js.Sequence({
        value: [new EncodedElement(a.certIdDer), certStatus(a.status), thisUpdate, next],
      }),
  );
  const parts: Asn1Item[] = [
    responder.responderId,
    thisUpdate, // producedAt: the same instant
    new asn1js.Sequence({ value: singles }),
  ];
  if (nonceExtension !== undefined) {
    parts.push(
      new asn1js.Constructed({
        idBlock: { tagClass: CONTEXT_CLASS, tagNumber: 1 },
        value: [new asn1js.Sequence({ value: [new EncodedElement(nonceExtension)] })],
      }),
    );
  }
  return encode(new asn1js.Sequence({ value: parts }));
}

/** `responseStatus successful` and `responseType id-pkix-ocsp-basic`, encoded once. */
const SUCCESSFUL = new EncodedElement(
  encode(new asn1js.Enumerated({ value: OcspResponseStatus.successful })),
);
const BASIC_RESPONSE_TYPE = new EncodedElement(
  encode(new asn1js.ObjectIdentifier({ value: OID_OCSP_BASIC })),
);

/**
 * An OCSPResponse (RFC 6960 §4.2.1) around a signed BasicOCSPResponse's DER:
 * `SEQUENCE { successful, [0] EXPLICIT SEQUENCE { id-pkix-ocsp-basic, OCTET STRING } }`,
 * composed with asn1js from its constant parts (asn1js takes longer to encode the OID from
 * its text than to sign).
 */
export function encodeOcspResponse(basic: Uint8Array): Uint8Array {
  const bytes = new asn1js.Sequence({
    value: [BASIC_RESPONSE_TYPE, new asn1js.OctetString({ valueHex: basic })],
  });
  return encode(
    new asn1js.Sequence({
      value: [
        SUCCESSFUL,
        new asn1js.Constructed({
          idBlock: { tagClass: CONTEXT_CLASS, tagNumber: 0 },
          value: [bytes],
        }),
      ],
    }),
  );
}

/** An unsigned error response: only a status (RFC 6960 §2.3). */
export function encodeOcspError(
  status: Exclude<keyof typeof OcspResponseStatus, 'successful'>,
): Uint8Array {
  const response = new pkijs.OCSPResponse({
    responseStatus: new asn1js.Enumerated({ value: OcspResponseStatus[status] }),
  });
  return encode(response.toSchema());
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

function readAnswer(status: unknown): OcspCertStatus {
  if (isContext(status, CS_GOOD)) return { status: 'good' };
  if (isContext(status, CS_UNKNOWN)) return { status: 'unknown' };
  if (!isContext(status, CS_REVOKED)) throw malformed(RES, 'bad certStatus');
  const [at, reasonTag, extra] = children(status);
  if (extra !== undefined) throw malformed(RES, 'bad RevokedInfo');
  let reason: RevocationReason = 'unspecified';
  if (reasonTag !== undefined) {
    const code = children(reasonTag)[0];
    if (!isContext(reasonTag, 0) || !(code instanceof asn1js.Enumerated)) {
      throw malformed(RES, 'bad revocationReason');
    }
    reason = revocationReasonFromCode(code.valueBlock.valueDec) ?? 'unspecified';
  }
  return { status: 'revoked', revokedAt: readTime(at, RES), reason };
}

/**
 * Parses a DER OCSPResponse (RFC 6960 §4.2.1) with PKI.js, without verifying it.
 *
 * @throws PKI_MALFORMED when the DER is not an OCSP response, or over 256 KiB.
 * @throws PKI_UNSUPPORTED for an unknown response type or SHA-1 signature.
 * @example
 * ```ts
 * const { basic } = parseOcspResponse(der);
 * ```
 */
export function parseOcspResponse(der: Uint8Array): ParsedOcspResponse {
  const outer = readPkijs(der, RES, MAX_OCSP_RESPONSE_BYTES, (schema) => {
    return new pkijs.OCSPResponse({ schema });
  });
  const status = outer.responseStatus.valueBlock.valueDec;
  if (status !== OcspResponseStatus.successful) {
    if (outer.responseBytes !== undefined) throw malformed(RES, 'error response with a body');
    return { status, basic: undefined };
  }
  const bytes = outer.responseBytes;
  if (bytes === undefined) throw malformed(RES, 'successful response without a body');
  if (bytes.responseType !== OID_OCSP_BASIC) {
    throw new PkiError('PKI_UNSUPPORTED', `OCSP response type ${bytes.responseType}`);
  }
  const body = bytes.response.valueBlock.valueHexView;
  const schema = readDer(body, RES, MAX_OCSP_RESPONSE_BYTES);
  const basic = fromPkijs(RES, () => new pkijs.BasicOCSPResponse({ schema }));
  // PKI.js keeps Dates only, and no bytes of the ResponderID or embedded certificates:
  // careid reads those from the asn1js elements PKI.js's schema check has just confirmed.
  const [tbsSchema, , , certsTag] = children(schema);
  const tbsParts = children(tbsSchema);
  const rid = tbsParts[isContext(tbsParts[0], 0) ? 1 : 0] as asn1js.BaseBlock;
  if (!isContext(rid, RESPONDER_BY_NAME) && !isContext(rid, RESPONDER_BY_KEY)) {
    throw malformed(RES, 'bad responderID');
  }
  const ridIndex = tbsParts.indexOf(rid);
  const producedAt = readTime(tbsParts[ridIndex + 1], RES);
  const singles = children(tbsParts[ridIndex + 2]);
  const data = basic.tbsResponseData;
  if (data.responses.length > MAX_OCSP_REQUESTS) throw malformed(RES, 'too many responses');
  const responses = data.responses.map((r, i): ParsedSingleResponse => {
    const parts = children(singles[i]);
    const nextTag = parts.slice(3).find((p) => isContext(p, 0)); // after certID, status, thisUpdate
    return {
      certId: certIdFrom(parts[0], RES),
      answer: readAnswer(r.certStatus),
      thisUpdate: readTime(parts[2], RES),
      nextUpdate: nextTag === undefined ? undefined : readTime(children(nextTag)[0], RES),
    };
  });
  const certs = children(children(certsTag)[0]).map((c) => bytesOf(c.valueBeforeDecodeView));
  return {
    status,
    basic: {
      tbs: bytesOf(data.tbsView),
      responderId: bytesOf(rid.valueBeforeDecodeView),
      producedAt,
      responses,
      signatureAlgorithm: readSignatureAlgorithm(basic.signatureAlgorithm, RES),
      signature: wholeByteBits(basic.signature, RES),
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
 * Builds an unsigned DER OCSPRequest (RFC 6960 §4.1.1) for certificates of one issuer,
 * with PKI.js.
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
  const requestList = v.serials.map(
    (s) =>
      new pkijs.Request({
        reqCert: new pkijs.CertID({
          hashAlgorithm: new pkijs.AlgorithmIdentifier({
            algorithmId: CERT_ID_HASH_OID[hash],
            algorithmParams: new asn1js.Null(),
          }),
          issuerNameHash: new asn1js.OctetString({ valueHex: nameHash }),
          issuerKeyHash: new asn1js.OctetString({ valueHex: keyHash }),
          serialNumber: unsignedInteger(fromHex(s)),
        }),
      }),
  );
  // The nonce extension's value is an OCTET STRING holding the nonce (RFC 8954 §2.1).
  const nonce =
    v.nonce === undefined
      ? undefined
      : new pkijs.Extension({
          extnID: OID_OCSP_NONCE,
          extnValue: new asn1js.OctetString({ valueHex: v.nonce }).toBER(false),
        });
  const request = new pkijs.OCSPRequest({
    tbsRequest: new pkijs.TBSRequest({
      requestList,
      ...(nonce === undefined ? {} : { requestExtensions: [nonce] }),
    }),
  });
  return encode(request.toSchema(true));
}
