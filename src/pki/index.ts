/**
 * careid/pki: the certificate lifecycle of an RA smartcard. A root and an issuing CA,
 * PKCS#10 CSRs signed through the {@link Signer} port, RA smartcard certificates,
 * renewal, revocation (CARD-10), CRLs, an OCSP responder and chain validation pinned to
 * a root. Certificates, CSRs, OCSP messages, names and extensions are built and read with
 * PKI.js and asn1js, and signed through WebCrypto or any {@link Signer}; only a CRL's entry
 * list is streamed by hand (see `crl-der.ts` for the measured reason).
 *
 * @packageDocumentation
 */
export { type PublicKeyInfo, parsePublicKey, type SignatureAlgorithmInfo } from './algorithms.js';
export {
  type AuthorityRecord,
  type AuthorityRole,
  type CaRepository,
  type CardCertificateRecord,
  type CertificatePurpose,
  type ContentSignerCertificateRecord,
  type IssuedCertificateRecord,
  memoryCaRepository,
  type RevocationRecord,
} from './ca-repository.js';
export {
  type BasicConstraints,
  type ParsedCertificate,
  type ParsedExtension,
  parseCertificate,
} from './certificate.js';
export {
  type CertificateAuthority,
  type CertificateAuthorityOptions,
  type CertificateStatus,
  type ContentSignerRequest,
  createCertificateAuthority,
  type IssuedCertificate,
  type IssueRequest,
  type KeySource,
  type RenewRequest,
} from './certificate-authority.js';
export {
  type ChuidSignatureInput,
  type ChuidVerificationInput,
  signChuid,
  verifyChuidSignature,
} from './chuid.js';
export { type CrlEntry, type CrlRevocation, type ParsedCrl, parseCrl } from './crl.js';
export { type CsrSubject, createCsr, parseCsr, type VerifiedCsr } from './csr.js';
export type { NameAttributeType, ParsedNameAttribute } from './name.js';
export {
  type CertIdHash,
  createOcspRequest,
  type OcspCertId,
  type OcspCertStatus,
  type OcspRequest,
  type OcspRequestInput,
  type ParsedOcspResponse,
  type ParsedSingleResponse,
  parseOcspRequest,
  parseOcspResponse,
} from './ocsp.js';
export { PkiError, type PkiErrorCode } from './pki-error.js';
export {
  type CardCancelReason,
  type RevocationReason,
  RevocationReasonCode,
  revocationReasonForCard,
  revocationReasonFromCode,
} from './revocation-reason.js';
export type {
  CaCertificateSettings,
  CaSettings,
  CaSettingsInput,
  CertificateHolder,
  ValidityFilled,
} from './settings.js';
export { ecdsaDerToRaw, ecdsaRawToDer, encodeDigestInfo } from './signature-format.js';
export type { SignatureHash, Signer, SignerAlgorithm } from './signer.js';
export { generateSoftwareSigner, type SoftwareKeySpec, softwareSigner } from './software-signer.js';
export { type ValidatedChain, type ValidationInput, validateCertificate } from './validate.js';
