import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { checkName } from '../errors/guards.js';
import { encode, readDer, unsignedInteger, unsignedMagnitude } from './asn1.js';
import { OID_SHA256, OID_SHA384, OID_SHA512 } from './oids.js';
import { malformed } from './pki-error.js';
import type { SignatureHash } from './signer.js';

/** Field sizes in bytes of the curves careid accepts (FIPS 186-4 D.1.2). */
const CURVE_BYTES = { 'P-256': 32, 'P-384': 48 } as const;

/** Digest sizes in bytes (FIPS 180-4). */
const DIGEST_BYTES = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 } as const;

/** Hash OIDs for a DigestInfo (RFC 8017 Appendix B.1). */
const DIGEST_OID = { 'SHA-256': OID_SHA256, 'SHA-384': OID_SHA384, 'SHA-512': OID_SHA512 } as const;

/** Largest raw ECDSA signature careid accepts: P-521's 2 x 66 bytes. */
const MAX_RAW_ECDSA = 132;

/**
 * Converts a raw ECDSA signature `r || s` (what WebCrypto and a PIV card return) into the
 * DER `ECDSA-Sig-Value` that X.509 carries (RFC 3279 §2.2.3, RFC 5480 §2.2).
 *
 * @throws PKI_MALFORMED when the input is empty, of odd length or longer than 132 bytes.
 * @example
 * ```ts
 * const der = ecdsaRawToDer(new Uint8Array(await crypto.subtle.sign(alg, key, data)));
 * ```
 */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (!(raw instanceof Uint8Array) || raw.length === 0 || raw.length % 2 !== 0) {
    throw malformed('ECDSA signature', 'raw r||s must have an even, non-zero length');
  }
  if (raw.length > MAX_RAW_ECDSA) throw malformed('ECDSA signature', 'raw r||s too long');
  const half = raw.length / 2;
  return encode(
    new asn1js.Sequence({
      value: [unsignedInteger(raw.subarray(0, half)), unsignedInteger(raw.subarray(half))],
    }),
  );
}

/**
 * Converts a DER `ECDSA-Sig-Value` into raw `r || s`, each left-padded to the curve's
 * field size (what WebCrypto's `verify` expects).
 *
 * @throws VALIDATION when `curve` is not P-256 or P-384.
 * @throws PKI_MALFORMED when the DER is not two positive INTEGERs that fit the curve.
 * @example
 * ```ts
 * const ok = await crypto.subtle.verify(alg, key, ecdsaDerToRaw(sig, 'P-256'), data);
 * ```
 */
export function ecdsaDerToRaw(der: Uint8Array, curve: 'P-256' | 'P-384'): Uint8Array {
  checkName(curve, CURVE_BYTES, 'ecdsaDerToRaw input', 'curve');
  const size = CURVE_BYTES[curve];
  const what = 'ECDSA signature';
  const root = readDer(der, what, 2 * size + 16);
  const parts = root instanceof asn1js.Sequence ? root.valueBlock.value : [];
  const [r, s] = parts.map((n) => unsignedMagnitude(n as asn1js.Integer, what));
  if (parts.length !== 2 || r === undefined || s === undefined) {
    throw malformed(what, 'not a SEQUENCE of two INTEGERs');
  }
  if (r.length > size || s.length > size) throw malformed(what, 'integer longer than the curve');
  const out = new Uint8Array(2 * size);
  out.set(r, size - r.length);
  out.set(s, 2 * size - s.length);
  return out;
}

/**
 * The DER `DigestInfo` an RSA PKCS#1 v1.5 signer signs (RFC 8017 §9.2 step 2): a card that
 * signs raw (RSA decrypt-style, as PIV GENERAL AUTHENTICATE does) pads this.
 *
 * @throws VALIDATION when `hash` is not SHA-256, SHA-384 or SHA-512.
 * @throws PKI_MALFORMED when `digest` is not the size `hash` produces.
 * @example
 * ```ts
 * const info = encodeDigestInfo('SHA-256', new Uint8Array(await crypto.subtle.digest('SHA-256', tbs)));
 * ```
 */
export function encodeDigestInfo(hash: SignatureHash, digest: Uint8Array): Uint8Array {
  checkName(hash, DIGEST_BYTES, 'encodeDigestInfo input', 'hash');
  const size = DIGEST_BYTES[hash];
  if (!(digest instanceof Uint8Array) || digest.length !== size) {
    throw malformed('DigestInfo', `a ${hash} digest is ${size} bytes`);
  }
  // AlgorithmIdentifier parameters are an explicit NULL here (RFC 8017 §9.2 note 1).
  const info = new pkijs.DigestInfo({
    digestAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: DIGEST_OID[hash],
      algorithmParams: new asn1js.Null(),
    }),
    digest: new asn1js.OctetString({ valueHex: digest }),
  });
  return encode(info.toSchema());
}
