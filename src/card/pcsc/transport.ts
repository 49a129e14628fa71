import type { ResponseApdu } from '../apdu/response.js';
import { decodeResponseApdu } from '../apdu/response.js';
import type { CardConnection } from '../connection.js';
import { CardRemovedError, CardTransportError } from '../errors.js';
import { pcscCodeOf, pcscError } from './errors.js';

/**
 * The parts of the `pcsclite` package careid uses (its own types are loose).
 * @example
 * ```ts
 * const reader: PcscLiteReader = readerFromThePcscliteReaderEvent;
 * ```
 */
export interface PcscLiteReader {
  readonly name: string;
  readonly connected: boolean;
  readonly SCARD_SHARE_SHARED: number;
  readonly SCARD_PROTOCOL_T0: number;
  readonly SCARD_PROTOCOL_T1: number;
  readonly SCARD_STATE_PRESENT: number;
  readonly SCARD_LEAVE_CARD: number;
  /** Reader state changes (card present, ATR). */
  on(event: 'status', listener: (status: { state: number; atr?: Buffer }) => void): unknown;
  /** The reader went away. */
  on(event: 'end', listener: () => void): unknown;
  /** A reader-level error. */
  on(event: 'error', listener: (error: unknown) => void): unknown;
  /** SCardConnect. */
  connect(
    options: { share_mode: number; protocol: number },
    callback: (error: unknown, protocol: number) => void,
  ): void;
  /** SCardDisconnect with a disposition (careid leaves the card powered). */
  disconnect(disposition: number, callback: (error: unknown) => void): void;
  /** SCardTransmit. */
  transmit(
    data: Buffer,
    responseLength: number,
    protocol: number,
    callback: (error: unknown, response: Buffer) => void,
  ): void;
  /** Releases the reader. */
  close(): void;
}

/**
 * The `pcsclite` context object.
 * @example
 * ```ts
 * const pcsc = await PcscContext.open(() => fakePcscLite as PcscLite);
 * ```
 */
export interface PcscLite {
  /** A reader appeared. */
  on(event: 'reader', listener: (reader: PcscLiteReader) => void): unknown;
  /** A context-level error (pcscd gone). */
  on(event: 'error', listener: (error: unknown) => void): unknown;
  /** Releases the PC/SC context. */
  close(): void;
}

/**
 * A change seen on the PC/SC stack.
 * @example
 * ```ts
 * pcsc.onEvent((e: PcscEvent) => { if (e.type === 'card-removed') endSession(e.reader); });
 * ```
 */
export interface PcscEvent {
  /** What happened. */
  readonly type: 'reader-added' | 'reader-removed' | 'card-inserted' | 'card-removed';
  /** The reader's name, e.g. `Virtual PCD 00 00`. */
  readonly reader: string;
}

/**
 * Options of {@link PcscContext.connect}.
 * @example
 * ```ts
 * const options: PcscConnectOptions = { reader: /Virtual PCD/, timeoutMs: 2000 };
 * ```
 */
export interface PcscConnectOptions {
  /** A substring (case-insensitive) or pattern of the reader's name; default: any reader. */
  readonly reader?: string | RegExp;
  /** How long to wait for a matching reader with a card, default 5000 ms. */
  readonly timeoutMs?: number;
}

/** Largest response buffer: an extended Ne of 65536 plus SW1 SW2. */
const MAX_RESPONSE = 65_538;

interface ReaderState {
  readonly reader: PcscLiteReader;
  present: boolean;
  atr: Uint8Array;
}

function matches(name: string, pattern: string | RegExp | undefined): boolean {
  if (pattern === undefined) return true;
  return typeof pattern === 'string'
    ? name.toLowerCase().includes(pattern.toLowerCase())
    : pattern.test(name);
}

/**
 * The PC/SC stack through the optional `pcsclite` package (loaded on first use): reader
 * arrival and removal, card insertion and removal, and shared-mode connections that leave
 * the card powered when closed (SCARD_LEAVE_CARD).
 *
 * @example
 * ```ts
 * const pcsc = await PcscContext.open();
 * const connection = await pcsc.connect({ reader: 'Virtual' });
 * const piv = await PivSession.open(connection);
 * await connection.close();
 * pcsc.close();
 * ```
 */
export class PcscContext {
  readonly #lite: PcscLite;
  readonly #readers = new Map<string, ReaderState>();
  readonly #listeners = new Set<(event: PcscEvent) => void>();
  #error: unknown;
  #closed = false;

