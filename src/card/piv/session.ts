import { latin1Text } from '../../crypto/encoding.js';
import { constantTimeEqual } from '../../crypto/equal.js';
import { sha2 } from '../../crypto/hash.js';
import { randomBytes } from '../../crypto/random.js';
import {
  checkBytes,
  checkName,
  checkRecord,
  checkWhole,
  invalidArgument,
} from '../../errors/guards.js';

import { ValidationError } from '../../errors/validation-error.js';
import { encodeDigestInfo } from '../../pki/signature-format.js';
import type { SignatureHash, Signer, SignerAlgorithm } from '../../pki/signer.js';
import { type CommandApdu, commandApdu } from '../apdu/command.js';
import {
  CLA_INTERINDUSTRY,
  EXTENDED_MAX_NE,
  INS_GET_CHALLENGE,
  SHORT_MAX_NE,
  SW_AUTH_BLOCKED,
  SW_INS_NOT_SUPPORTED,
  SW_SUCCESS,
  SW_WRONG_DATA,
  SW_WRONG_P1P2,
} from '../apdu/iso7816.js';
import { expectSuccess, statusError, triesLeftOf } from '../apdu/status.js';
import { decodeTlv, encodeTlv, findTlv, requireTlv, tagBytes } from '../apdu/tlv.js';
import { ApduTransceiver, type TransceiverOptions } from '../apdu/transceiver.js';
import type { CardConnection } from '../connection.js';
import {
  CardAuthenticationError,
  CardNotFoundError,
  CardProtocolError,
  SecurityStatusError,
} from '../errors.js';
import {
  CERTIFICATE_OBJECT,
  DATA_P1,
  DATA_P2,
  GENERATE_P1,
  KEY_ALGORITHM_ID,
  MANAGEMENT_ALGORITHM,
  type ManagementKeyAlgorithm,
  METADATA_RETRIES,
  PIN_BLOCK_LENGTH,
  PIV_AID,
  PIV_SLOTS,
  PivIns,
  type PivKeyAlgorithm,
  PivKeyRef,
  PivObject,
  type PivSlot,
  PivTag,
  REFERENCE_P1,
  RSA_2048_BYTES,
  SELECT_P1_BY_AID,
  SELECT_P2,
  VERIFY_P1_RESET,
  VendorIns,
} from './constants.js';
import { checkManagementKey, managementCipher } from './management-key.js';
import {
  type Chuid,
  decodeCertificateObject,
  decodeChuid,
  encodeCertificateObject,
  encodeChuid,
} from './objects.js';
import { checkPin, checkPuk, padPin } from './pin.js';
import { publicKeyTemplateToSpki } from './public-key.js';

/**
 * Options of a {@link PivSession}.
 * @example
 * ```ts
 * const piv = await PivSession.open(connection, { extendedLength: false, log: console.debug });
 * ```
 */
export type PivSessionOptions = TransceiverOptions;

/**
 * What SELECT answered (SP 800-73-4 Part 2 §3.1.1, Table 9).
 * @example
 * ```ts
 * const { aid, label }: PivApplication = await piv.select();
 * ```
 */
export interface PivApplication {
  /** The application identifier the card reports, or the one selected. */
  readonly aid: Uint8Array;
  /** The application label, when the card gives one. */
  readonly label: string | undefined;
}

/**
 * The PIN's state as the empty VERIFY reports it (SP 800-73-4 Part 2 §3.2.1).
 * @example
 * ```ts
 * const { verified, triesLeft }: PinStatus = await piv.pinStatus();
 * ```
 */
export interface PinStatus {
  /** The PIN is verified in this session (9000). */
  readonly verified: boolean;
  /** Tries left (63Cx); `undefined` when verified (the card does not say then), 0 when blocked. */
  readonly triesLeft: number | undefined;
}

const EMPTY = new Uint8Array(0);
/** SET MANAGEMENT KEY P1 FF, P2 FF: no touch policy (Yubico PIV docs). */
const SET_MANAGEMENT_KEY_P1 = 0xff;
const SET_MANAGEMENT_KEY_P2_NO_TOUCH = 0xff;
/** GET SERIAL answers four bytes, big-endian (Yubico PIV docs). */
const SERIAL_BYTES = 4;
/** PIN and PUK retry counters are at most 15 (the 63Cx status word holds 4 bits). */
const MAX_BLOCKING_TRIES = 15;
/** A PIN block byte no passcode has (passcodes are ASCII digits, CARD-02): it never matches. */
const NEVER_A_DIGIT = 0x00;
/** "As many bytes as the card has": the transceiver fits it to 256 for short APDUs. */
const NE_ALL = EXTENDED_MAX_NE;
const CURVE_BYTES = { 'P-256': 32, 'P-384': 48 } as const;
/** PKCS#1 v1.5 block type 1 bytes (RFC 8017 §9.2 step 5). */
const PKCS1_BT1 = Uint8Array.of(0x00, 0x01);
const PKCS1_PAD = 0xff;

