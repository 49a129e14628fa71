import { PivKeyRef, PivObject } from '../../card/piv/constants.js';
import { DEFAULT_MANAGEMENT_KEY } from '../../card/piv/management-key.js';
import { chuidSignedContent, holderGuid, NON_FEDERAL_FASCN } from '../../card/piv/objects.js';
import { PivSession } from '../../card/piv/session.js';
import { randomBytes, randomDigits } from '../../crypto/random.js';
import { type CardSerial, cardSerialSchema } from '../../domain/smartcard.js';
import type { UserProfile } from '../../domain/user.js';
import type { CertificateAuthority, IssuedCertificate } from '../../pki/certificate-authority.js';
import { signChuid } from '../../pki/chuid.js';
import { createCsr } from '../../pki/csr.js';
import type { CertificateHolder } from '../../pki/settings.js';
import type { SignerAlgorithm } from '../../pki/signer.js';
import type { CardReader, CardSecrets } from './ports.js';
import type { ChuidSigner } from './types.js';

/** The factory PIN and PUK of a blank PIV card (the simulator's and most vendors'). */
export const FACTORY_PIN = '123456';
/** The factory PUK of a blank PIV card. */
export const FACTORY_PUK = '12345678';
/** CARD-01: the authentication key lives in slot 9A (SP 800-73-4 Part 1 §3.1.1). */
export const AUTH_SLOT = PivKeyRef.AUTHENTICATION;
/** The key careid generates on the card: ECDSA P-256 with SHA-256. */
export const CARD_KEY: SignerAlgorithm = { kind: 'ecdsa', curve: 'P-256', hash: 'SHA-256' };
/** The printed serial of a card: its chip serial in decimal, 10 digits; the first two are its series (CARD-07). */
const SERIAL_DIGITS = 10;
const PUK_DIGITS = 8;
/** Per-card management keys are AES-256 (SP 800-78-4 allows AES for 9B). */
const MANAGEMENT_ALGORITHM = 'AES-256';
const MANAGEMENT_KEY_BYTES = 32;

/**
 * An open card: the PIV session and a way to close the connection.
 *
 * @example
 * ```ts
 * const open = await openCard(reader); try { ... } finally { await open.close(); }
 * ```
 */
export interface OpenCard {
  readonly piv: PivSession;
  readonly serial: CardSerial;
  close(): Promise<void>;
}

/**
 * Connects to the card in the reader, selects PIV and reads its serial (2 APDUs).
 *
 * @throws CARD_REMOVED, CARD_TRANSPORT, CARD_NOT_FOUND (no PIV application).
 * @example
 * ```ts
 * const { piv, serial } = await openCard(reader);
 * ```
 */
export async function openCard(reader: CardReader): Promise<OpenCard> {
  const connection = await reader.connect();
  try {
    const piv = await PivSession.open(connection);
    const serial = cardSerialSchema.parse(
      String(await piv.serialNumber()).padStart(SERIAL_DIGITS, '0'),
    );
    return { piv, serial, close: () => connection.close() };
  } catch (error) {
    await connection.close();
    throw error;
  }
}

/**
 * A fresh management key and PUK for one card (CARD-01), from the system CSPRNG.
 *
 * @example
 * ```ts
 * const secrets = freshSecrets();
 * ```
 */
export function freshSecrets(): CardSecrets {
  return {
    managementKey: randomBytes(MANAGEMENT_KEY_BYTES),
    managementAlgorithm: MANAGEMENT_ALGORITHM,
    puk: randomDigits(PUK_DIGITS),
  };
}

/**
 * Whom the certificate names: the holder's name, UUID and UPN (CARD-11 keeps other
 * personal data off the card; the certificate carries only these).
 *
 * @example
 * ```ts
 * certificateHolder(user, 'nhs.net')
 * ```
 */
export function certificateHolder(user: UserProfile, upnDomain: string): CertificateHolder {
  return {
    commonName: `${user.name.given} ${user.name.family}`.slice(0, 64),
    uuid: user.uuid,
    upn: `${user.uuid}@${upnDomain}`,
  };
}

/** `YYYYMMDD` of a date (the CHUID expiry, SP 800-73-4 Part 1 Table 9). */
function chuidDate(date: Date): string {
  return date.toISOString().slice(0, 10).replaceAll('-', '');
}

