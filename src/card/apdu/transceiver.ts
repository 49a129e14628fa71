import { CareIdError } from '../../errors/care-id-error.js';
import { checkRecord, invalidArgument } from '../../errors/guards.js';
import type { CardConnection } from '../connection.js';
import { CardProtocolError, CardTransportError } from '../errors.js';
import type { ApduLogger } from '../trace/log.js';
import { type ApduHeader, redactCommand, redactResponse } from '../trace/redact.js';
import { type CommandApdu, checkCommand, commandApdu, encodeCommandApdu } from './command.js';
import {
  CLA_CHAINING,
  EXTENDED_MAX_NE,
  INS_GET_RESPONSE,
  SHORT_MAX_NC,
  SHORT_MAX_NE,
  SW_SUCCESS,
  SW1_BYTES_AVAILABLE,
  SW1_WRONG_LE,
} from './iso7816.js';
import { MAX_SW, type ResponseApdu } from './response.js';

/**
 * Options of an {@link ApduTransceiver}.
 * @example
 * ```ts
 * const options: TransceiverOptions = { extendedLength: true, log: (e) => console.debug(e.command) };
 * ```
 */
export interface TransceiverOptions {
  /**
   * Send Nc > 255 / Ne > 256 as one extended-length APDU instead of command chaining and
   * GET RESPONSE. Off by default: SP 800-73-4 requires chaining; extended length is optional.
   */
  readonly extendedLength?: boolean;
  /** Called once per physical APDU, with secrets redacted (AUD-02). */
  readonly log?: ApduLogger;
}

/** A response longer than this is treated as a runaway card (guards against 61xx loops). */
const MAX_RESPONSE_BYTES = 1 << 20;
/** Nor may a card answer 61xx more often than this (a card sending 61xx with no data). */
const MAX_GET_RESPONSE_ROUNDS = 1024;

/**
 * Sends logical commands over a {@link CardConnection}: splits long data with command
 * chaining (CLA b5, ISO 7816-4 §5.4.1), follows 61xx with GET RESPONSE (§11.7.1), retries
 * once with the exact Le on 6Cxx (§5.6), and counts the physical APDUs.
 *
 * @example
 * ```ts
 * const t = new ApduTransceiver(connection);
 * const { data, sw } = await t.send(commandApdu(0x00, 0xcb, 0x3f, 0xff, tag, 256));
 * ```
 */
export class ApduTransceiver {
  /** The connection the APDUs go over. */
  readonly connection: CardConnection;
  readonly #extended: boolean;
  readonly #log: ApduLogger | undefined;
  #count = 0;

  /**
   * A transceiver over `connection`.
   *
   * @throws VALIDATION when `connection` has no `transmit` function, or `options` is not a
   * record with a boolean `extendedLength` and a function `log` (each optional).
   * @example
   * ```ts
   * const t = new ApduTransceiver(connection, { extendedLength: true });
   * ```
   */
  constructor(connection: CardConnection, options: TransceiverOptions = {}) {
    const what = 'card transceiver';
    checkRecord(connection, what, 'connection');
    if (typeof connection.transmit !== 'function') {
      throw invalidArgument(what, 'connection.transmit', 'a function', connection.transmit);
    }
    const given: unknown = options;
    checkRecord(given, what, 'options');
    const { extendedLength, log } = given;
    if (extendedLength !== undefined && typeof extendedLength !== 'boolean') {
      throw invalidArgument(what, 'options.extendedLength', 'a boolean', extendedLength);
    }
    if (log !== undefined && typeof log !== 'function') {
      throw invalidArgument(what, 'options.log', 'a function', log);
    }
    this.connection = connection;
    this.#extended = extendedLength ?? false;
    this.#log = log as ApduLogger | undefined;
  }

  /** Physical APDUs sent since construction. */
  get apduCount(): number {
    return this.#count;
  }

