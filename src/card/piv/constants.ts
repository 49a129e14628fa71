/**
 * PIV constants from NIST SP 800-73-4 (Parts 1 and 2) and SP 800-78-4. Each names the
 * table or section that defines it.
 */

/**
 * PIV Card Application AID, full form with version (SP 800-73-4 Part 1 §2.2).
 * @example
 * ```ts
 * commandApdu(0x00, PivIns.SELECT, SELECT_P1_BY_AID, 0x00, PIV_AID, 256);
 * ```
 */
export const PIV_AID = Uint8Array.of(
  0xa0,
  0x00,
  0x00,
  0x03,
  0x08,
  0x00,
  0x00,
  0x10,
  0x00,
  0x01,
  0x00,
);

/**
 * Instruction bytes of the PIV card commands (SP 800-73-4 Part 2 §3, Table 8).
 * @example
 * ```ts
 * commandApdu(0x00, PivIns.VERIFY, 0x00, PivKeyRef.PIN);
 * ```
 */
export const PivIns = {
  /** SELECT (Part 2 §3.1.1). */
  SELECT: 0xa4,
  /** GET DATA (Part 2 §3.1.2). */
  GET_DATA: 0xcb,
  /** VERIFY (Part 2 §3.2.1). */
  VERIFY: 0x20,
  /** CHANGE REFERENCE DATA (Part 2 §3.2.2). */
  CHANGE_REFERENCE_DATA: 0x24,
  /** RESET RETRY COUNTER (Part 2 §3.2.3). */
  RESET_RETRY_COUNTER: 0x2c,
  /** GENERAL AUTHENTICATE (Part 2 §3.2.4). */
  GENERAL_AUTHENTICATE: 0x87,
  /** PUT DATA (Part 2 §3.3.2). */
  PUT_DATA: 0xdb,
  /** GENERATE ASYMMETRIC KEY PAIR (Part 2 §3.3.2). */
  GENERATE_ASYMMETRIC_KEY_PAIR: 0x47,
} as const;

/** SELECT P1: select by DF name / AID (ISO 7816-4 §11.2.2, SP 800-73-4 Part 2 §3.1.1). */
export const SELECT_P1_BY_AID = 0x04;
/** GET DATA / PUT DATA P1-P2 = 3FFF: current DF (SP 800-73-4 Part 2 §3.1.2). */
export const DATA_P1 = 0x3f;
/** See {@link DATA_P1}. */
export const DATA_P2 = 0xff;
/** SELECT P2: first or only occurrence (SP 800-73-4 Part 2 §3.1.1). */
export const SELECT_P2 = 0x00;
/** P1 of VERIFY, CHANGE REFERENCE DATA and RESET RETRY COUNTER (SP 800-73-4 Part 2 §3.2.1-3.2.3). */
export const REFERENCE_P1 = 0x00;
/** VERIFY P1 FF: reset the PIN's security status (SP 800-73-4 Part 2 §3.2.1). */
export const VERIFY_P1_RESET = 0xff;
/** Size of an RSA-2048 modulus, signature and GENERAL AUTHENTICATE block (SP 800-78-4 §3.1). */
export const RSA_2048_BYTES = 256;
/** Discovery object PIN usage policy: PIV PIN only, no global PIN (SP 800-73-4 Part 1 §3.3.2). */
export const PIN_POLICY_PIV_ONLY = Uint8Array.of(0x40, 0x00);
/** GENERATE ASYMMETRIC KEY PAIR P1 (SP 800-73-4 Part 2 §3.3.2). */
export const GENERATE_P1 = 0x00;

/**
 * Key references (SP 800-73-4 Part 1 §3.1, Table 4b; SP 800-78-4 Table 6-1).
 * @example
 * ```ts
 * await piv.generateKey(PivKeyRef.AUTHENTICATION, 'P-256');
 * ```
 */
export const PivKeyRef = {
  /** Global PIN. */
  GLOBAL_PIN: 0x00,
  /** PIV Card Application PIN. */
  PIN: 0x80,
  /** PIN Unblocking Key. */
  PUK: 0x81,
  /** PIV Authentication key. */
  AUTHENTICATION: 0x9a,
  /** Card management key. */
  MANAGEMENT: 0x9b,
  /** Digital signature key. */
  SIGNATURE: 0x9c,
  /** Key management key. */
  KEY_MANAGEMENT: 0x9d,
  /** Card authentication key. */
  CARD_AUTHENTICATION: 0x9e,
} as const;

/**
 * An asymmetric key slot careid generates keys in and signs with.
 * @example
 * ```ts
 * const slot: PivSlot = 0x9a;
 * ```
 */
export type PivSlot = 0x9a | 0x9c | 0x9d | 0x9e;

/**
 * The asymmetric slots (SP 800-73-4 Part 1 Table 4b).
 * @example
 * ```ts
 * for (const slot of PIV_SLOTS) console.log(slot, await piv.readCertificate(slot));
 * ```
 */
