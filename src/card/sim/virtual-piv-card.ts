import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  privateDecrypt,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { checkRecord, checkWhole, invalidArgument } from '../../errors/guards.js';
import { type CommandApdu, decodeCommandApdu } from '../apdu/command.js';
import {
  CLA_CHAINING,
  CLA_INTERINDUSTRY,
  INS_GET_CHALLENGE,
  INS_GET_RESPONSE,
  SHORT_MAX_NE,
  SW_AUTH_BLOCKED,
  SW_CLA_NOT_SUPPORTED,
  SW_CONDITIONS_NOT_SATISFIED,
  SW_FUNCTION_NOT_SUPPORTED,
  SW_INS_NOT_SUPPORTED,
  SW_NOT_ENOUGH_MEMORY,
  SW_NOT_FOUND,
  SW_REFERENCE_NOT_FOUND,
  SW_SECURITY_STATUS,
  SW_SUCCESS,
  SW_UNKNOWN,
  SW_WRONG_DATA,
  SW_WRONG_LENGTH,
  SW_WRONG_P1P2,
  SW1_BYTES_AVAILABLE,
  SW1_WARNING_COUNTER,
  SW2_COUNTER,
} from '../apdu/iso7816.js';
import { encodeResponseApdu } from '../apdu/response.js';
import { decodeTlv, encodeTlv, findTlv } from '../apdu/tlv.js';
import {
  ALG_TDES_DEFAULT,
  DATA_P1,
  DATA_P2,
  GENERATE_P1,
  MANAGEMENT_ALGORITHM,
  type ManagementKeyAlgorithm,
  METADATA_ALGORITHM,
  METADATA_PUBLIC_KEY,
  METADATA_RETRIES,
  PIN_BLOCK_LENGTH,
  PIN_PAD,
  PIN_POLICY_PIV_ONLY,
  PIV_AID,
  PIV_SLOTS,
  PivAlg,
  PivIns,
  type PivKeyAlgorithm,
  PivKeyRef,
  PivObject,
  type PivSlot,
  PivTag,
  REFERENCE_P1,
  RSA_2048_BYTES,
  SELECT_P1_BY_AID,
  VERIFY_P1_RESET,
  VendorIns,
} from '../piv/constants.js';
import {
  checkManagementKey,
  DEFAULT_MANAGEMENT_KEY,
  managementCipher,
} from '../piv/management-key.js';
import { checkPin, checkPuk } from '../piv/pin.js';
import { signDigest } from './ecdsa.js';
import { publicKeyTemplate } from './public-key-template.js';

/**
 * Options of a {@link VirtualPivCard}; every field has the factory default.
 * @example
 * ```ts
 * const card = new VirtualPivCard({ pin: '246810', managementAlgorithm: 'AES-256', managementKey: key32 });
 * ```
 */
export interface VirtualPivCardOptions {
  /** Factory PIN, default `123456`. */
  readonly pin?: string;
  /** Factory PUK, default `12345678`. */
  readonly puk?: string;
  /** PIN tries before blocking, default 3 (CARD-02). */
  readonly pinTries?: number;
  /** PUK tries before blocking, default 3. */
  readonly pukTries?: number;
  /** Factory management key, default {@link DEFAULT_MANAGEMENT_KEY}. */
  readonly managementKey?: Uint8Array;
  /** Its algorithm, default 3DES. */
  readonly managementAlgorithm?: ManagementKeyAlgorithm;
  /** Serial number reported by GET SERIAL, default 10000001. */
  readonly serial?: number;
}

/** The factory state, recreated by {@link VirtualPivCard.factoryReset}. */
interface Persistent {
  pin: Uint8Array;
  puk: Uint8Array;
  pinTries: number;
  pukTries: number;
  managementKey: Uint8Array;
  managementAlgorithm: ManagementKeyAlgorithm;
  readonly keys: Map<
    PivSlot,
    { readonly algorithm: PivKeyAlgorithm; readonly key: KeyObject; readonly publicKey: KeyObject }
  >;
  readonly objects: Map<number, Uint8Array>;
}

/** Volatile state, cleared at every power-up or reset (SP 800-73-4 Part 2 §2.3). */
interface Volatile {
  pinVerified: boolean;
  managementAuthenticated: boolean;
  witness: Uint8Array | undefined;
  chain:
    | {
        readonly ins: number;
        readonly p1: number;
        readonly p2: number;
        readonly parts: Uint8Array[];
      }
    | undefined;
  pending: Uint8Array | undefined;
}

/** A default ATR: T=1 only, historical bytes say command chaining and extended length
 * are supported (ISO 7816-4 §12.1.1.9 card capabilities 73 C0 21 C0). */