/** What {@link personaliseCard} needs. */
export interface PersonaliseInput {
  readonly piv: PivSession;
  readonly ca: CertificateAuthority;
  readonly holder: CertificateHolder;
  readonly secrets: CardSecrets;
  readonly photo: Uint8Array;
  /** The holder's passcode; `undefined` issues the card locked (CARD-10 replacement). */
  readonly passcode: string | undefined;
  /** Wipe first: the card holds something from an earlier, failed or old, issue. */
  readonly wipeFirst: boolean;
  readonly now: () => Date;
  /** Called with the certificate as soon as the CA issued it, so a failure can revoke it. */
  readonly onIssued: (certificate: IssuedCertificate) => void;
  readonly progress: (step: string) => void;
  /** Signs the CHUID (its tag 3E); without it the signature element is written empty. */
  readonly chuidSigner?: ChuidSigner | undefined;
}

/**
 * CARD-01/02/11 on the card: key generated in 9A, CSR signed on the card, certificate from
 * the CA written with the CHUID (holder UUID) and the facial image, then a fresh PUK and
 * management key, then the holder's passcode (or the PIN blocked, for a replacement). The
 * secrets are set last but one so a failure before leaves a card the factory secrets open.
 *
 * @throws the card's typed errors (CARD_*), and the CA's (PKI_*, VALIDATION).
 * @example
 * ```ts
 * const issued = await personaliseCard({ piv, ca, holder, secrets, photo, passcode, wipeFirst: false, now, onIssued, progress });
 * ```
 */
export async function personaliseCard(input: PersonaliseInput): Promise<IssuedCertificate> {
  const { piv, secrets } = input;
  if (input.wipeFirst) {
    input.progress('wiping the card left from an earlier attempt');
    await piv.factoryReset();
  }
  await piv.authenticate(DEFAULT_MANAGEMENT_KEY, '3DES');
  input.progress('generating the key on the card (slot 9A)');
  const publicKey = await piv.generateKey(AUTH_SLOT, 'P-256');
  input.progress('signing the certificate request on the card');
  const signer = piv.signer({ publicKey, algorithm: CARD_KEY, pin: FACTORY_PIN });
  const csr = await createCsr(signer, { commonName: input.holder.commonName });
  input.progress('issuing the certificate');
  const issued = await input.ca.issue({ csr, holder: input.holder, now: input.now() });
  input.onIssued(issued);
  input.progress('writing the certificate, identity and photo');
  await piv.writeCertificate(AUTH_SLOT, issued.certificate);
  const chuid = {
    fascn: NON_FEDERAL_FASCN,
    guid: holderGuid(input.holder.uuid),
    expiry: chuidDate(issued.notAfter),
  };
  const chuidSigner = input.chuidSigner;
  await piv.writeChuid(
    chuidSigner === undefined
      ? chuid
      : {
          ...chuid,
          issuerSignature: await signChuid({
            content: chuidSignedContent(chuid),
            certificate: chuidSigner.certificate,
            signer: chuidSigner.signer,
          }),
        },
  );
  await piv.writeObject(PivObject.FACIAL_IMAGE, input.photo);
  input.progress('setting the card secrets');
  await piv.changePuk(FACTORY_PUK, secrets.puk);
  await piv.setManagementKey(secrets.managementKey, secrets.managementAlgorithm);
  if (input.passcode === undefined) await piv.blockPin();
  else await piv.changePin(FACTORY_PIN, input.passcode);
  return issued;
}

/**
 * Wipes the card in the reader to the factory state on a fresh connection (compensation
 * after a failed step). Never throws: `false` when the card could not be wiped.
 *
 * @example
 * ```ts
 * const wiped = await tryWipe(reader, serial);
 * ```
 */
export async function tryWipe(reader: CardReader, serial: CardSerial): Promise<boolean> {
  try {
    const card = await openCard(reader);
    try {
      // Never wipe another card someone put in the reader meanwhile.
      if (card.serial !== serial) return false;
      await card.piv.factoryReset();
      return true;
    } finally {
      await card.close();
    }
  } catch {
    return false;
  }
}