export const PIV_SLOTS: readonly PivSlot[] = [0x9a, 0x9c, 0x9d, 0x9e];

/**
 * Cryptographic mechanism identifiers (SP 800-78-4 Table 6-2).
 * @example
 * ```ts
 * commandApdu(0x00, PivIns.GENERAL_AUTHENTICATE, PivAlg.ECC_P256, 0x9a, template, 256);
 * ```
 */
export const PivAlg = {
  /** 3 Key Triple DES, ECB (Table 6-2: 03; 00 also means 3DES). */
  TDES: 0x03,
  /** RSA 2048. */
  RSA_2048: 0x07,
  /** AES-128. */
  AES_128: 0x08,
  /** AES-192. */
  AES_192: 0x0a,
  /** AES-256. */
  AES_256: 0x0c,
  /** ECC curve P-256. */
  ECC_P256: 0x11,
  /** ECC curve P-384. */
  ECC_P384: 0x14,
} as const;

/** Alias of 3DES accepted by PIV cards (SP 800-78-4 Table 6-2 note). */
export const ALG_TDES_DEFAULT = 0x00;

/**
 * An asymmetric algorithm careid generates on the card.
 * @example
 * ```ts
 * const algorithm: PivKeyAlgorithm = 'P-256';
 * ```
 */
export type PivKeyAlgorithm = 'P-256' | 'P-384' | 'RSA-2048';

/**
 * A management-key algorithm.
 * @example
 * ```ts
 * await piv.authenticate(key, 'AES-192' satisfies ManagementKeyAlgorithm);
 * ```
 */
export type ManagementKeyAlgorithm = '3DES' | 'AES-128' | 'AES-192' | 'AES-256';

/**
 * The SP 800-78-4 identifier of an asymmetric algorithm.
 * @example
 * ```ts
 * KEY_ALGORITHM_ID['RSA-2048']; // 0x07
 * ```
 */
export const KEY_ALGORITHM_ID: Readonly<Record<PivKeyAlgorithm, number>> = {
  'P-256': PivAlg.ECC_P256,
  'P-384': PivAlg.ECC_P384,
  'RSA-2048': PivAlg.RSA_2048,
};

/**
 * The SP 800-78-4 identifier, key length and block size of a management-key algorithm.
 * @example
 * ```ts
 * MANAGEMENT_ALGORITHM['AES-128'].block; // 16
 * ```
 */
export const MANAGEMENT_ALGORITHM: Readonly<
  Record<
    ManagementKeyAlgorithm,
    { readonly id: number; readonly keyLength: number; readonly block: number }
  >
> = {
  '3DES': { id: PivAlg.TDES, keyLength: 24, block: 8 },
  'AES-128': { id: PivAlg.AES_128, keyLength: 16, block: 16 },
  'AES-192': { id: PivAlg.AES_192, keyLength: 24, block: 16 },
  'AES-256': { id: PivAlg.AES_256, keyLength: 32, block: 16 },
};

/**
 * Data object tags, used in the 5C tag list (SP 800-73-4 Part 1 Table 3).
 * @example
 * ```ts
 * const chuid = await piv.readObject(PivObject.CHUID);
 * ```
 */
export const PivObject = {
  /** Card Capability Container. */
  CCC: 0x5fc107,
  /** Card Holder Unique Identifier. */
  CHUID: 0x5fc102,
  /** X.509 Certificate for PIV Authentication (9A). */
  CERT_AUTHENTICATION: 0x5fc105,
  /** Cardholder Fingerprints. */
  FINGERPRINTS: 0x5fc103,
  /** Security Object. */
  SECURITY_OBJECT: 0x5fc106,
  /** Cardholder Facial Image. */
  FACIAL_IMAGE: 0x5fc108,
  /** X.509 Certificate for Card Authentication (9E). */
  CERT_CARD_AUTHENTICATION: 0x5fc101,
  /** X.509 Certificate for Digital Signature (9C). */
  CERT_SIGNATURE: 0x5fc10a,
  /** X.509 Certificate for Key Management (9D). */
  CERT_KEY_MANAGEMENT: 0x5fc10b,
  /** Printed Information. */
  PRINTED_INFORMATION: 0x5fc109,
  /** Discovery Object (a one-byte tag, SP 800-73-4 Part 1 Table 3). */
  DISCOVERY: 0x7e,
  /** Key History Object. */
  KEY_HISTORY: 0x5fc10c,
  /** Biometric Information Templates Group Template (a two-byte tag, SP 800-73-4 Part 1 Table 3). */
  BIOMETRIC_GROUP_TEMPLATE: 0x7f61,
} as const;

/**
 * The certificate container of each asymmetric slot (SP 800-73-4 Part 1 Table 4b).
 * @example
 * ```ts
 * CERTIFICATE_OBJECT[0x9a]; // 0x5FC105
 * ```
 */
