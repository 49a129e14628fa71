import { PivKeyRef, PivObject } from '../../card/piv/constants.js';
import { DEFAULT_MANAGEMENT_KEY } from '../../card/piv/management-key.js';
import { chuidSignedContent, holderGuid, NON_FEDERAL_FASCN } from '../../card/piv/objects.js';
import { PivSession } from '../../card/piv/session.js';
import { randomBytes, randomDigits } from '../../crypto/random.js';
import { type CardSerial, cardSerialSchema } from '../../domain/smartcard.js';
import type { UserProfile } from '../../domain/user.js';
import { ValidationError } from '../../errors/validation-error.js';
import type { CertificateAuthority, IssuedCertificate } from '../../pki/certificate-authority.js';
import { signChuid } from '../../pki/chuid.js';
import { createCsr } from '../../pki/csr.js';
import type { CertificateHolder } from '../../pki/settings.js';
import type { SignerAlgorithm } from '../../pki/signer.js';
import type { RulePack } from '../../policy/packs/schema.js';
import type { CardReader, CardSecrets, KeyVault } from './ports.js';
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
 * @throws CARD_REMOVED, CARD_TRANSPORT, CARD_NOT_FOUND (no PIV application), VALIDATION (not a reader).
 * @example
 * ```ts
 * const { piv, serial } = await openCard(reader);
 * ```
 */