const DEFAULT_ATR = withTck(Uint8Array.of(0x3b, 0x85, 0x01, 0x80, 0x73, 0xc0, 0x21, 0xc0));
/** Version reported by GET VERSION: below 5.3 so tools do not expect metadata for every call. */
const VERSION = Uint8Array.of(5, 2, 7);
/** Largest object the card stores (a YubiKey-sized buffer). */
const MAX_OBJECT = 3072;
/** Objects readable only after VERIFY PIN (SP 800-73-4 Part 1 Table 3 access rules). */
const PIN_PROTECTED = new Set<number>([
  PivObject.FINGERPRINTS,
  PivObject.FACIAL_IMAGE,
  PivObject.PRINTED_INFORMATION,
]);
/** Slots whose key needs the PIN (9E, card authentication, needs none: Part 1 Table 4b). */
const PIN_SLOTS = new Set<number>([0x9a, 0x9c, 0x9d]);
const ALGORITHM_OF_ID: ReadonlyMap<number, PivKeyAlgorithm> = new Map([
  [PivAlg.ECC_P256, 'P-256'],
  [PivAlg.ECC_P384, 'P-384'],
  [PivAlg.RSA_2048, 'RSA-2048'],
]);
const FIELD = { 'P-256': 32, 'P-384': 48 } as const;

function withTck(bytes: Uint8Array): Uint8Array {
  let tck = 0;
  for (const b of bytes.subarray(1)) tck ^= b;
  return Uint8Array.from([...bytes, tck]);
}

function pad(value: string): Uint8Array {
  const out = new Uint8Array(PIN_BLOCK_LENGTH).fill(PIN_PAD);
  out.set(Buffer.from(value, 'latin1').subarray(0, PIN_BLOCK_LENGTH));
  return out;
}