  /**
   * Sends one logical command and returns the complete response; the status word is not
   * checked here (see `expectSuccess`).
   *
   * @throws CARD_REMOVED or CARD_TRANSPORT from the connection; CARD_PROTOCOL when the
   * card's chaining answers make no sense or a field of `command` is out of range;
   * VALIDATION when `command` is not a record with bytes for `data`.
   */
  async send(command: CommandApdu): Promise<ResponseApdu> {
    checkCommand(command, 'send input');
    const logical: ApduHeader = { ins: command.ins, p2: command.p2 };
    let last = command;
    let response: ResponseApdu;
    if (!this.#extended && command.data.length > SHORT_MAX_NC) {
      // Command chaining: every piece but the last has CLA b5 set and no Le.
      const { data } = command;
      let at = 0;
      for (;;) {
        const end = Math.min(at + SHORT_MAX_NC, data.length);
        const isLast = end === data.length;
        last = commandApdu(
          isLast ? command.cla : command.cla | CLA_CHAINING,
          command.ins,
          command.p1,
          command.p2,
          data.subarray(at, end),
          isLast ? this.#fitNe(command.ne) : undefined,
        );
        response = await this.#exchange(last, logical);
        if (isLast) break;
        if (response.sw !== SW_SUCCESS) return response;
        at = end;
      }
    } else {
      last = { ...command, ne: this.#fitNe(command.ne) };
      response = await this.#exchange(last, logical);
    }
    if (response.sw >> 8 === SW1_WRONG_LE) {
      const exact = response.sw & 0xff;
      last = { ...last, ne: exact === 0 ? SHORT_MAX_NE : exact };
      response = await this.#exchange(last, logical);
    }
    if (response.sw >> 8 !== SW1_BYTES_AVAILABLE) return response;
    const parts: Uint8Array[] = [response.data];
    let total = response.data.length;
    let rounds = 0;
    while (response.sw >> 8 === SW1_BYTES_AVAILABLE) {
      const next = response.sw & 0xff;
      const getResponse = commandApdu(
        command.cla & ~CLA_CHAINING & 0xff,
        INS_GET_RESPONSE,
        0,
        0,
        undefined,
        next === 0 ? SHORT_MAX_NE : next,
      );
      response = await this.#exchange(getResponse, logical);
      total += response.data.length;
      rounds += 1;
      if (rounds > MAX_GET_RESPONSE_ROUNDS) {
        throw new CardProtocolError(
          `the card answered 61xx more than ${MAX_GET_RESPONSE_ROUNDS} times`,
        );
      }
      if (total > MAX_RESPONSE_BYTES) {
        throw new CardProtocolError(`response chaining exceeded ${MAX_RESPONSE_BYTES} bytes`);
      }
      parts.push(response.data);
    }
    const data = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      data.set(p, at);
      at += p.length;
    }
    return { data, sw: response.sw };
  }

  /** Short APDUs carry at most Ne 256; longer answers come back through 61xx. */
  #fitNe(ne: number | undefined): number | undefined {
    if (ne === undefined) return undefined;
    return this.#extended ? Math.min(ne, EXTENDED_MAX_NE) : Math.min(ne, SHORT_MAX_NE);
  }

  async #exchange(command: CommandApdu, logical: ApduHeader): Promise<ResponseApdu> {
    const bytes = encodeCommandApdu(command);
    this.#count += 1;
    const started = performance.now();
    try {
      const response = await this.connection.transmit(bytes);
      if (!isResponse(response)) {
        throw new CardProtocolError(
          'the card connection answered something other than response data and a status word',
        );
      }
      this.#log?.({
        command: redactCommand(bytes, logical),
        response: redactResponse(response.data, logical),
        sw: response.sw,
        error: undefined,
        ms: performance.now() - started,
      });
      return response;
    } catch (error) {
      const typed =
        error instanceof CareIdError
          ? error
          : new CardTransportError('the card connection failed', undefined, { cause: error });
      this.#log?.({
        command: redactCommand(bytes, logical),
        response: '',
        sw: undefined,
        error: typed.code,
        ms: performance.now() - started,
      });
      throw typed;
    }
  }
}

/** What a {@link CardConnection} (a port a host may implement) must answer. */
function isResponse(value: unknown): value is ResponseApdu {
  if (typeof value !== 'object' || value === null) return false;
  const { data, sw } = value as { data?: unknown; sw?: unknown };
  return (
    data instanceof Uint8Array &&
    typeof sw === 'number' &&
    Number.isInteger(sw) &&
    sw >= 0 &&
    sw <= MAX_SW
  );
}