export const CERTIFICATE_OBJECT: Readonly<Record<PivSlot, number>> = {
  154: PivObject.CERT_AUTHENTICATION,
  156: PivObject.CERT_SIGNATURE,
  157: PivObject.CERT_KEY_MANAGEMENT,
  158: PivObject.CERT_CARD_AUTHENTICATION,
};

/**
 * BER-TLV tags inside commands and responses (SP 800-73-4 Part 2 §3).
 * @example
 * ```ts
 * encodeTlv(PivTag.DYNAMIC_AUTH, encodeTlv(PivTag.WITNESS));
 * ```
 */
export const PivTag = {
  /** Tag list in GET DATA / PUT DATA (Part 2 §3.1.2). */
  TAG_LIST: 0x5c,
  /** Data object wrapper in GET DATA / PUT DATA (Part 2 §3.1.2). */
  DATA: 0x53,
  /** Application property template answered by SELECT (Part 2 §3.1.1, Table 9). */
  APT: 0x61,
  /** Application identifier inside the APT and the discovery object. */
  AID: 0x4f,
  /** Authority reference (truncated AID) inside the APT. */
  AUTHORITY: 0x79,
  /** Application label inside the APT. */
  LABEL: 0x50,
  /** Cryptographic algorithms supported, inside the APT. */
  ALGORITHMS: 0xac,
  /** Algorithm identifier inside AC (Part 2 §3.3.2, Table 12). */
  ALGORITHM: 0x80,
  /** Dynamic authentication template (Part 2 §3.2.4, Table 7). */
  DYNAMIC_AUTH: 0x7c,
  /** Witness. */
  WITNESS: 0x80,
  /** Challenge. */
  CHALLENGE: 0x81,
  /** Response. */
  RESPONSE: 0x82,
  /** Control reference template for key generation (Part 2 §3.3.2, Table 12). */
  CRT: 0xac,
  /** Public key data object (Part 2 §3.3.2, Table 11). */
  PUBLIC_KEY: 0x7f49,
  /** RSA modulus inside 7F49. */
  RSA_MODULUS: 0x81,
  /** RSA public exponent inside 7F49. */
  RSA_EXPONENT: 0x82,
  /** ECC point inside 7F49. */
  ECC_POINT: 0x86,
  /** Certificate inside a certificate container (Part 1 Table 15). */
  CERTIFICATE: 0x70,
  /** CertInfo inside a certificate container (Part 1 Table 15). */
  CERT_INFO: 0x71,
  /** Error detection code, always empty (Part 1 Table 15). */
  ERROR_DETECTION: 0xfe,
  /** Discovery object PIN usage policy (Part 1 Table 18). */
  PIN_USAGE_POLICY: 0x5f2f,
} as const;

/** A PIN or PUK is padded to 8 bytes with FF (SP 800-73-4 Part 2 §2.4.3). */
export const PIN_PAD = 0xff;
/** Length of a padded PIN or PUK (SP 800-73-4 Part 2 §2.4.3). */
export const PIN_BLOCK_LENGTH = 8;

/**
 * Vendor instructions outside SP 800-73-4 that widely used tools (yubico-piv-tool, ykman)
 * send to PIV cards; from Yubico's public PIV documentation.
 * @example
 * ```ts
 * commandApdu(0x00, VendorIns.GET_VERSION, 0x00, 0x00, undefined, 256);
 * ```
 */
export const VendorIns = {
  /** SET MANAGEMENT KEY. */
  SET_MANAGEMENT_KEY: 0xff,
  /** IMPORT ASYMMETRIC KEY. */
  IMPORT_KEY: 0xfe,
  /** GET VERSION: three bytes major.minor.patch. */
  GET_VERSION: 0xfd,
  /** RESET the PIV application; allowed only when the PIN and PUK are both blocked. */
  RESET: 0xfb,
  /** SET PIN RETRIES. */
  SET_PIN_RETRIES: 0xfa,
  /** GET SERIAL: four bytes big-endian. */
  GET_SERIAL: 0xf8,
  /** GET METADATA of a key reference: algorithm, policy, retries… */
  GET_METADATA: 0xf7,
} as const;

/**
 * GET METADATA answer tag for the retry counters: total, remaining (Yubico PIV docs).
 * @example
 * ```ts
 * findTlv(decodeTlv(metadata), METADATA_RETRIES); // [total, remaining]
 * ```
 */
export const METADATA_RETRIES = 0x06;

/**
 * GET METADATA answer tag for the algorithm (Yubico PIV docs).
 * @example
 * ```ts
 * findTlv(decodeTlv(metadata), METADATA_ALGORITHM); // [0x03] for a 3DES management key
 * ```
 */
export const METADATA_ALGORITHM = 0x01;

/**
 * GET METADATA answer tag for the public key of a slot (Yubico PIV docs).
 * @example
 * ```ts
 * findTlv(decodeTlv(metadata), METADATA_PUBLIC_KEY); // the 7F49 template's content
 * ```
 */
export const METADATA_PUBLIC_KEY = 0x04;
