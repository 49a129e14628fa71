import * as pkijs from 'pkijs';
import { z } from 'zod';
import { CareIdError } from '../errors/care-id-error.js';
import { checkRecord } from '../errors/guards.js';
import { parseWith } from '../errors/parse.js';
import { ValidationError } from '../errors/validation-error.js';
import { keyIdentifier, type PublicKeyInfo, parsePublicKey } from './algorithms.js';
import { bytesEqual, toHex } from './asn1.js';
import {
  type AuthorityRole,
  type CaRepository,
  type IssuedCertificateRecord,
  memoryCaRepository,
} from './ca-repository.js';
import { type ParsedCertificate, parseCertificate } from './certificate.js';
import { signCrl } from './crl.js';
import { parseCsr } from './csr.js';
import { checkCaRepository, checkSigner as checkSignerPort } from './guards.js';
import { buildName } from './name.js';
import { createOcspResponder } from './ocsp-responder.js';
import { PkiError } from './pki-error.js';
import {
  caName,
  endEntityTemplate,
  issueAuthorityCertificate,
  randomSerial,
  responderName,
  serviceName,
} from './profiles.js';
import { REVOCATION_REASONS, type RevocationReason } from './revocation-reason.js';
import {
  type CaSettings,
  type CaSettingsInput,
  type CertificateHolder,
  caSettingsSchema,
  holderSchema,
} from './settings.js';
import type { Signer } from './signer.js';
import { generateSoftwareSigner } from './software-signer.js';
import { wholeSeconds } from './time.js';

/** Options of {@link createCertificateAuthority}. */
export interface CertificateAuthorityOptions {
  /** CA settings; validated with zod, defaults filled in. */
  readonly settings: CaSettingsInput;
  /** Issuance time of any CA certificate created now (a clock reading, never hidden). */
  readonly now: Date;
  /** Where certificates, revocations and the CRL number live; in memory by default. */
  readonly repository?: CaRepository;
  /** The root key; a fresh software P-256 key by default. */
  readonly rootSigner?: Signer;
  /** The issuing (intermediate) CA key; a fresh software P-256 key by default. */
  readonly issuingSigner?: Signer;
  /** The delegated OCSP responder's key; a fresh software P-256 key by default. */
  readonly ocspSigner?: Signer;
}

/** The public key of an end-entity certificate: a CSR (proof of possession) or a bare SPKI. */
export type KeySource =
  | {
      /** A DER PKCS#10 CSR; its signature is verified (proof of possession). */
      readonly csr: Uint8Array;
    }
  | {
      /** A DER SubjectPublicKeyInfo, e.g. as PIV GENERATE ASYMMETRIC KEY PAIR returned it. */
      readonly publicKey: Uint8Array;
    };

/** A request to issue an end-entity (RA smartcard) certificate. */
export type IssueRequest = KeySource & {
  /** Whom the certificate is for: careid builds the subject from this. */
  readonly holder: CertificateHolder;
  /** Issuance time: notBefore, whole seconds. */
  readonly now: Date;
  /**
   * End of validity, after `now` (whole seconds): the RA gives the rule pack's certificate
   * life (CARD-04, `certificateNotAfter(pack, now)`); the CA has no life setting of its own
   * and never issues beyond its issuing CA certificate.
   */
  readonly notAfter: Date;
};

/** A request to renew: a new key for the holder of `previousSerialHex` (CARD-05/06). */
export type RenewRequest = IssueRequest & {
  /** The serial of the certificate being renewed. */
  readonly previousSerialHex: string;
};

/** A request for a PIV content-signing certificate (the CHUID signer). */
export interface ContentSignerRequest {
  /** The signer's DER SubjectPublicKeyInfo. */
  readonly publicKey: Uint8Array;
  /** Issuance time: notBefore, whole seconds. */
  readonly now: Date;
  /** The certificate's CN; `<issuing CN> PIV Content Signer` by default. */
  readonly commonName?: string;
  /** Life in days (default 3,650), never beyond the issuing CA. */
  readonly validityDays?: number;
}

