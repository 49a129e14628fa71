/**
 * Every object identifier careid writes or reads, with the section that defines it.
 * Dotted text, as PKI.js and asn1js take them.
 */

// Signature and key algorithms.
/** rsaEncryption, RFC 8017 Appendix A.1 / RFC 3279 §2.3.1. */
export const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
/** sha256WithRSAEncryption, RFC 4055 §5. */
export const OID_SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
/** sha384WithRSAEncryption, RFC 4055 §5. */
export const OID_SHA384_WITH_RSA = '1.2.840.113549.1.1.12';
/** sha512WithRSAEncryption, RFC 4055 §5. */
export const OID_SHA512_WITH_RSA = '1.2.840.113549.1.1.13';
/** sha1WithRSAEncryption, RFC 3279 §2.2.1: recognised only to be refused. */
export const OID_SHA1_WITH_RSA = '1.2.840.113549.1.1.5';
/** id-ecPublicKey, RFC 5480 §2.1.1. */
export const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
/** secp256r1 (P-256), RFC 5480 §2.1.1.1. */
export const OID_P256 = '1.2.840.10045.3.1.7';
/** secp384r1 (P-384), RFC 5480 §2.1.1.1. */
export const OID_P384 = '1.3.132.0.34';
/** ecdsa-with-SHA256, RFC 5758 §3.2. */
export const OID_ECDSA_SHA256 = '1.2.840.10045.4.3.2';
/** ecdsa-with-SHA384, RFC 5758 §3.2. */
export const OID_ECDSA_SHA384 = '1.2.840.10045.4.3.3';
/** ecdsa-with-SHA512, RFC 5758 §3.2. */
export const OID_ECDSA_SHA512 = '1.2.840.10045.4.3.4';
/** ecdsa-with-SHA1, RFC 3279 §2.2.3: recognised only to be refused. */
export const OID_ECDSA_SHA1 = '1.2.840.10045.4.1';
/** id-sha1, RFC 3279 §2.2.1 (OCSP CertID hashes only, RFC 6960 §4.1.1). */
export const OID_SHA1 = '1.3.14.3.2.26';
/** id-sha256, RFC 4055 §2.1 / RFC 8017 Appendix B.1. */
export const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
/** id-sha384, RFC 4055 §2.1. */
export const OID_SHA384 = '2.16.840.1.101.3.4.2.2';
/** id-sha512, RFC 4055 §2.1. */
export const OID_SHA512 = '2.16.840.1.101.3.4.2.3';

// Name attributes (X.520, RFC 5280 Appendix A.1).
/** id-at-commonName. */
export const OID_COMMON_NAME = '2.5.4.3';
/** id-at-serialNumber: careid puts the 12-digit UUID here (ID-05). */
export const OID_SERIAL_NUMBER = '2.5.4.5';
/** id-at-countryName. */
export const OID_COUNTRY = '2.5.4.6';
/** id-at-organizationName. */
export const OID_ORGANIZATION = '2.5.4.10';
/** id-at-organizationalUnitName. */
export const OID_ORGANIZATIONAL_UNIT = '2.5.4.11';

// Certificate extensions (RFC 5280 §4.2).
/** id-ce-subjectKeyIdentifier, §4.2.1.2. */
export const OID_SUBJECT_KEY_IDENTIFIER = '2.5.29.14';
/** id-ce-keyUsage, §4.2.1.3. */
export const OID_KEY_USAGE = '2.5.29.15';
/** id-ce-subjectAltName, §4.2.1.6. */
export const OID_SUBJECT_ALT_NAME = '2.5.29.17';
/** id-ce-basicConstraints, §4.2.1.9. */
export const OID_BASIC_CONSTRAINTS = '2.5.29.19';
/** id-ce-cRLNumber, §5.2.3. */
export const OID_CRL_NUMBER = '2.5.29.20';
/** id-ce-cRLReasons, §5.3.1. */
export const OID_CRL_REASON = '2.5.29.21';
/** id-ce-cRLDistributionPoints, §4.2.1.13. */
export const OID_CRL_DISTRIBUTION_POINTS = '2.5.29.31';
/** id-ce-authorityKeyIdentifier, §4.2.1.1. */
export const OID_AUTHORITY_KEY_IDENTIFIER = '2.5.29.35';
/** id-ce-extKeyUsage, §4.2.1.12. */
export const OID_EXT_KEY_USAGE = '2.5.29.37';
/** id-pe-authorityInfoAccess, §4.2.2.1. */
export const OID_AUTHORITY_INFO_ACCESS = '1.3.6.1.5.5.7.1.1';
/** id-ad-ocsp, §4.2.2.1. */
export const OID_AD_OCSP = '1.3.6.1.5.5.7.48.1';
/** id-ad-caIssuers, §4.2.2.1. */
export const OID_AD_CA_ISSUERS = '1.3.6.1.5.5.7.48.2';
/** id-kp-clientAuth, §4.2.1.12. */
export const OID_KP_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
/** id-kp-OCSPSigning, §4.2.1.12 and RFC 6960 §4.2.2.2. */
export const OID_KP_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
/** Microsoft smartcardLogon EKU (MS-WCCE / KB 281245). */
export const OID_KP_SMARTCARD_LOGON = '1.3.6.1.4.1.311.20.2.2';
/** Microsoft User Principal Name otherName (MS-WCCE / KB 281245). */
export const OID_UPN = '1.3.6.1.4.1.311.20.2.3';

// OCSP (RFC 6960).
/** id-pkix-ocsp-basic, §4.2.1. */
export const OID_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
/** id-pkix-ocsp-nonce, §4.4.1. */
export const OID_OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';
/** id-pkix-ocsp-nocheck, §4.2.2.2.1. */
export const OID_OCSP_NOCHECK = '1.3.6.1.5.5.7.48.1.5';

// PKCS#9 (RFC 2985 §5.4.2), CSR attributes.
/** pkcs-9-at-extensionRequest. */
export const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';

// CMS (RFC 5652) and PIV (SP 800-73-4, FIPS 201-3).
/** id-signedData, RFC 5652 §5.1. */
export const OID_CMS_SIGNED_DATA = '1.2.840.113549.1.7.2';
/** id-contentType signed attribute, RFC 5652 §11.1. */
export const OID_CMS_CONTENT_TYPE = '1.2.840.113549.1.9.3';
/** id-messageDigest signed attribute, RFC 5652 §11.2. */
export const OID_CMS_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
/** id-PIV-CHUIDSecurityObject: the CHUID signature's content type (SP 800-73-4 Part 1 §3.1.2). */
export const OID_PIV_CHUID_SECURITY_OBJECT = '2.16.840.1.101.3.6.1';
/** pivSigner-DN signed attribute (FIPS 201-3 §4.2.1). */
export const OID_PIV_SIGNER_DN = '2.16.840.1.101.3.6.5';
/** id-PIV-content-signing EKU (FIPS 201-3 §4.2.1, SP 800-78). */
export const OID_KP_PIV_CONTENT_SIGNING = '2.16.840.1.101.3.6.7';