function hexTag(tag: number): string {
  return tag.toString(16).toUpperCase();
}

/** The largest data object tag: three bytes (SP 800-73-4 Part 1 Table 3). */
const MAX_OBJECT_TAG = 0xffffff;

/** Checks a slot argument: one of the four asymmetric slots. */
function checkSlot(slot: unknown, what: string): asserts slot is PivSlot {
  if (!PIV_SLOTS.includes(slot as PivSlot)) {
    throw invalidArgument(what, 'slot', 'a PIV slot (0x9A, 0x9C, 0x9D or 0x9E)', slot);
  }
}

/** Checks an object tag argument: a whole number of at most three bytes. */
function checkTag(tag: unknown, what: string): asserts tag is number {
  checkWhole(tag, 0, MAX_OBJECT_TAG, what, 'tag');
}

const HASHES: Readonly<Record<SignatureHash, true>> = {
  'SHA-256': true,
  'SHA-384': true,
  'SHA-512': true,
};

/** Checks the options of {@link PivSession.signer}: what a PIV key can sign with. */
function checkSignerOptions(options: unknown): void {
  const what = 'PIV signer';
  checkRecord(options, what, 'options');
  checkBytes(options['publicKey'], what, 'publicKey');
  const algorithm = options['algorithm'];
  checkRecord(algorithm, what, 'algorithm');
  checkName(algorithm['hash'], HASHES, what, 'algorithm.hash');
  if (algorithm['kind'] === 'ecdsa') {
    checkName(algorithm['curve'], CURVE_BYTES, what, 'algorithm.curve');
  } else if (algorithm['kind'] !== 'rsa-pkcs1') {
    throw invalidArgument(what, 'algorithm.kind', 'ecdsa or rsa-pkcs1', algorithm['kind']);
  }
  if (options['slot'] !== undefined) checkSlot(options['slot'], what);
  if (options['pin'] !== undefined) checkPin(options['pin'] as string);
}

/**
 * A PIV card application session (NIST SP 800-73-4 Part 2) over any
 * {@link CardConnection}: data objects, PIN/PUK, management-key authentication, key
 * generation and signing. One session per connection; not safe for concurrent calls.
 *
 * @example
 * ```ts
 * const piv = await PivSession.open(connection);
 * await piv.authenticate(DEFAULT_MANAGEMENT_KEY);
 * const spki = await piv.generateKey(0x9a, 'P-256');
 * ```
 */
export class PivSession {
  /** The transceiver (APDU count, connection). */
  readonly transceiver: ApduTransceiver;

  private constructor(transceiver: ApduTransceiver) {
    this.transceiver = transceiver;
  }

  /**
   * Opens a session: SELECTs the PIV application.
   *
   * @throws CARD_NOT_FOUND when the card has no PIV application; CARD_REMOVED, CARD_TRANSPORT.
   * @example
   * ```ts
   * const piv = await PivSession.open(connection, { log: (e) => console.debug(e.command) });
   * ```
   */
  static async open(
    connection: CardConnection,
    options: PivSessionOptions = {},
  ): Promise<PivSession> {
    const session = new PivSession(new ApduTransceiver(connection, options));
    await session.select();
    return session;
  }

  /** Physical APDUs sent so far. */
  get apduCount(): number {
    return this.transceiver.apduCount;
  }