const contentSignerSchema = z
  .object({
    publicKey: z.instanceof(Uint8Array),
    now: z.date().refine((d) => !Number.isNaN(d.getTime()), 'a valid date'),
    commonName: z.string().min(1).max(64).optional(),
    validityDays: z.number().int().min(1).max(36_500).optional(),
  })
  .strict();

/** A certificate careid issued. */
export interface IssuedCertificate {
  /** Serial number, lower-case hex (16 random octets). */
  readonly serialHex: string;
  /** DER certificate. */
  readonly certificate: Uint8Array;
  /** Start of validity: the issuance time, whole seconds. */
  readonly notBefore: Date;
  /** End of validity: the request's `notAfter`, or the issuing CA's end if that is sooner. */
  readonly notAfter: Date;
}

/** The status of a certificate as the CA knows it. */
export type CertificateStatus =
  | {
      /** Issued and not revoked. */
      readonly status: 'good';
      /** The issued certificate. */
      readonly record: IssuedCertificateRecord;
    }
  | {
      /** Revoked. */
      readonly status: 'revoked';
      /** The issued certificate. */
      readonly record: IssuedCertificateRecord;
      /** Why. */
      readonly reason: RevocationReason;
      /** Since when. */
      readonly revokedAt: Date;
    }
  | {
      /** Not issued by this CA. */
      readonly status: 'unknown';
    };

/**
 * A two-level certificate authority: a root, an issuing CA under it, and a delegated OCSP
 * responder certificate (id-kp-OCSPSigning, issued by the issuing CA) that signs OCSP
 * answers. Keys sit behind {@link Signer}s; records sit behind a {@link CaRepository}.
 */
export interface CertificateAuthority {
  /** The validated settings. */
  readonly settings: CaSettings;
  /** DER root certificate: the trust anchor to pin. */
  readonly rootCertificate: Uint8Array;
  /** DER issuing CA certificate. */
  readonly issuingCertificate: Uint8Array;
  /** DER delegated OCSP responder certificate (the current one: it is re-issued before it lapses). */
  readonly ocspCertificate: Uint8Array;
  /**
   * Issues an end-entity certificate for an RA smartcard (subject from `holder`, never
   * from the CSR).
   * @throws VALIDATION, PKI_MALFORMED, PKI_BAD_SIGNATURE, PKI_WEAK_KEY, PKI_UNSUPPORTED, PKI_EXPIRED.
   */
  issue(request: IssueRequest): Promise<IssuedCertificate>;
  /**
   * Issues the renewal certificate for a new key; the old one stays valid until
   * {@link CertificateAuthority.supersede} is called once the new one is on the card.
   * @throws NOT_FOUND, PKI_REVOKED, PKI_KEY_REUSED, VALIDATION (the serial is a content
   * signer's), and everything `issue` throws.
   */
  renew(request: RenewRequest): Promise<IssuedCertificate>;
  /** Revokes `serialHex` as `superseded` (renewal or replacement done, CARD-10). */
  supersede(serialHex: string, now: Date): Promise<void>;
  /**
   * Revokes a certificate with an RFC 5280 reason: a card's, or the PIV content signer's
   * ({@link CertificateAuthority.issueContentSigner}).
   * @throws VALIDATION, NOT_FOUND (not issued here), PKI_REVOKED (already revoked).
   */
  revoke(serialHex: string, reason: RevocationReason, now: Date): Promise<void>;
  /** What the CA knows of a serial: O(1) repository lookups. */
  status(serialHex: string): Promise<CertificateStatus>;
  /** A signed v2 CRL of the issuing CA (or, with `authority: 'root'`, of the root). */
  generateCrl(options: {
    readonly now: Date;
    /** Whose CRL: the issuing CA's (default) or the root's. */
    readonly authority?: 'issuing' | 'root';
  }): Promise<Uint8Array>;
  /**
   * Issues a PIV content-signing certificate (id-PIV-content-signing, keyUsage
   * digitalSignature; FIPS 201-3 §4.2.1) from the issuing CA for the key that signs card
   * CHUIDs ({@link signChuid}). Its subject is the issuing CA's Name with the CN
   * `<issuing CN> PIV Content Signer` unless `commonName` is given, and it points to the
   * issuing CA's CRL and OCSP responder. It is recorded in the repository
   * (`purpose: 'content-signer'`, no holder), so {@link CertificateAuthority.revoke}
   * revokes it (a compromised CHUID-signing key: `keyCompromise`), the CRL lists it and
   * OCSP answers `revoked`; the host keeps the certificate beside its key.
   * @throws VALIDATION, PKI_MALFORMED, PKI_WEAK_KEY, PKI_UNSUPPORTED, PKI_EXPIRED; the
   * repository's errors.
   * @example
   * ```ts
   * const signer = await generateSoftwareSigner();
   * const { serialHex, certificate } = await ca.issueContentSigner({ publicKey: signer.publicKey, now });
   * // Later, if the key is compromised: the CRL and OCSP say so from then on.
   * await ca.revoke(serialHex, 'keyCompromise', new Date());
   * ```
   */
  issueContentSigner(request: ContentSignerRequest): Promise<IssuedCertificate>;
  /**
   * Answers a DER OCSP request with a DER OCSP response signed by the delegated responder;
   * a malformed request gets an unsigned `malformedRequest` response, never an exception.
   */
  respondOcsp(request: Uint8Array, now: Date): Promise<Uint8Array>;
}