/** A PIN or PUK block is 6..8 bytes then FF padding (SP 800-73-4 Part 2 §2.4.3). */
function validBlock(block: Uint8Array): boolean {
  if (block.length !== PIN_BLOCK_LENGTH) return false;
  let length = block.indexOf(PIN_PAD);
  if (length === -1) length = PIN_BLOCK_LENGTH;
  if (length < 6) return false;
  return block.subarray(length).every((b) => b === PIN_PAD);
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function tagNumber(bytes: Uint8Array): number {
  let tag = 0;
  for (const b of bytes) tag = tag * 256 + b;
  return tag;
}

/** Retry counters are at most 15: the 63Cx status word holds four bits. */
const MAX_TRIES = 15;
/** GET SERIAL answers four bytes. */
const MAX_SERIAL = 0xffff_ffff;

/** The options a host gives: each field, when present, what {@link VirtualPivCardOptions} says. */
function checkOptions(options: unknown): asserts options is VirtualPivCardOptions {
  const what = 'virtual card options';
  checkRecord(options, what, 'options');
  const { pin, puk, pinTries, pukTries, managementKey, managementAlgorithm, serial } = options;
  if (pin !== undefined) checkPin(pin as string, 'virtual card PIN');
  if (puk !== undefined) checkPuk(puk as string, 'virtual card PUK');
  if (pinTries !== undefined) checkWhole(pinTries, 1, MAX_TRIES, what, 'pinTries');
  if (pukTries !== undefined) checkWhole(pukTries, 1, MAX_TRIES, what, 'pukTries');
  if (managementKey !== undefined || managementAlgorithm !== undefined) {
    checkManagementKey(
      (managementAlgorithm ?? '3DES') as ManagementKeyAlgorithm,
      (managementKey ?? DEFAULT_MANAGEMENT_KEY) as Uint8Array,
    );
  }
  if (serial !== undefined) checkWhole(serial, 0, MAX_SERIAL, what, 'serial');
}

/** Thrown inside a handler to answer a status word. */
class Answer {
  constructor(
    readonly sw: number,
    readonly data: Uint8Array = new Uint8Array(0),
  ) {}
}

/**
 * A simulated PIV card (SP 800-73-4) answering command APDUs as bytes: PIN and PUK with
 * retry counters and blocking (CARD-02), management key, on-card key generation and
 * signing with node:crypto, data objects, factory reset, and fault injection (pull the
 * card, or stop answering after N more APDUs). Use it in process with
 * {@link connectVirtualCard} or through PC/SC with {@link attachToVpcd}.
 *
 * @example
 * ```ts
 * const card = new VirtualPivCard();
 * const piv = await PivSession.open(connectVirtualCard(card));
 * ```
 */
export class VirtualPivCard {
  /** Answer To Reset. */
  readonly atr: Uint8Array = DEFAULT_ATR;
  readonly #options: VirtualPivCardOptions;
  #state: Persistent;
  #session: Volatile = VirtualPivCard.#freshSession();
  #present = true;
  #generation = 0;
  #answersBeforePull: number | undefined;
  #listeners = new Set<(present: boolean) => void>();

  /**
   * A card in its factory state, in the reader.
   *
   * @throws VALIDATION when an option is not what {@link VirtualPivCardOptions} says: a
   * PIN of 6 to 8 digits, a PUK of 6 to 8 printable characters, 1 to 15 tries, a
   * management key that fits its algorithm, a serial of at most four bytes.
   * @example
   * ```ts
   * const card = new VirtualPivCard({ pin: '246810', serial: 16_000_042 });
   * ```
   */
  constructor(options: VirtualPivCardOptions = {}) {
    checkOptions(options);
    this.#options = { ...options };
    this.#state = this.#factory();
  }

  /** Whether the card is in the reader. */
  get present(): boolean {
    return this.#present;
  }

  /** Counts insertions; a connection opened before the last one is stale. */
  get generation(): number {
    return this.#generation;
  }

  /** PIN tries left (for tests and the CLI). */
  get pinTriesLeft(): number {
    return this.#state.pinTries;
  }

  /** PUK tries left. */
  get pukTriesLeft(): number {
    return this.#state.pukTries;
  }

  /** Serial number. */
  get serial(): number {
    return this.#options.serial ?? 10_000_001;
  }

  /**
   * Calls `listener` with `true` on insertion and `false` on removal.
   *
   * @throws VALIDATION when `listener` is not a function.
   * @example
   * ```ts
   * const stop = card.onPresenceChange((present) => console.log(present));
   * ```
   */
  onPresenceChange(listener: (present: boolean) => void): () => void {
    if (typeof listener !== 'function') {
      throw invalidArgument('onPresenceChange input', 'listener', 'a function', listener);
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Takes the card out of the reader: it stops answering; session state is lost.
   *
   * @example
   * ```ts
   * card.pull();
   * ```
   */
  pull(): void {
    if (!this.#present) return;
    this.#present = false;
    this.#answersBeforePull = undefined;
    for (const l of this.#listeners) l(false);
  }

  /**
   * Puts the card back (a cold reset: volatile state cleared).
   *
   * @example
   * ```ts
   * card.insert();
   * ```
   */
  insert(): void {
    if (this.#present) return;
    this.#present = true;
    this.#generation += 1;
    this.reset();
    for (const l of this.#listeners) l(true);
  }

  /**
   * Fault injection: answer `count` more APDUs, then receive the next one without
   * answering and leave the reader (a card pulled mid-command).
   *
   * @throws VALIDATION when `count` is not a whole number from 0.
   * @example
   * ```ts
   * card.pullAfter(0); // the very next APDU never gets an answer
   * ```
   */
  pullAfter(count: number): void {
    checkWhole(count, 0, Number.MAX_SAFE_INTEGER, 'pullAfter input', 'count');
    this.#answersBeforePull = count;
  }

  /**
   * Warm reset: clears the security status, chaining and pending responses.
   *
   * @example
   * ```ts
   * card.reset();
   * ```
   */
  reset(): void {
    this.#session = VirtualPivCard.#freshSession();
  }

  /**
   * Back to the factory state: default PIN, PUK and management key, no keys, no objects
   * but the discovery object.
   *
   * @example
   * ```ts
   * card.factoryReset();
   * ```
   */
  factoryReset(): void {
    this.#state = this.#factory();
    this.reset();
  }

  /**
   * Processes one command APDU and returns the response bytes (data + SW), or
   * `undefined` when the card is not present or was pulled by {@link pullAfter}. Never
   * throws: malformed input gets a status word.
   *
   * @example
   * ```ts
   * card.transmit(Uint8Array.of(0x00, 0x20, 0x00, 0x80)); // 63 C3
   * ```
   */
  transmit(bytes: Uint8Array): Uint8Array | undefined {
    if (!this.#present) return undefined;
    if (this.#answersBeforePull !== undefined) {
      if (this.#answersBeforePull <= 0) {
        this.pull();
        return undefined;
      }
      this.#answersBeforePull -= 1;
    }
    let answer: Answer;
    try {
      answer = this.#process(bytes);
    } catch (error) {
      answer = error instanceof Answer ? error : new Answer(SW_UNKNOWN);
    }
    return encodeResponseApdu(answer.data, answer.sw);
  }

  static #freshSession(): Volatile {
    return {
      pinVerified: false,
      managementAuthenticated: false,
      witness: undefined,
      chain: undefined,
      pending: undefined,
    };
  }

  #factory(): Persistent {
    const o = this.#options;
    const objects = new Map<number, Uint8Array>();
    // Discovery object: the AID and a PIN usage policy "PIV PIN only" (SP 800-73-4 Part 1 §3.3.2).
    objects.set(
      PivObject.DISCOVERY,
      Uint8Array.from([
        ...encodeTlv(PivTag.AID, PIV_AID),
        ...encodeTlv(PivTag.PIN_USAGE_POLICY, PIN_POLICY_PIV_ONLY),
      ]),
    );
    return {
      pin: pad(o.pin ?? '123456'),
      puk: pad(o.puk ?? '12345678'),
      pinTries: o.pinTries ?? 3,
      pukTries: o.pukTries ?? 3,
      managementKey: Uint8Array.from(o.managementKey ?? DEFAULT_MANAGEMENT_KEY),
      managementAlgorithm: o.managementAlgorithm ?? '3DES',
      keys: new Map(),
      objects,
    };
  }

  #process(bytes: Uint8Array): Answer {
    let command: CommandApdu;
    try {
      command = decodeCommandApdu(bytes);
    } catch {
      return new Answer(SW_WRONG_LENGTH);
    }
    if ((command.cla & ~CLA_CHAINING) !== CLA_INTERINDUSTRY)
      return new Answer(SW_CLA_NOT_SUPPORTED);
    const s = this.#session;
    if (command.ins === INS_GET_RESPONSE) return this.#getResponse(command.ne ?? SHORT_MAX_NE);
    s.pending = undefined;
    // Command chaining (ISO 7816-4 §5.4.1): collect, answer 9000, run at the last piece.
    const chain = s.chain;
    if (
      chain !== undefined &&
      (chain.ins !== command.ins || chain.p1 !== command.p1 || chain.p2 !== command.p2)
    ) {
      s.chain = undefined;
    }
    if ((command.cla & CLA_CHAINING) !== 0) {
      if (s.chain === undefined)
        s.chain = { ins: command.ins, p1: command.p1, p2: command.p2, parts: [] };
      s.chain.parts.push(command.data);
      if (s.chain.parts.reduce((n, p) => n + p.length, 0) > 2 * MAX_OBJECT) {
        s.chain = undefined;
        return new Answer(SW_WRONG_LENGTH);
      }
      return new Answer(SW_SUCCESS);
    }
    if (s.chain !== undefined) {
      const data = Uint8Array.from([...s.chain.parts.flatMap((p) => [...p]), ...command.data]);
      s.chain = undefined;
      command = { ...command, data };
    }
    const answer = this.#dispatch(command);
    return this.#fit(answer, command.ne);
  }

  /** Answers longer than Ne go out in pieces with 61xx (ISO 7816-4 §5.3.4). */
  #fit(answer: Answer, ne: number | undefined): Answer {
    const limit = ne ?? SHORT_MAX_NE;
    if (answer.sw !== SW_SUCCESS || answer.data.length <= limit) return answer;
    this.#session.pending = answer.data.slice(limit);
    return new Answer(this.#moreSw(), answer.data.slice(0, limit));
  }

  #moreSw(): number {
    const left = this.#session.pending?.length ?? 0;
    return (SW1_BYTES_AVAILABLE << 8) | (left >= SHORT_MAX_NE ? 0 : left);
  }

  #getResponse(ne: number): Answer {
    const pending = this.#session.pending;
    if (pending === undefined) return new Answer(SW_CONDITIONS_NOT_SATISFIED);
    const part = pending.slice(0, ne);
    this.#session.pending = pending.length > ne ? pending.slice(ne) : undefined;
    return new Answer(this.#session.pending === undefined ? SW_SUCCESS : this.#moreSw(), part);
  }

  #dispatch(c: CommandApdu): Answer {
    switch (c.ins) {
      case PivIns.SELECT:
        return this.#select(c);
      case PivIns.GET_DATA:
        return this.#getData(c);
      case PivIns.PUT_DATA:
        return this.#putData(c);
      case PivIns.VERIFY:
        return this.#verify(c);
      case PivIns.CHANGE_REFERENCE_DATA:
        return this.#changeReference(c);
      case PivIns.RESET_RETRY_COUNTER:
        return this.#resetRetryCounter(c);
      case PivIns.GENERAL_AUTHENTICATE:
        return c.p2 === PivKeyRef.MANAGEMENT
          ? this.#managementAuth(c)
          : this.#privateKeyOperation(c);
      case PivIns.GENERATE_ASYMMETRIC_KEY_PAIR:
        return this.#generate(c);
      case INS_GET_CHALLENGE:
        return this.#getChallenge(c);
      case VendorIns.GET_VERSION:
        return new Answer(SW_SUCCESS, VERSION);
      case VendorIns.GET_SERIAL:
        return new Answer(
          SW_SUCCESS,
          Uint8Array.of(
            (this.serial >>> 24) & 0xff,
            (this.serial >>> 16) & 0xff,
            (this.serial >>> 8) & 0xff,
            this.serial & 0xff,
          ),
        );
      case VendorIns.GET_METADATA:
        return this.#metadata(c);
      case VendorIns.SET_MANAGEMENT_KEY:
        return this.#setManagementKey(c);
      case VendorIns.RESET:
        if (this.#state.pinTries > 0 || this.#state.pukTries > 0)
          return new Answer(SW_CONDITIONS_NOT_SATISFIED);
        this.factoryReset();
        return new Answer(SW_SUCCESS);
      default:
        return new Answer(SW_INS_NOT_SUPPORTED);
    }
  }

  /** ISO 7816-4 §11.6.3: Ne fresh random bytes; no data field, P1-P2 = 0000. */
  #getChallenge(c: CommandApdu): Answer {
    if (c.p1 !== 0x00 || c.p2 !== 0x00) return new Answer(SW_WRONG_P1P2);
    if (c.data.length !== 0 || c.ne === undefined) return new Answer(SW_WRONG_LENGTH);
    return new Answer(SW_SUCCESS, new Uint8Array(randomBytes(Math.min(c.ne, SHORT_MAX_NE))));
  }

  #select(c: CommandApdu): Answer {
    if (c.p1 !== SELECT_P1_BY_AID) return new Answer(SW_WRONG_P1P2);
    // A right-truncated AID selects too (ISO 7816-4 §12.2.2; SP 800-73-4 Part 2 §3.1.1).
    if (
      c.data.length < 5 ||
      c.data.length > PIV_AID.length ||
      !c.data.every((b, i) => b === PIV_AID[i])
    ) {
      return new Answer(SW_NOT_FOUND);
    }
    const apt = encodeTlv(
      PivTag.APT,
      encodeTlv(PivTag.AID, PIV_AID.subarray(5)),
      encodeTlv(PivTag.AUTHORITY, encodeTlv(PivTag.AID, PIV_AID.subarray(0, 5))),
      encodeTlv(PivTag.LABEL, Buffer.from('careid virtual PIV', 'latin1')),
    );
    return new Answer(SW_SUCCESS, apt);
  }

  #objectTag(data: Uint8Array): number {
    const items = decodeTlv(data);
    const list = findTlv(items, PivTag.TAG_LIST);
    if (list === undefined || list.length < 1 || list.length > 3) throw new Answer(SW_WRONG_DATA);
    // A tag is written in as few bytes as it needs: 00 7F 61 names no object, as on a card.
    if (list.length > 1 && list[0] === 0) throw new Answer(SW_WRONG_DATA);
    return tagNumber(list);
  }

  #getData(c: CommandApdu): Answer {
    if (c.p1 !== DATA_P1 || c.p2 !== DATA_P2) return new Answer(SW_WRONG_P1P2);
    let tag: number;
    try {
      tag = this.#objectTag(c.data);
    } catch (error) {
      if (error instanceof Answer) return error;
      return new Answer(SW_WRONG_DATA);
    }
    const content = this.#state.objects.get(tag);
    if (content === undefined) return new Answer(SW_NOT_FOUND);
    if (PIN_PROTECTED.has(tag) && !this.#session.pinVerified) return new Answer(SW_SECURITY_STATUS);
    return new Answer(
      SW_SUCCESS,
      encodeTlv(tag === PivObject.DISCOVERY ? PivObject.DISCOVERY : PivTag.DATA, content),
    );
  }

  #putData(c: CommandApdu): Answer {
    if (c.p1 !== DATA_P1 || c.p2 !== DATA_P2) return new Answer(SW_WRONG_P1P2);
    if (!this.#session.managementAuthenticated) return new Answer(SW_SECURITY_STATUS);
    let tag: number;
    let content: Uint8Array | undefined;
    try {
      const items = decodeTlv(c.data);
      const discovery = findTlv(items, PivObject.DISCOVERY);
      if (discovery !== undefined) {
        tag = PivObject.DISCOVERY;
        content = discovery;
      } else {
        tag = this.#objectTag(c.data);
        content = findTlv(items, PivTag.DATA);
      }
    } catch (error) {
      if (error instanceof Answer) return error;
      return new Answer(SW_WRONG_DATA);
    }
    if (content === undefined) return new Answer(SW_WRONG_DATA);
    if (content.length > MAX_OBJECT) return new Answer(SW_NOT_ENOUGH_MEMORY);
    if (content.length === 0) this.#state.objects.delete(tag);
    else this.#state.objects.set(tag, content);
    return new Answer(SW_SUCCESS);
  }

  #pinTriesSw(tries: number): number {
    return (SW1_WARNING_COUNTER << 8) | SW2_COUNTER | tries;
  }

  #verify(c: CommandApdu): Answer {
    if (c.p2 !== PivKeyRef.PIN) return new Answer(SW_REFERENCE_NOT_FOUND);
    const s = this.#session;
    const st = this.#state;
    // P1 FF resets the PIN's security status (SP 800-73-4 Part 2 §3.2.1).
    if (c.p1 === VERIFY_P1_RESET) {
      if (c.data.length > 0) return new Answer(SW_WRONG_DATA);
      s.pinVerified = false;
      return new Answer(SW_SUCCESS);
    }
    if (c.p1 !== REFERENCE_P1) return new Answer(SW_WRONG_P1P2);
    if (c.data.length === 0) {
      if (s.pinVerified) return new Answer(SW_SUCCESS);
      return new Answer(st.pinTries === 0 ? SW_AUTH_BLOCKED : this.#pinTriesSw(st.pinTries));
    }
    if (c.data.length !== PIN_BLOCK_LENGTH) return new Answer(SW_WRONG_DATA);
    if (st.pinTries === 0) return new Answer(SW_AUTH_BLOCKED);
    if (!same(c.data, st.pin)) {
      st.pinTries -= 1;
      s.pinVerified = false;
      return new Answer(this.#pinTriesSw(st.pinTries));
    }
    st.pinTries = this.#options.pinTries ?? 3;
    s.pinVerified = true;
    return new Answer(SW_SUCCESS);
  }

  #changeReference(c: CommandApdu): Answer {
    if (c.p1 !== REFERENCE_P1) return new Answer(SW_WRONG_P1P2);
    if (c.p2 !== PivKeyRef.PIN && c.p2 !== PivKeyRef.PUK) return new Answer(SW_REFERENCE_NOT_FOUND);
    if (c.data.length !== 2 * PIN_BLOCK_LENGTH) return new Answer(SW_WRONG_DATA);
    const st = this.#state;
    const isPin = c.p2 === PivKeyRef.PIN;
    const tries = isPin ? st.pinTries : st.pukTries;
    if (tries === 0) return new Answer(SW_AUTH_BLOCKED);
    const old = c.data.subarray(0, PIN_BLOCK_LENGTH);
    const next = c.data.slice(PIN_BLOCK_LENGTH);
    if (!same(old, isPin ? st.pin : st.puk)) {
      if (isPin) {
        st.pinTries -= 1;
        this.#session.pinVerified = false;
      } else st.pukTries -= 1;
      return new Answer(this.#pinTriesSw(tries - 1));
    }
    if (!validBlock(next)) return new Answer(SW_WRONG_DATA);
    if (isPin) {
      st.pin = next;
      st.pinTries = this.#options.pinTries ?? 3;
      this.#session.pinVerified = true;
    } else {
      st.puk = next;
      st.pukTries = this.#options.pukTries ?? 3;
    }
    return new Answer(SW_SUCCESS);
  }

  #resetRetryCounter(c: CommandApdu): Answer {
    if (c.p1 !== REFERENCE_P1) return new Answer(SW_WRONG_P1P2);
    if (c.p2 !== PivKeyRef.PIN) return new Answer(SW_REFERENCE_NOT_FOUND);
    if (c.data.length !== 2 * PIN_BLOCK_LENGTH) return new Answer(SW_WRONG_DATA);
    const st = this.#state;
    if (st.pukTries === 0) return new Answer(SW_AUTH_BLOCKED);
    if (!same(c.data.subarray(0, PIN_BLOCK_LENGTH), st.puk)) {
      st.pukTries -= 1;
      return new Answer(this.#pinTriesSw(st.pukTries));
    }
    const pin = c.data.slice(PIN_BLOCK_LENGTH);
    if (!validBlock(pin)) return new Answer(SW_WRONG_DATA);
    st.pin = pin;
    st.pinTries = this.#options.pinTries ?? 3;
    st.pukTries = this.#options.pukTries ?? 3;
    return new Answer(SW_SUCCESS);
  }

  #template(data: Uint8Array): ReturnType<typeof decodeTlv> {
    const outer = decodeTlv(data);
    const inner = findTlv(outer, PivTag.DYNAMIC_AUTH);
    if (inner === undefined) throw new Answer(SW_WRONG_DATA);
    return decodeTlv(inner);
  }

  #managementAuth(c: CommandApdu): Answer {
    const st = this.#state;
    const s = this.#session;
    const { id, block } = MANAGEMENT_ALGORITHM[st.managementAlgorithm];
    const alg = c.p1 === ALG_TDES_DEFAULT ? PivAlg.TDES : c.p1;
    if (alg !== id) return new Answer(SW_WRONG_P1P2);
    let items: ReturnType<typeof decodeTlv>;
    try {
      items = this.#template(c.data);
    } catch (error) {
      return error instanceof Answer ? error : new Answer(SW_WRONG_DATA);
    }
    const witness = findTlv(items, PivTag.WITNESS);
    const challenge = findTlv(items, PivTag.CHALLENGE);
    s.managementAuthenticated = false;
    if (witness !== undefined && witness.length === 0 && challenge === undefined) {
      // Step 1: hand out an encrypted witness.
      const plain = new Uint8Array(randomBytes(block));
      s.witness = plain;
      const encrypted = managementCipher(
        st.managementAlgorithm,
        st.managementKey,
        plain,
        'encrypt',
      );
      return new Answer(
        SW_SUCCESS,
        encodeTlv(PivTag.DYNAMIC_AUTH, encodeTlv(PivTag.WITNESS, encrypted)),
      );
    }
    if (witness !== undefined && challenge !== undefined) {
      // Step 2: the host decrypted the witness; prove our key on its challenge.
      const expected = s.witness;
      s.witness = undefined;
      if (expected === undefined) return new Answer(SW_CONDITIONS_NOT_SATISFIED);
      if (!same(witness, expected)) return new Answer(SW_SECURITY_STATUS);
      if (challenge.length !== block) return new Answer(SW_WRONG_DATA);
      s.managementAuthenticated = true;
      const answer = managementCipher(
        st.managementAlgorithm,
        st.managementKey,
        challenge,
        'encrypt',
      );
      return new Answer(
        SW_SUCCESS,
        encodeTlv(PivTag.DYNAMIC_AUTH, encodeTlv(PivTag.RESPONSE, answer)),
      );
    }
    return new Answer(SW_WRONG_DATA);
  }

  #privateKeyOperation(c: CommandApdu): Answer {
    if (!PIV_SLOTS.includes(c.p2 as PivSlot)) return new Answer(SW_REFERENCE_NOT_FOUND);
    const slot = c.p2 as PivSlot;
    const entry = this.#state.keys.get(slot);
    if (entry === undefined) return new Answer(SW_NOT_FOUND);
    if (ALGORITHM_OF_ID.get(c.p1) !== entry.algorithm) return new Answer(SW_WRONG_P1P2);
    if (PIN_SLOTS.has(slot) && !this.#session.pinVerified) return new Answer(SW_SECURITY_STATUS);
    let items: ReturnType<typeof decodeTlv>;
    try {
      items = this.#template(c.data);
    } catch (error) {
      return error instanceof Answer ? error : new Answer(SW_WRONG_DATA);
    }
    const response = findTlv(items, PivTag.RESPONSE);
    const challenge = findTlv(items, PivTag.CHALLENGE);
    if (response === undefined || response.length !== 0 || challenge === undefined)
      return new Answer(SW_WRONG_DATA);
    // The signature key 9C is "PIN always": one operation per VERIFY (SP 800-73-4 Part 1 Table 4b).
    if (slot === PivKeyRef.SIGNATURE) this.#session.pinVerified = false;
    let result: Uint8Array;
    if (entry.algorithm === 'RSA-2048') {
      if (challenge.length !== RSA_2048_BYTES) return new Answer(SW_WRONG_DATA);
      try {
        result = new Uint8Array(
          privateDecrypt({ key: entry.key, padding: constants.RSA_NO_PADDING }, challenge),
        );
      } catch {
        return new Answer(SW_WRONG_DATA);
      }
    } else {
      const size = FIELD[entry.algorithm];
      if (challenge.length === 0 || challenge.length > size) return new Answer(SW_WRONG_DATA);
      const digest = new Uint8Array(size);
      digest.set(challenge, size - challenge.length);
      const d = entry.key.export({ format: 'jwk' }).d;
      if (d === undefined) return new Answer(SW_UNKNOWN);
      result = signDigest(entry.algorithm, Buffer.from(d, 'base64url'), digest);
    }
    return new Answer(
      SW_SUCCESS,
      encodeTlv(PivTag.DYNAMIC_AUTH, encodeTlv(PivTag.RESPONSE, result)),
    );
  }

  #generate(c: CommandApdu): Answer {
    if (c.p1 !== GENERATE_P1) return new Answer(SW_WRONG_P1P2);
    if (!PIV_SLOTS.includes(c.p2 as PivSlot)) return new Answer(SW_REFERENCE_NOT_FOUND);
    if (!this.#session.managementAuthenticated) return new Answer(SW_SECURITY_STATUS);
    let algorithm: PivKeyAlgorithm | undefined;
    try {
      const crt = findTlv(decodeTlv(c.data), PivTag.CRT);
      const id = crt === undefined ? undefined : findTlv(decodeTlv(crt), PivTag.ALGORITHM);
      algorithm = id?.length === 1 ? ALGORITHM_OF_ID.get(id[0]!) : undefined;
    } catch {
      return new Answer(SW_WRONG_DATA);
    }
    if (algorithm === undefined) return new Answer(SW_FUNCTION_NOT_SUPPORTED);
    // The pair comes back DER-encoded and is made into key objects anew. A KeyObject that
    // generateKeyPairSync returns shares its lock with the key-generation job, and Node 20
    // can deadlock when the garbage collector destroys that job while the same key is being
    // exported (a test process hung in KeyGenJob's destructor under ExportJWK).
    const publicKeyEncoding = { type: 'spki', format: 'der' } as const;
    const privateKeyEncoding = { type: 'pkcs8', format: 'der' } as const;
    const der =
      algorithm === 'RSA-2048'
        ? generateKeyPairSync('rsa', {
            modulusLength: 2048,
            publicExponent: 0x10001,
            publicKeyEncoding,
            privateKeyEncoding,
          })
        : generateKeyPairSync('ec', {
            namedCurve: algorithm === 'P-256' ? 'prime256v1' : 'secp384r1',
            publicKeyEncoding,
            privateKeyEncoding,
          });
    const key = createPrivateKey({ key: der.privateKey, format: 'der', type: 'pkcs8' });
    const publicKey = createPublicKey({ key: der.publicKey, format: 'der', type: 'spki' });
    this.#state.keys.set(c.p2 as PivSlot, { algorithm, key, publicKey });
    return new Answer(SW_SUCCESS, publicKeyTemplate(publicKey));
  }

  #metadata(c: CommandApdu): Answer {
    const st = this.#state;
    const retries = (tries: number, total: number) =>
      encodeTlv(METADATA_RETRIES, Uint8Array.of(total, tries));
    if (c.p2 === PivKeyRef.PIN)
      return new Answer(SW_SUCCESS, retries(st.pinTries, this.#options.pinTries ?? 3));
    if (c.p2 === PivKeyRef.PUK)
      return new Answer(SW_SUCCESS, retries(st.pukTries, this.#options.pukTries ?? 3));
    if (c.p2 === PivKeyRef.MANAGEMENT) {
      return new Answer(
        SW_SUCCESS,
        encodeTlv(
          METADATA_ALGORITHM,
          Uint8Array.of(MANAGEMENT_ALGORITHM[st.managementAlgorithm].id),
        ),
      );
    }
    const entry = this.#state.keys.get(c.p2 as PivSlot);
    if (entry === undefined) return new Answer(SW_NOT_FOUND);
    const alg = [...ALGORITHM_OF_ID].find(([, a]) => a === entry.algorithm)?.[0] ?? 0;
    return new Answer(
      SW_SUCCESS,
      Uint8Array.from([
        ...encodeTlv(METADATA_ALGORITHM, Uint8Array.of(alg)),
        ...encodeTlv(METADATA_PUBLIC_KEY, publicKeyTemplate(entry.publicKey).subarray(3)),
      ]),
    );
  }

  #setManagementKey(c: CommandApdu): Answer {
    if (!this.#session.managementAuthenticated) return new Answer(SW_SECURITY_STATUS);
    // Data: algorithm, key reference 9B, length, key (Yubico PIV docs, SET MANAGEMENT KEY).
    const [alg, ref, length] = [c.data[0], c.data[1], c.data[2]];
    const entry = Object.entries(MANAGEMENT_ALGORITHM).find(([, v]) => v.id === alg);
    if (entry === undefined || ref !== PivKeyRef.MANAGEMENT || length !== c.data.length - 3) {
      return new Answer(SW_WRONG_DATA);
    }
    const [name, spec] = entry as [ManagementKeyAlgorithm, { keyLength: number }];
    if (length !== spec.keyLength) return new Answer(SW_WRONG_DATA);
    this.#state.managementKey = c.data.slice(3);
    this.#state.managementAlgorithm = name;
    return new Answer(SW_SUCCESS);
  }
}