  /**
   * SELECT the PIV application by AID (SP 800-73-4 Part 2 §3.1.1). One APDU.
   *
   * @throws CARD_NOT_FOUND when the application is absent.
   * @example
   * ```ts
   * const { label } = await piv.select();
   * ```
   */
  async select(): Promise<PivApplication> {
    const data = await this.#call(
      commandApdu(CLA_INTERINDUSTRY, PivIns.SELECT, SELECT_P1_BY_AID, SELECT_P2, PIV_AID, NE_ALL),
      'SELECT PIV',
    );
    if (data.length === 0) return { aid: PIV_AID, label: undefined };
    const apt = requireTlv(decodeTlv(data), PivTag.APT, 'SELECT response');
    const items = decodeTlv(apt);
    const label = findTlv(items, PivTag.LABEL);
    return {
      aid: findTlv(items, PivTag.AID) ?? PIV_AID,
      label: label === undefined ? undefined : latin1Text(label),
    };
  }

  /**
   * GET DATA of one object (SP 800-73-4 Part 2 §3.1.2): the content inside tag 53.
   *
   * @throws CARD_NOT_FOUND when the object is absent; CARD_SECURITY_STATUS when it needs
   * the PIN; CARD_PROTOCOL when the answer is not a 53 object; VALIDATION when `tag` is
   * not a whole number of at most three bytes.
   * @example
   * ```ts
   * const chuid = await piv.readObject(PivObject.CHUID);
   * ```
   */
  async readObject(tag: number): Promise<Uint8Array> {
    checkTag(tag, 'readObject input');
    const data = await this.#call(
      commandApdu(
        CLA_INTERINDUSTRY,
        PivIns.GET_DATA,
        DATA_P1,
        DATA_P2,
        encodeTlv(PivTag.TAG_LIST, Uint8Array.from(tagBytes(tag))),
        NE_ALL,
      ),
      `GET DATA ${hexTag(tag)}`,
    );
    const items = decodeTlv(data);
    // The discovery object comes back under its own tag 7E (SP 800-73-4 Part 1 Table 18).
    return requireTlv(
      items,
      tag === PivObject.DISCOVERY ? PivObject.DISCOVERY : PivTag.DATA,
      `object ${hexTag(tag)}`,
    );
  }

  /**
   * Like {@link PivSession.readObject} but `undefined` when the object is absent.
   *
   * @throws as readObject, except CARD_NOT_FOUND.
   * @example
   * ```ts
   * const photo = await piv.tryReadObject(PivObject.FACIAL_IMAGE);
   * ```
   */
  async tryReadObject(tag: number): Promise<Uint8Array | undefined> {
    try {
      return await this.readObject(tag);
    } catch (error) {
      if (error instanceof CardNotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * PUT DATA of one object (SP 800-73-4 Part 2 §3.3.1); an empty content deletes it.
   * Needs the management key.
   *
   * @throws CARD_SECURITY_STATUS without management-key authentication; VALIDATION when
   * `tag` is not a whole number of at most three bytes or `content` not a Uint8Array.
   * @example
   * ```ts
   * await piv.writeObject(PivObject.FACIAL_IMAGE, photo);
   * ```
   */
  async writeObject(tag: number, content: Uint8Array): Promise<void> {
    checkTag(tag, 'writeObject input');
    checkBytes(content, 'writeObject input', 'content');
    const body =
      tag === PivObject.DISCOVERY
        ? encodeTlv(PivObject.DISCOVERY, content)
        : Uint8Array.from([
            ...encodeTlv(PivTag.TAG_LIST, Uint8Array.from(tagBytes(tag))),
            ...encodeTlv(PivTag.DATA, content),
          ]);
    await this.#call(
      commandApdu(CLA_INTERINDUSTRY, PivIns.PUT_DATA, DATA_P1, DATA_P2, body),
      `PUT DATA ${hexTag(tag)}`,
    );
  }

  /**
   * Reads the CHUID, or `undefined` when the card has none.
   *
   * @throws CARD_PROTOCOL when it is malformed.
   * @example
   * ```ts
   * const uuid = (await piv.readChuid())?.guid;
   * ```
   */
  async readChuid(): Promise<Chuid | undefined> {
    const bytes = await this.tryReadObject(PivObject.CHUID);
    return bytes === undefined ? undefined : decodeChuid(bytes);
  }

  /**
   * Writes the CHUID (CARD-11: the GUID carries the holder's UUID).
   *
   * @throws CARD_SECURITY_STATUS without management-key authentication; CARD_PROTOCOL on a
   * bad field; VALIDATION when `chuid` is not a record as {@link Chuid} says.
   * @example
   * ```ts
   * await piv.writeChuid({ fascn: NON_FEDERAL_FASCN, guid, expiry: '20291231' });
   * ```
   */
  async writeChuid(chuid: Chuid): Promise<void> {
    await this.writeObject(PivObject.CHUID, encodeChuid(chuid));
  }

  /**
   * The DER certificate in a slot's container, or `undefined` when empty.
   *
   * @throws CARD_PROTOCOL when the container is malformed; VALIDATION when `slot` is not a
   * PIV slot.
   * @example
   * ```ts
   * const der = await piv.readCertificate(0x9a);
   * ```
   */
  async readCertificate(slot: PivSlot): Promise<Uint8Array | undefined> {
    checkSlot(slot, 'readCertificate input');
    const bytes = await this.tryReadObject(CERTIFICATE_OBJECT[slot]);
    if (bytes === undefined || bytes.length === 0) return undefined;
    return decodeCertificateObject(bytes);
  }

  /**
   * Writes a DER certificate into a slot's container. Needs the management key.
   *
   * @throws CARD_SECURITY_STATUS without management-key authentication; VALIDATION when
   * `slot` is not a PIV slot or `der` not a Uint8Array.
   * @example
   * ```ts
   * await piv.writeCertificate(0x9a, der);
   * ```
   */
  async writeCertificate(slot: PivSlot, der: Uint8Array): Promise<void> {
    checkSlot(slot, 'writeCertificate input');
    await this.writeObject(CERTIFICATE_OBJECT[slot], encodeCertificateObject(der));
  }

  /**
   * Empties a slot's certificate container. Needs the management key.
   *
   * @throws CARD_SECURITY_STATUS without management-key authentication; VALIDATION when
   * `slot` is not a PIV slot.
   * @example
   * ```ts
   * await piv.deleteCertificate(0x9a);
   * ```
   */
  async deleteCertificate(slot: PivSlot): Promise<void> {
    checkSlot(slot, 'deleteCertificate input');
    await this.writeObject(CERTIFICATE_OBJECT[slot], EMPTY);
  }

  /**
   * The PIN's state, read with the empty VERIFY that spends no try (SP 800-73-4 Part 2
   * §3.2.1). One APDU.
   *
   * @throws CARD_STATUS on an unexpected answer.
   * @example
   * ```ts
   * const { triesLeft } = await piv.pinStatus();
   * ```
   */
  async pinStatus(): Promise<PinStatus> {
    const { sw } = await this.transceiver.send(
      commandApdu(CLA_INTERINDUSTRY, PivIns.VERIFY, REFERENCE_P1, PivKeyRef.PIN),
    );
    if (sw === SW_SUCCESS) return { verified: true, triesLeft: undefined };
    const tries = triesLeftOf(sw);
    if (tries !== undefined) return { verified: false, triesLeft: tries };
    if (sw === SW_AUTH_BLOCKED) return { verified: false, triesLeft: 0 };
    throw statusError(sw, 'VERIFY PIN (status)') ?? new CardProtocolError('unreachable');
  }

  /**
   * The PUK's tries left, through the widely supported GET METADATA extension; PIV
   * itself has no way to read it without spending a try. `undefined` when the card lacks
   * the extension.
   *
   * @throws CARD_REMOVED, CARD_TRANSPORT.
   * @example
   * ```ts
   * const pukTries = await piv.pukTriesLeft();
   * ```
   */
  async pukTriesLeft(): Promise<number | undefined> {
    const response = await this.transceiver.send(
      commandApdu(
        CLA_INTERINDUSTRY,
        VendorIns.GET_METADATA,
        REFERENCE_P1,
        PivKeyRef.PUK,
        EMPTY,
        NE_ALL,
      ),
    );
    if (response.sw !== SW_SUCCESS) return undefined;
    const retries = findTlv(decodeTlv(response.data), METADATA_RETRIES);
    return retries === undefined || retries.length !== 2 ? undefined : retries[1];
  }

  /**
   * Resets the PIN's security status (VERIFY with P1 FF, SP 800-73-4 Part 2 §3.2.1): the
   * PIN must be verified again before a PIN-protected key or object is used (CARD-12).
   * One APDU. `false` when the card does not know the reset (a pre-800-73-4 card answers
   * wrong P1-P2): only a card reset clears its status then.
   *
   * @throws CARD_REMOVED, CARD_TRANSPORT; CARD_STATUS on another unexpected answer.
   * @example
   * ```ts
   * await piv.resetPinStatus(); // before handing the card back
   * ```
   */
  async resetPinStatus(): Promise<boolean> {
    const { sw } = await this.transceiver.send(
      commandApdu(CLA_INTERINDUSTRY, PivIns.VERIFY, VERIFY_P1_RESET, PivKeyRef.PIN),
    );
    if (sw === SW_SUCCESS) return true;
    if (sw === SW_WRONG_P1P2 || sw === SW_INS_NOT_SUPPORTED) return false;
    throw statusError(sw, 'VERIFY PIN (reset)') ?? new CardProtocolError('unreachable');
  }

  /**
   * VERIFY the PIN (SP 800-73-4 Part 2 §3.2.1). One APDU.
   *
   * @throws VALIDATION when the PIN is not 6 to 8 digits (nothing is sent, CARD-02);
   * CARD_PIN_INCORRECT with the tries left; CARD_BLOCKED when blocked.
   * @example
   * ```ts
   * await piv.verifyPin('123456');
   * ```
   */
  async verifyPin(pin: string): Promise<void> {
    checkPin(pin);
    await this.#call(
      commandApdu(CLA_INTERINDUSTRY, PivIns.VERIFY, REFERENCE_P1, PivKeyRef.PIN, padPin(pin)),
      'VERIFY PIN',
    );
  }

  /**
   * CHANGE REFERENCE DATA of the PIN (SP 800-73-4 Part 2 §3.2.2). One APDU.
   *
   * @throws VALIDATION when either PIN is not 6 to 8 digits; CARD_PIN_INCORRECT; CARD_BLOCKED.
   * @example
   * ```ts
   * await piv.changePin('123456', '654321');
   * ```
   */
  async changePin(oldPin: string, newPin: string): Promise<void> {
    checkPin(oldPin, 'current PIN');
    checkPin(newPin, 'new PIN');
    await this.#call(
      commandApdu(
        CLA_INTERINDUSTRY,
        PivIns.CHANGE_REFERENCE_DATA,
        REFERENCE_P1,
        PivKeyRef.PIN,
        Uint8Array.from([...padPin(oldPin), ...padPin(newPin)]),
      ),
      'CHANGE REFERENCE DATA PIN',
    );
  }

  /**
   * CHANGE REFERENCE DATA of the PUK (SP 800-73-4 Part 2 §3.2.2). One APDU.
   *
   * @throws VALIDATION; CARD_PIN_INCORRECT (the PUK was wrong); CARD_BLOCKED.
   * @example
   * ```ts
   * await piv.changePuk('12345678', '87654321');
   * ```
   */
  async changePuk(oldPuk: string, newPuk: string): Promise<void> {
    checkPuk(oldPuk, 'current PUK');
    checkPuk(newPuk, 'new PUK');
    await this.#call(
      commandApdu(
        CLA_INTERINDUSTRY,
        PivIns.CHANGE_REFERENCE_DATA,
        REFERENCE_P1,
        PivKeyRef.PUK,
        Uint8Array.from([...padPin(oldPuk), ...padPin(newPuk)]),
      ),
      'CHANGE REFERENCE DATA PUK',
    );
  }

  /**
   * RESET RETRY COUNTER: unblocks the PIN with the PUK and sets a new PIN (SP 800-73-4
   * Part 2 §3.2.3; CARD-03 unlock). One APDU.
   *
   * @throws VALIDATION; CARD_PIN_INCORRECT (the PUK was wrong); CARD_BLOCKED (the PUK is blocked).
   * @example
   * ```ts
   * await piv.unblockPin('12345678', '246810');
   * ```
   */
  async unblockPin(puk: string, newPin: string): Promise<void> {
    checkPuk(puk);
    checkPin(newPin, 'new PIN');
    await this.#call(
      commandApdu(
        CLA_INTERINDUSTRY,
        PivIns.RESET_RETRY_COUNTER,
        REFERENCE_P1,
        PivKeyRef.PIN,
        Uint8Array.from([...padPin(puk), ...padPin(newPin)]),
      ),
      'RESET RETRY COUNTER',
    );
  }

  /**
   * Mutual authentication with the card management key 9B (SP 800-73-4 Part 2 Appendix
   * A.1 / §3.2.4): the card proves the key by its witness, we prove it by our challenge.
   * Two APDUs.
   *
   * @throws VALIDATION when the algorithm is not a management-key algorithm, the key not a
   * Uint8Array or its length does not fit the algorithm; CARD_AUTHENTICATION when the card rejects the key or fails its own proof;
   * CARD_BLOCKED when the key is blocked.
   * @example
   * ```ts
   * await piv.authenticate(DEFAULT_MANAGEMENT_KEY, '3DES');
   * ```
   */
  async authenticate(key: Uint8Array, algorithm: ManagementKeyAlgorithm = '3DES'): Promise<void> {
    checkManagementKey(algorithm, key);
    const { id, block } = MANAGEMENT_ALGORITHM[algorithm];
    const what = 'GENERAL AUTHENTICATE 9B';
    const step1 = await this.#call(
      commandApdu(
        CLA_INTERINDUSTRY,
        PivIns.GENERAL_AUTHENTICATE,
        id,
        PivKeyRef.MANAGEMENT,
        encodeTlv(PivTag.DYNAMIC_AUTH, encodeTlv(PivTag.WITNESS)),
        NE_ALL,
      ),
      what,
    );
    const encryptedWitness = requireTlv(
      decodeTlv(requireTlv(decodeTlv(step1), PivTag.DYNAMIC_AUTH, what)),
      PivTag.WITNESS,
      what,
    );
    if (encryptedWitness.length !== block) {
      throw new CardProtocolError(
        `${what}: witness of ${encryptedWitness.length} bytes for ${algorithm}`,
      );
    }
    const witness = managementCipher(algorithm, key, encryptedWitness, 'decrypt');
    const challenge = randomBytes(block);
    const step2 = await this.transceiver.send(
      commandApdu(
        CLA_INTERINDUSTRY,
        PivIns.GENERAL_AUTHENTICATE,
        id,
        PivKeyRef.MANAGEMENT,
        encodeTlv(
          PivTag.DYNAMIC_AUTH,
          encodeTlv(PivTag.WITNESS, witness),
          encodeTlv(PivTag.CHALLENGE, challenge),
        ),
        NE_ALL,
      ),
    );
    if (step2.sw !== SW_SUCCESS) {
      const error = statusError(step2.sw, what);
      if (error instanceof SecurityStatusError || step2.sw === SW_WRONG_DATA) {
        throw new CardAuthenticationError('the card rejected the management key', { cause: error });
      }
      throw error ?? new CardProtocolError('unreachable');
    }
    const answer = requireTlv(
      decodeTlv(requireTlv(decodeTlv(step2.data), PivTag.DYNAMIC_AUTH, what)),
      PivTag.RESPONSE,
      what,
    );
    const expected = managementCipher(algorithm, key, challenge, 'encrypt');
    if (answer.length !== expected.length || !constantTimeEqual(answer, expected)) {
      throw new CardAuthenticationError('the card could not prove it holds the management key');
    }
  }

  /**
   * GENERATE ASYMMETRIC KEY PAIR in a slot (SP 800-73-4 Part 2 §3.3.2); returns the public
   * key as a DER SubjectPublicKeyInfo. Needs the management key. One APDU (two for
   * RSA-2048 without extended length: the 7F49 answer is over 256 bytes).
   *
   * @throws CARD_SECURITY_STATUS without management-key authentication; CARD_UNSUPPORTED
   * for an algorithm the card lacks; CARD_PROTOCOL on a malformed answer; VALIDATION when
   * `slot` is not a PIV slot or `algorithm` not a PIV key algorithm.
   * @example
   * ```ts
   * const spki = await piv.generateKey(0x9a, 'P-256');
   * ```
   */
  async generateKey(slot: PivSlot, algorithm: PivKeyAlgorithm): Promise<Uint8Array> {
    checkSlot(slot, 'generateKey input');
    checkName(algorithm, KEY_ALGORITHM_ID, 'generateKey input', 'algorithm');
    const crt = encodeTlv(
      PivTag.CRT,
      encodeTlv(PivTag.ALGORITHM, Uint8Array.of(KEY_ALGORITHM_ID[algorithm])),
    );
    const data = await this.#call(
      commandApdu(
        CLA_INTERINDUSTRY,
        PivIns.GENERATE_ASYMMETRIC_KEY_PAIR,
        GENERATE_P1,
        slot,
        crt,
        NE_ALL,
      ),
      `GENERATE ASYMMETRIC KEY PAIR ${hexTag(slot)}`,
    );
    const template = requireTlv(decodeTlv(data), PivTag.PUBLIC_KEY, 'GENERATE ASYMMETRIC KEY PAIR');
    return await publicKeyTemplateToSpki(template, algorithm);
  }

  /**
   * GENERAL AUTHENTICATE with a private key (SP 800-73-4 Part 2 §3.2.4, Appendix A.4):
   * the card signs (or decrypts) `challenge`. ECDSA answers a DER signature; RSA answers
   * the raw private-key operation. One APDU (two for RSA-2048 without extended length).
   *
   * @throws CARD_SECURITY_STATUS when the PIN is not verified; CARD_NOT_FOUND when the
   * slot has no key; CARD_PROTOCOL on a malformed answer; VALIDATION when `slot` is not a
   * PIV slot, `algorithm` not a PIV key algorithm or `challenge` not a Uint8Array.
   * @example
   * ```ts
   * const sig = await piv.generalAuthenticate(0x9a, 'P-256', digest);
   * ```
   */
  async generalAuthenticate(
    slot: PivSlot,
    algorithm: PivKeyAlgorithm,
    challenge: Uint8Array,
  ): Promise<Uint8Array> {
    checkSlot(slot, 'generalAuthenticate input');
    checkName(algorithm, KEY_ALGORITHM_ID, 'generalAuthenticate input', 'algorithm');
    checkBytes(challenge, 'generalAuthenticate input', 'challenge');
    const what = `GENERAL AUTHENTICATE ${hexTag(slot)}`;
    const data = await this.#call(
      commandApdu(
        CLA_INTERINDUSTRY,
        PivIns.GENERAL_AUTHENTICATE,
        KEY_ALGORITHM_ID[algorithm],
        slot,
        encodeTlv(
          PivTag.DYNAMIC_AUTH,
          encodeTlv(PivTag.RESPONSE),
          encodeTlv(PivTag.CHALLENGE, challenge),
        ),
        NE_ALL,
      ),
      what,
    );
    return requireTlv(
      decodeTlv(requireTlv(decodeTlv(data), PivTag.DYNAMIC_AUTH, what)),
      PivTag.RESPONSE,
      what,
    );
  }

  /**
   * A {@link Signer} over a slot's key (default 9A) for the PKI layer: hashes the message,
   * has the card sign (ECDSA: the digest; RSA: a PKCS#1 v1.5 padded DigestInfo) and returns
   * the X.509-form signature. When `pin` is given it is verified before each signature.
   *
   * @throws VALIDATION when the options are not a record with a public key (bytes), a
   * signer algorithm PIV keys have, and a PIV slot and a 6 to 8 digit PIN if given.
   * @example
   * ```ts
   * const signer = piv.signer({ publicKey: spki, algorithm: { kind: 'ecdsa', curve: 'P-256', hash: 'SHA-256' } });
   * ```
   */
  signer(options: {
    readonly publicKey: Uint8Array;
    readonly algorithm: SignerAlgorithm;
    readonly slot?: PivSlot;
    readonly pin?: string;
  }): Signer {
    checkSignerOptions(options);
    const slot = options.slot ?? PivKeyRef.AUTHENTICATION;
    const { algorithm, publicKey, pin } = options;
    if (algorithm.kind === 'rsa-pkcs1' && algorithm.modulusBits !== 2048) {
      throw new ValidationError('PIV signer', [
        { field: 'algorithm.modulusBits', message: 'PIV RSA keys are 2048 bits' },
      ]);
    }
    return {
      algorithm,
      publicKey,
      sign: async (data: Uint8Array): Promise<Uint8Array> => {
        checkBytes(data, 'PIV signer', 'data');
        if (pin !== undefined) await this.verifyPin(pin);
        const digest = hash(algorithm.hash, data);
        if (algorithm.kind === 'ecdsa') {
          // The card signs the leftmost field-size bytes, as ECDSA truncates (FIPS 186-4 §6.4).
          const size = CURVE_BYTES[algorithm.curve];
          const input = digest.length > size ? digest.subarray(0, size) : digest;
          return this.generalAuthenticate(slot, algorithm.curve, input);
        }
        return this.generalAuthenticate(
          slot,
          'RSA-2048',
          pkcs1Pad(encodeDigestInfo(algorithm.hash, digest), RSA_2048_BYTES),
        );
      },
    };
  }

  /**
   * SET MANAGEMENT KEY (Yubico PIV extension, INS FF): replaces the card management key
   * 9B. Needs the current management key. One APDU.
   *
   * @throws VALIDATION when the algorithm is not a management-key algorithm, the key not a
   * Uint8Array or its length does not fit the algorithm; CARD_SECURITY_STATUS without management-key authentication.
   * @example
   * ```ts
   * await piv.setManagementKey(newKey32, 'AES-256');
   * ```
   */
  async setManagementKey(key: Uint8Array, algorithm: ManagementKeyAlgorithm): Promise<void> {
    checkManagementKey(algorithm, key);
    const { id } = MANAGEMENT_ALGORITHM[algorithm];
    await this.#call(
      commandApdu(
        CLA_INTERINDUSTRY,
        VendorIns.SET_MANAGEMENT_KEY,
        SET_MANAGEMENT_KEY_P1,
        SET_MANAGEMENT_KEY_P2_NO_TOUCH,
        Uint8Array.from([id, PivKeyRef.MANAGEMENT, key.length, ...key]),
      ),
      'SET MANAGEMENT KEY',
    );
  }

  /**
   * GET CHALLENGE (ISO 7816-4 §11.6.3): `length` random bytes from the card, as relying
   * parties ask for before a challenge-response. One APDU.
   *
   * @throws VALIDATION when `length` is not 1 to 256; CARD_STATUS when the card refuses;
   * CARD_PROTOCOL when the answer has another length.
   * @example
   * ```ts
   * const nonce = await piv.challenge(8);
   * ```
   */
  async challenge(length: number): Promise<Uint8Array> {
    if (!Number.isInteger(length) || length < 1 || length > SHORT_MAX_NE) {
      throw new ValidationError('challenge', [
        { field: 'length', message: `must be a whole number from 1 to ${SHORT_MAX_NE}` },
      ]);
    }
    const data = await this.#call(
      commandApdu(CLA_INTERINDUSTRY, INS_GET_CHALLENGE, 0x00, 0x00, EMPTY, length),
      'GET CHALLENGE',
    );
    if (data.length !== length) {
      throw new CardProtocolError(`GET CHALLENGE answered ${data.length} bytes, not ${length}`);
    }
    return data;
  }

  /**
   * GET SERIAL (Yubico PIV extension, INS F8): the chip's serial number. One APDU.
   *
   * @throws CARD_UNSUPPORTED or CARD_STATUS when the card has no such command;
   * CARD_PROTOCOL when the answer is not four bytes.
   * @example
   * ```ts
   * const serial = await piv.serialNumber(); // 10000001
   * ```
   */
  async serialNumber(): Promise<number> {
    const data = await this.#call(
      commandApdu(CLA_INTERINDUSTRY, VendorIns.GET_SERIAL, 0x00, 0x00, EMPTY, SERIAL_BYTES),
      'GET SERIAL',
    );
    if (data.length !== SERIAL_BYTES) {
      throw new CardProtocolError(`GET SERIAL answered ${data.length} bytes, not ${SERIAL_BYTES}`);
    }
    return ((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0;
  }

  /**
   * Wipes the PIV application back to the factory state (CARD-09): blocks the PIN and the
   * PUK with values that cannot match (each try spends a counter), then RESET (Yubico PIV
   * extension, INS FB), which the card accepts only when both are blocked. Needs no
   * secret, so it also wipes a card whose management key is lost. Keys, certificates and
   * objects are gone; PIN, PUK and management key are the factory ones.
   *
   * @throws CARD_STATUS when the card refuses the reset; CARD_REMOVED, CARD_TRANSPORT.
   * @example
   * ```ts
   * await piv.factoryReset();
   * ```
   */
  async factoryReset(): Promise<void> {
    await this.blockPin();
    for (let i = 0; i < MAX_BLOCKING_TRIES; i++) {
      const { sw } = await this.transceiver.send(
        commandApdu(
          CLA_INTERINDUSTRY,
          PivIns.RESET_RETRY_COUNTER,
          REFERENCE_P1,
          PivKeyRef.PIN,
          new Uint8Array(2 * PIN_BLOCK_LENGTH).fill(NEVER_A_DIGIT),
        ),
      );
      if (sw === SW_AUTH_BLOCKED || triesLeftOf(sw) === 0) break;
    }
    await this.#call(commandApdu(CLA_INTERINDUSTRY, VendorIns.RESET, 0x00, 0x00), 'RESET');
    await this.select();
  }

  /**
   * Blocks the PIN by spending its tries with a value no passcode can be (CARD-10: a
   * replacement card is issued locked; the holder unlocks it in person with the RA).
   * At most as many APDUs as the PIN has tries.
   *
   * @throws CARD_REMOVED, CARD_TRANSPORT.
   * @example
   * ```ts
   * await piv.blockPin();
   * ```
   */
  async blockPin(): Promise<void> {
    for (let i = 0; i < MAX_BLOCKING_TRIES; i++) {
      const { sw } = await this.transceiver.send(
        commandApdu(
          CLA_INTERINDUSTRY,
          PivIns.VERIFY,
          REFERENCE_P1,
          PivKeyRef.PIN,
          new Uint8Array(PIN_BLOCK_LENGTH).fill(NEVER_A_DIGIT),
        ),
      );
      if (sw === SW_AUTH_BLOCKED || triesLeftOf(sw) === 0) return;
    }
  }

  /** Sends and checks 9000; the typed error otherwise. */
  async #call(command: CommandApdu, what: string): Promise<Uint8Array> {
    return expectSuccess(await this.transceiver.send(command), what);
  }
}

function hash(name: SignatureHash, data: Uint8Array): Uint8Array {
  return sha2(name, data);
}

/** EMSA-PKCS1-v1_5 encoding: 00 01 FF…FF 00 DigestInfo (RFC 8017 §9.2 step 5). */
function pkcs1Pad(digestInfo: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length).fill(PKCS1_PAD);
  out.set(PKCS1_BT1, 0);
  out[length - digestInfo.length - 1] = 0x00;
  out.set(digestInfo, length - digestInfo.length);
  return out;
}