const SERIAL_ATTEMPTS = 3;
/** Default life of a PIV content-signing certificate: it must outlive the cards it signs. */
const CONTENT_SIGNER_DAYS = 3_650;
/** How long before its end the responder certificate is re-issued. */
const RESPONDER_RENEW_MS = 86_400_000;
const MS_PER_HOUR = 3_600_000;
const serialSchema = z.string().regex(/^[0-9a-f]{1,40}$/, 'lower-case hex serial');
const reasonSchema = z.enum(REVOCATION_REASONS);
const nowSchema = z.date().refine((d) => !Number.isNaN(d.getTime()), 'a valid date');

/** One level of the hierarchy: its key and its certificate. */
interface Authority {
  readonly signer: Signer;
  readonly cert: ParsedCertificate;
  /** Its subject Name, which it writes as issuer. */
  readonly name: pkijs.RelativeDistinguishedNames;
  /** Its key identifier, which it writes as AKI. */
  readonly keyId: Uint8Array;
}

/** The ports among the options: each, when given, has the shape its interface says. */
function checkOptions(options: unknown): asserts options is CertificateAuthorityOptions {
  const what = 'certificate authority options';
  checkRecord(options, what, 'options');
  if (options['repository'] !== undefined) {
    checkCaRepository(options['repository'], what, 'repository');
  }
  for (const field of ['rootSigner', 'issuingSigner', 'ocspSigner']) {
    if (options[field] !== undefined) checkSignerPort(options[field], what, field);
  }
}

function checkSigner(role: AuthorityRole, signer: Signer, cert: ParsedCertificate): void {
  if (!bytesEqual(signer.publicKey, cert.publicKey.spki)) {
    throw new PkiError(
      'PKI_KEY_MISMATCH',
      `the ${role} signer's key does not match the stored ${role} certificate`,
    );
  }
}

/**
 * Creates (or, when the repository already holds it, reopens) a certificate authority:
 * root (basicConstraints critical, cA, pathLen 1; keyUsage keyCertSign|cRLSign), issuing CA
 * (pathLen 0) and a delegated OCSP responder (id-kp-OCSPSigning, ocsp-nocheck), every one
 * with SKI/AKI, signed by the given signers. OCSP responses are signed by the delegated
 * responder, not by the issuing CA, so the issuing key only signs certificates and CRLs.
 *
 * @throws VALIDATION when options or settings are malformed (the error names the field),
 * or a repository or signer given lacks a method or field of its port.
 * @throws PKI_KEY_MISMATCH when a signer does not hold the key of a stored certificate.
 * @throws PKI_WEAK_KEY when a signer's key is weak.
 * @example
 * ```ts
 * const ca = await createCertificateAuthority({
 *   settings: { root: { commonName: 'careid Root' }, issuing: { commonName: 'careid Issuing' },
 *     crlUrl: 'http://pki.example/issuing.crl', ocspUrl: 'http://pki.example/ocsp' },
 *   now: new Date(),
 * });
 * ```
 */