  private constructor(lite: PcscLite) {
    this.#lite = lite;
    lite.on('error', (error) => {
      this.#error = error;
    });
    lite.on('reader', (reader) => this.#add(reader));
  }

  /**
   * Loads `pcsclite` and establishes a PC/SC context. `factory` replaces the package (tests).
   *
   * @throws CARD_TRANSPORT when the package is not installed or pcscd cannot be reached.
   * @example
   * ```ts
   * const pcsc = await PcscContext.open();
   * ```
   */
  static async open(factory?: () => PcscLite): Promise<PcscContext> {
    let create = factory;
    if (create === undefined) {
      try {
        const mod = (await import('pcsclite')) as unknown as { default: () => PcscLite };
        create = mod.default;
      } catch (error) {
        throw new CardTransportError(
          'the optional peer dependency `pcsclite` is not installed (npm install pcsclite)',
          undefined,
          { cause: error },
        );
      }
    }
    try {
      return new PcscContext(create());
    } catch (error) {
      throw new CardTransportError(
        'cannot establish a PC/SC context (is pcscd running?)',
        pcscCodeOf(error),
        {
          cause: error,
        },
      );
    }
  }

  /** Names of the readers seen so far. */
  get readers(): readonly string[] {
    return [...this.#readers.keys()];
  }

  /**
   * Subscribes to reader and card events; returns the unsubscribe function.
   *
   * @example
   * ```ts
   * const stop = pcsc.onEvent((e) => console.log(e.type, e.reader));
   * ```
   */
  onEvent(listener: (event: PcscEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Whether a card is in the named reader, as far as the last status event says.
   *
   * @example
   * ```ts
   * if (pcsc.cardPresent('Virtual PCD 00 00')) await pcsc.connect();
   * ```
   */
  cardPresent(reader: string): boolean {
    return this.#readers.get(reader)?.present ?? false;
  }

  /**
   * Waits for a reader matching `options.reader` that holds a card and connects to it in
   * shared mode (T=0 or T=1).
   *
   * @throws CARD_TRANSPORT when no such reader and card appear in time or PC/SC fails;
   * CARD_REMOVED when the card leaves while connecting.
   * @example
   * ```ts
   * const connection = await pcsc.connect({ reader: 'Virtual PCD', timeoutMs: 2000 });
   * ```
   */
  async connect(options: PcscConnectOptions = {}): Promise<CardConnection> {
    const state = await this.#waitForCard(options.reader, options.timeoutMs ?? 5000);
    const { reader } = state;
    if (reader.connected) await disconnect(reader); // a stale handle from a removed card
    const protocol = await new Promise<number>((resolve, reject) => {
      reader.connect(
        {
          share_mode: reader.SCARD_SHARE_SHARED,
          protocol: reader.SCARD_PROTOCOL_T0 | reader.SCARD_PROTOCOL_T1,
        },
        (error, p) =>
          error ? reject(pcscError(error, 'SCardConnect', state.present)) : resolve(p),
      );
    });
    return this.#connection(state, protocol);
  }

  /**
   * Releases every reader and the context. Open connections stop working.
   *
   * @example
   * ```ts
   * pcsc.close();
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const { reader } of this.#readers.values()) reader.close();
    this.#readers.clear();
    this.#lite.close();
  }

  #emit(event: PcscEvent): void {
    for (const l of this.#listeners) l(event);
  }

  #add(reader: PcscLiteReader): void {
    const state: ReaderState = { reader, present: false, atr: new Uint8Array(0) };
    this.#readers.set(reader.name, state);
    reader.on('error', (error) => {
      this.#error = error;
    });
    reader.on('status', (status) => {
      const present = (status.state & reader.SCARD_STATE_PRESENT) !== 0;
      if (status.atr !== undefined && status.atr.length > 0) state.atr = new Uint8Array(status.atr);
      if (present !== state.present) {
        state.present = present;
        this.#emit({ type: present ? 'card-inserted' : 'card-removed', reader: reader.name });
      }
    });
    reader.on('end', () => {
      this.#readers.delete(reader.name);
      if (state.present) this.#emit({ type: 'card-removed', reader: reader.name });
      this.#emit({ type: 'reader-removed', reader: reader.name });
    });
    this.#emit({ type: 'reader-added', reader: reader.name });
  }

  async #waitForCard(
    pattern: string | RegExp | undefined,
    timeoutMs: number,
  ): Promise<ReaderState> {
    const find = () =>
      [...this.#readers.values()].find((s) => s.present && matches(s.reader.name, pattern));
    const found = find();
    if (found !== undefined) return found;
    return new Promise<ReaderState>((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        const seen =
          this.readers.length === 0 ? 'no readers' : `readers: ${this.readers.join(', ')}`;
        const cause = this.#error;
        reject(
          new CardTransportError(
            `no card in a reader matching ${String(pattern ?? 'any')} within ${timeoutMs} ms (${seen})`,
            pcscCodeOf(cause),
            { cause },
          ),
        );
      }, timeoutMs);
      const stop = this.onEvent(() => {
        const s = find();
        if (s === undefined) return;
        clearTimeout(timer);
        stop();
        resolve(s);
      });
    });
  }

  #connection(state: ReaderState, protocol: number): CardConnection {
    const { reader } = state;
    let dead: CardRemovedError | undefined;
    let closed = false;
    const stopWatching = this.onEvent((e) => {
      if (e.reader === reader.name && (e.type === 'card-removed' || e.type === 'reader-removed')) {
        dead = new CardRemovedError(`the card left ${reader.name}`);
      }
    });
    return {
      atr: state.atr,
      transmit: (apdu: Uint8Array) =>
        new Promise<ResponseApdu>((resolve, reject) => {
          if (closed) return reject(new CardTransportError('the connection is closed'));
          if (dead !== undefined) return reject(dead);
          reader.transmit(Buffer.from(apdu), MAX_RESPONSE, protocol, (error, response) => {
            if (error) {
              const typed = pcscError(error, 'SCardTransmit', state.present && dead === undefined);
              if (typed instanceof CardRemovedError) dead = typed;
              return reject(typed);
            }
            // No status word at all: the card (vpcd's link) went away mid-command.
            if (response.length < 2) {
              dead = new CardRemovedError(`the card in ${reader.name} stopped answering`);
              return reject(dead);
            }
            resolve(decodeResponseApdu(new Uint8Array(response)));
          });
        }),
      close: async () => {
        if (closed) return;
        closed = true;
        stopWatching();
        await disconnect(reader);
      },
    };
  }
}

/** SCardDisconnect leaving the card powered; errors (a card already gone) are ignored. */
function disconnect(reader: PcscLiteReader): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!reader.connected) return resolve();
    reader.disconnect(reader.SCARD_LEAVE_CARD, () => resolve());
  });
}