export async function openCard(reader: CardReader): Promise<OpenCard> {
  const port = reader as unknown as { connect?: unknown } | null;
  if (typeof port !== 'object' || port === null || typeof port.connect !== 'function') {
    throw new ValidationError('card reader', [
      { field: 'reader', message: 'must be a CardReader: an object with a connect() method' },
    ]);
  }
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

/** The secrets of a blank card: the factory management key (3DES) and PUK. */
export const FACTORY_SECRETS: CardSecrets = {
  managementKey: DEFAULT_MANAGEMENT_KEY,
  managementAlgorithm: '3DES',
  puk: FACTORY_PUK,
};

/**
 * Every set of secrets a card may hold, by its vault entry: the current ones, then those
 * kept until the card has taken them; a card the vault holds nothing for has the factory's.
 *
 * @example
 * ```ts
 * const candidates = secretCandidates(await vault.get(serial));
 * ```
 */
export function secretCandidates(entry: CardSecrets | undefined): Omit<CardSecrets, 'previous'>[] {
  if (entry === undefined) return [FACTORY_SECRETS];
  const { previous = [], ...current } = entry;
  return [current, ...previous];
}

/**
 * Keeps in the vault, before a card is given `next`, every set of secrets it may hold now,
 * so a process that dies before the card has taken `next` leaves the card openable from
 * the vault. Call {@link settleSecrets} once the card holds `next`.
 *
 * @example
 * ```ts
 * await keepSecrets(vault, serial, fresh);
 * ```
 */
export async function keepSecrets(
  vault: KeyVault,
  serial: CardSerial,
  next: CardSecrets,
): Promise<void> {
  const now = secretCandidates(await vault.get(serial));
  const { previous: _ignored, ...current } = next;
  await vault.put(serial, { ...current, previous: now });
}

/**
 * The card holds `secrets` now: the vault forgets the ones kept for it; the factory's are
 * not kept at all (a card the vault holds nothing for has them).
 *
 * @example
 * ```ts
 * await settleSecrets(vault, serial, fresh);
 * ```
 */
export async function settleSecrets(
  vault: KeyVault,
  serial: CardSerial,
  secrets: CardSecrets | undefined,
): Promise<void> {
  if (secrets === undefined) await vault.delete(serial);
  else {
    const { previous: _ignored, ...current } = secrets;
    await vault.put(serial, current);
  }
}

/**
 * Wipes the card to its factory state, keeping its secrets in the vault until it is wiped
 * (a process that dies mid-wipe leaves the card openable from the vault), then forgetting
 * them.
 *
 * @throws the card's typed errors (CARD_*), and the vault's.
 * @example
 * ```ts
 * await wipeCard(piv, vault, serial);
 * ```
 */
export async function wipeCard(piv: PivSession, vault: KeyVault, serial: CardSerial) {
  const entry = await vault.get(serial);
  // No entry: the card has the factory secrets already, and keeps them.
  if (entry !== undefined) {
    await vault.put(serial, { ...FACTORY_SECRETS, previous: secretCandidates(entry) });
  }
  await piv.factoryReset();
  if (entry !== undefined) await vault.delete(serial);
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
 * Whom the certificate names: the UUID and UPN, and the holder's name where the pack's
 * `certificateSubject` is `name` (CARD-11 keeps other personal data off the card; with
 * `uuid-only`, dorset, the card carries no name at all).
 *
 * @example
 * ```ts
 * certificateHolder(user, 'nhs.net', dorsetPack.certificateSubject) // { uuid, upn }
 * ```
 */
export function certificateHolder(
  user: UserProfile,
  upnDomain: string,
  subject: RulePack['certificateSubject'],
): CertificateHolder {
  return {
    ...(subject === 'name'
      ? { commonName: `${user.name.given} ${user.name.family}`.slice(0, 64) }
      : {}),
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
  /** The card's serial, its key in the vault. */
  readonly serial: CardSerial;
  readonly ca: CertificateAuthority;
  readonly holder: CertificateHolder;
  /** The fresh secrets the card is given. */
  readonly secrets: CardSecrets;
  /** Where the card's secrets are kept: old ones until the card has taken the new. */
  readonly vault: KeyVault;
  readonly photo: Uint8Array;
  /** The holder's passcode; `undefined` issues the card locked (CARD-10 replacement). */
  readonly passcode: string | undefined;
  /** Wipe first: the card holds something from an earlier, failed or old, issue. */
  readonly wipeFirst: boolean;
  readonly now: () => Date;
  /** CARD-04: the end of a certificate issued at a time (`certificateNotAfter(pack, now)`). */
  readonly validUntil: (now: Date) => Date;
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
 * secrets are set last but one so a failure before leaves a card the factory secrets open;
 * the vault keeps the secrets the card had until it has taken the new ones (a wipe first
 * keeps the old ones until it is done), so whenever the process dies, the vault opens it.
 *
 * @throws the card's typed errors (CARD_*), and the CA's (PKI_*, VALIDATION).
 * @example
 * ```ts
 * const issued = await personaliseCard({ piv, serial, ca, holder, secrets, vault, photo, passcode, wipeFirst: false, now, validUntil, onIssued, progress });
 * ```
 */
export async function personaliseCard(input: PersonaliseInput): Promise<IssuedCertificate> {
  const { piv, secrets, vault, serial } = input;
  if (input.wipeFirst) {
    input.progress('wiping the card left from an earlier attempt');
    await wipeCard(piv, vault, serial);
  }
  await piv.authenticate(DEFAULT_MANAGEMENT_KEY, '3DES');
  input.progress('generating the key on the card (slot 9A)');
  const publicKey = await piv.generateKey(AUTH_SLOT, 'P-256');
  input.progress('signing the certificate request on the card');
  const signer = piv.signer({ publicKey, algorithm: CARD_KEY, pin: FACTORY_PIN });
  // The CSR names what the certificate will (the CA builds the subject from the holder anyway).
  const csr = await createCsr(signer, { commonName: input.holder.commonName ?? input.holder.uuid });
  input.progress('issuing the certificate');
  const now = input.now();
  const issued = await input.ca.issue({
    csr,
    holder: input.holder,
    now,
    notAfter: input.validUntil(now),
  });
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
  await keepSecrets(vault, serial, secrets);
  await piv.changePuk(FACTORY_PUK, secrets.puk);
  await piv.setManagementKey(secrets.managementKey, secrets.managementAlgorithm);
  await settleSecrets(vault, serial, secrets);
  if (input.passcode === undefined) await piv.blockPin();
  else await piv.changePin(FACTORY_PIN, input.passcode);
  return issued;
}

/**
 * Wipes the card in the reader to the factory state on a fresh connection (compensation
 * after a failed step), its secrets kept in the vault until it is wiped, then forgotten.
 * Never throws: `false` when the card could not be wiped.
 *
 * @example
 * ```ts
 * const wiped = await tryWipe(reader, serial, vault);
 * ```
 */
export async function tryWipe(
  reader: CardReader,
  serial: CardSerial,
  vault: KeyVault,
): Promise<boolean> {
  try {
    const card = await openCard(reader);
    try {
      // Never wipe another card someone put in the reader meanwhile.
      if (card.serial !== serial) return false;
      await wipeCard(card.piv, vault, serial);
      return true;
    } finally {
      await card.close();
    }
  } catch {
    return false;
  }
}