export async function createCertificateAuthority(
  options: CertificateAuthorityOptions,
): Promise<CertificateAuthority> {
  checkOptions(options);
  const settings: CaSettings = parseWith(caSettingsSchema, options.settings, 'CA settings');
  const start = wholeSeconds(parseWith(nowSchema, options.now, 'now'));
  const repository = options.repository ?? memoryCaRepository();
  const stored = new Map((await repository.loadAuthorities()).map((r) => [r.role, r]));
  const rootSigner = options.rootSigner ?? (await generateSoftwareSigner());
  const issuingSigner = options.issuingSigner ?? (await generateSoftwareSigner());
  const ocspSigner = options.ocspSigner ?? (await generateSoftwareSigner());

  async function load(
    role: AuthorityRole,
    signer: Signer,
    make: () => Promise<ParsedCertificate>,
  ): Promise<Authority> {
    const record = stored.get(role);
    let cert: ParsedCertificate;
    if (record === undefined) {
      cert = await make();
      await repository.saveAuthority({ role, certificate: cert.der });
    } else {
      cert = parseCertificate(record.certificate);
      checkSigner(role, signer, cert);
    }
    const keyId = cert.subjectKeyId ?? (await keyIdentifier(cert.publicKey));
    return { signer, cert, name: pkijs.RelativeDistinguishedNames.fromBER(cert.subjectDer), keyId };
  }

  const rootName = caName(settings.root);
  const root = await load('root', rootSigner, () =>
    issueAuthorityCertificate(
      { signer: rootSigner, name: rootName, keyId: new Uint8Array(0) },
      rootSigner.publicKey,
      rootName,
      { kind: 'ca', pathLen: 1 },
      start,
      settings.root.validityDays,
    ),
  );
  const issuing = await load('issuing', issuingSigner, () =>
    issueAuthorityCertificate(
      { signer: rootSigner, name: root.name, keyId: root.keyId, notAfter: root.cert.notAfter },
      issuingSigner.publicKey,
      caName(settings.issuing),
      { kind: 'ca', pathLen: 0 },
      start,
      settings.issuing.validityDays,
    ),
  );
  const makeResponderCert = (from: Date) =>
    issueAuthorityCertificate(
      { ...issuing, notAfter: issuing.cert.notAfter },
      ocspSigner.publicKey,
      responderName(settings.issuing),
      { kind: 'ocsp-responder' },
      from,
      settings.ocspResponderValidityDays,
    );
  let ocsp = await load('ocsp', ocspSigner, () => makeResponderCert(start));

  /**
   * The delegated responder certificate is short-lived (ocsp-nocheck makes it unrevocable,
   * RFC 6960 §4.2.2.2.1), so it is re-issued a day before it lapses.
   */
  async function currentResponder(at: Date): Promise<ParsedCertificate> {
    if (at.getTime() < ocsp.cert.notAfter.getTime() - RESPONDER_RENEW_MS) return ocsp.cert;
    if (at >= issuing.cert.notAfter) return ocsp.cert; // the CA itself has lapsed
    const cert = await makeResponderCert(at);
    await repository.saveAuthority({ role: 'ocsp', certificate: cert.der });
    ocsp = { ...ocsp, cert, name: pkijs.RelativeDistinguishedNames.fromBER(cert.subjectDer) };
    return cert;
  }

  const template = endEntityTemplate(settings, issuing);

  async function keyFrom(source: KeySource): Promise<PublicKeyInfo> {
    if ('csr' in source && source.csr !== undefined) return (await parseCsr(source.csr)).publicKey;
    if ('publicKey' in source && source.publicKey instanceof Uint8Array) {
      return parsePublicKey(source.publicKey);
    }
    throw new PkiError('PKI_MALFORMED', 'Malformed key source: give a csr or a publicKey');
  }

  async function issueWith(
    key: PublicKeyInfo,
    holder: CertificateHolder,
    now: Date,
    until: Date,
    renews: string | undefined,
  ): Promise<IssuedCertificate> {
    const notBefore = wholeSeconds(now);
    if (notBefore < issuing.cert.notBefore || notBefore >= issuing.cert.notAfter) {
      throw new PkiError('PKI_EXPIRED', 'the issuing CA certificate is not valid at this time');
    }
    // CARD-04: the life the RA gives from its pack; never beyond the issuing CA (RFC 5280 §6.1.3).
    let notAfter = wholeSeconds(until);
    if (notAfter <= notBefore) {
      throw new ValidationError('issue request', [
        { field: 'notAfter', message: 'must be after now (the certificate would never be valid)' },
      ]);
    }
    if (notAfter > issuing.cert.notAfter) notAfter = issuing.cert.notAfter;
    const keyId = await keyIdentifier(key);
    for (let attempt = 1; ; attempt++) {
      const serial = randomSerial();
      const certificate = await template.sign({ serial, notBefore, notAfter, holder, key, keyId });
      const serialHex = toHex(serial);
      const record: IssuedCertificateRecord = {
        serialHex,
        certificate,
        uuid: holder.uuid,
        notBefore,
        notAfter,
        ...(renews === undefined ? {} : { renews }),
      };
      try {
        await repository.insertIssued(record);
      } catch (error) {
        // A random-serial collision: draw again (astronomically rare, but never reuse).
        const collision = error instanceof CareIdError && error.code === 'DUPLICATE';
        if (collision && attempt < SERIAL_ATTEMPTS) continue;
        throw error;
      }
      return { serialHex, certificate, notBefore, notAfter };
    }
  }

  async function revoke(serialHex: string, reason: RevocationReason, now: Date): Promise<void> {
    const serial = parseWith(serialSchema, serialHex, 'serial');
    const r = parseWith(reasonSchema, reason, 'revocation reason');
    const at = wholeSeconds(parseWith(nowSchema, now, 'now'));
    if ((await repository.findIssued(serial)) === undefined) {
      throw new CareIdError('NOT_FOUND', `no certificate ${serial} was issued by this CA`);
    }
    try {
      await repository.insertRevocation({ serialHex: serial, reason: r, revokedAt: at });
    } catch (error) {
      if (error instanceof CareIdError && error.code === 'DUPLICATE') {
        throw new PkiError('PKI_REVOKED', `certificate ${serial} is already revoked`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  /** Two keyed repository reads: O(1) whatever the number of revocations. */
  async function lookup(serialHex: string): Promise<CertificateStatus> {
    const record = await repository.findIssued(serialHex);
    if (record === undefined) return { status: 'unknown' };
    const revoked = await repository.findRevocation(serialHex);
    if (revoked === undefined) return { status: 'good', record };
    return { status: 'revoked', record, reason: revoked.reason, revokedAt: revoked.revokedAt };
  }

  const respond = await createOcspResponder({
    issuer: issuing.cert,
    signer: ocspSigner,
    certificate: currentResponder,
    validityHours: settings.ocspValidityHours,
    async lookup(serialHex) {
      const s = await lookup(serialHex);
      if (s.status !== 'revoked') return { status: s.status };
      return { status: 'revoked', revokedAt: s.revokedAt, reason: s.reason };
    },
  });

  return Object.freeze({
    settings,
    rootCertificate: root.cert.der,
    issuingCertificate: issuing.cert.der,
    get ocspCertificate(): Uint8Array {
      return ocsp.cert.der;
    },

    async issue(request: IssueRequest): Promise<IssuedCertificate> {
      const holder = parseWith(holderSchema, request?.holder, 'certificate holder');
      const now = parseWith(nowSchema, request.now, 'now');
      const notAfter = parseWith(nowSchema, request.notAfter, 'notAfter');
      return issueWith(await keyFrom(request), holder, now, notAfter, undefined);
    },

    async renew(request: RenewRequest): Promise<IssuedCertificate> {
      const holder = parseWith(holderSchema, request?.holder, 'certificate holder');
      const now = parseWith(nowSchema, request.now, 'now');
      const notAfter = parseWith(nowSchema, request.notAfter, 'notAfter');
      const previous = parseWith(serialSchema, request.previousSerialHex, 'previousSerialHex');
      const s = await lookup(previous);
      if (s.status === 'unknown') {
        throw new CareIdError('NOT_FOUND', `no certificate ${previous} to renew`);
      }
      if (s.record.purpose === 'content-signer') {
        throw new ValidationError('renew request', [
          {
            field: 'previousSerialHex',
            message: `certificate ${previous} is a content signer's, not a card holder's`,
          },
        ]);
      }
      if (s.status === 'revoked') {
        throw new PkiError('PKI_REVOKED', `certificate ${previous} is revoked; issue a new card`);
      }
      const key = await keyFrom(request);
      if (bytesEqual(parseCertificate(s.record.certificate).publicKey.spki, key.spki)) {
        throw new PkiError('PKI_KEY_REUSED', 'renewal needs a new key pair (CARD-05)');
      }
      return issueWith(key, holder, now, notAfter, previous);
    },

    supersede(serialHex: string, now: Date): Promise<void> {
      return revoke(serialHex, 'superseded', now);
    },

    revoke,

    status(serialHex: string): Promise<CertificateStatus> {
      return lookup(parseWith(serialSchema, serialHex, 'serial'));
    },

    async generateCrl(o: { readonly now: Date; readonly authority?: 'issuing' | 'root' }) {
      const now = wholeSeconds(parseWith(nowSchema, o?.now, 'now'));
      const which = o.authority === 'root' ? root : issuing;
      // The root revokes no certificates yet: its CRL lists nothing (needed for crl_check_all).
      const entries = which === issuing ? await repository.listRevocations() : [];
      return signCrl(which.signer, {
        issuer: which.cert.subjectDer,
        authorityKeyId: which.keyId,
        crlNumber: await repository.nextCrlNumber(),
        thisUpdate: now,
        nextUpdate: new Date(now.getTime() + settings.crlValidityHours * MS_PER_HOUR),
        entries,
      });
    },

    async issueContentSigner(request: ContentSignerRequest): Promise<IssuedCertificate> {
      const r = parseWith(contentSignerSchema, request, 'content signer request');
      const notBefore = wholeSeconds(r.now);
      if (notBefore < issuing.cert.notBefore || notBefore >= issuing.cert.notAfter) {
        throw new PkiError('PKI_EXPIRED', 'the issuing CA certificate is not valid at this time');
      }
      const name =
        r.commonName === undefined
          ? serviceName(settings.issuing, 'PIV Content Signer')
          : buildName([
              ...(settings.issuing.organization === undefined
                ? []
                : [{ type: 'O' as const, value: settings.issuing.organization }]),
              { type: 'CN', value: r.commonName },
            ]);
      for (let attempt = 1; ; attempt++) {
        const cert = await issueAuthorityCertificate(
          { ...issuing, notAfter: issuing.cert.notAfter },
          r.publicKey,
          name,
          { kind: 'content-signer', revocation: settings },
          notBefore,
          r.validityDays ?? CONTENT_SIGNER_DAYS,
        );
        const { serialHex, der: certificate, notAfter } = cert;
        try {
          // Recorded like a card's certificate, so that it can be revoked (CRL, OCSP).
          await repository.insertIssued({
            purpose: 'content-signer',
            serialHex,
            certificate,
            notBefore,
            notAfter,
          });
        } catch (error) {
          const collision = error instanceof CareIdError && error.code === 'DUPLICATE';
          if (collision && attempt < SERIAL_ATTEMPTS) continue;
          throw error;
        }
        return { serialHex, certificate, notBefore, notAfter };
      }
    },

    async respondOcsp(request: Uint8Array, now: Date): Promise<Uint8Array> {
      return respond(request, wholeSeconds(parseWith(nowSchema, now, 'now')));
    },
  });
}
