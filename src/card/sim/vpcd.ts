import { connect, type Socket } from 'node:net';
import { checkString } from '../../errors/guards.js';
import { CardTransportError } from '../errors.js';
import type { VirtualPivCard } from './virtual-piv-card.js';

/** vpcd control messages: one byte (vsmartcard vpcd protocol, `vpcd.h`). */
const VPCD_POWER_OFF = 0x00;
const VPCD_POWER_ON = 0x01;
const VPCD_RESET = 0x02;
const VPCD_GET_ATR = 0x04;
/** How much of a bad address an error quotes. */
const MAX_SHOWN = 100;
/** Every vpcd message is prefixed by its length, two bytes big-endian. */
const LENGTH_BYTES = 2;

/**
 * Where vpcd listens: TCP (default 127.0.0.1:35963) or a Unix socket relayed to it.
 * @example
 * ```ts
 * const address: VpcdAddress = { path: '/run/careid-pcsc/vpcd.sock' };
 * ```
 */
export type VpcdAddress =
  | { readonly host: string; readonly port: number }
  | { readonly path: string };

/**
 * A running link between a virtual card and vpcd.
 * @example
 * ```ts
 * const link = attachToVpcd(card, { host: '127.0.0.1', port: 35963 });
 * await link.connected;
 * await link.close();
 * ```
 */
export interface VpcdLink {
  /** Resolves once connected (the card is then "inserted" in vpcd's reader). */
  readonly connected: Promise<void>;
  /** Disconnects for good. */
  close(): Promise<void>;
}

/**
 * Parses `host:port`, `:port`, or a filesystem path (a Unix socket) into a
 * {@link VpcdAddress}.
 *
 * @throws VALIDATION when `text` is not a string; CARD_TRANSPORT when the port is not a number.
 * @example
 * ```ts
 * parseVpcdAddress('127.0.0.1:35963'); // { host: '127.0.0.1', port: 35963 }
 * ```
 */
export function parseVpcdAddress(text: string): VpcdAddress {
  checkString(text, 'parseVpcdAddress input', 'text');
  if (text.startsWith('/') || text.startsWith('.')) return { path: text };
  const at = text.lastIndexOf(':');
  const host = at <= 0 ? '127.0.0.1' : text.slice(0, at);
  const port = Number(at === -1 ? text : text.slice(at + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    const shown = text.length <= MAX_SHOWN ? text : `${text.slice(0, MAX_SHOWN)}…`;
    throw new CardTransportError(`not a vpcd address: ${shown}`);
  }
  return { host, port };
}

/**
 * Attaches a {@link VirtualPivCard} to vsmartcard's vpcd so the real PC/SC stack sees it
 * in vpcd's reader. The card being present means connected: pulling the card closes the
 * socket (vpcd reports it removed), inserting it connects again. A card pulled by
 * `pullAfter` mid-command closes the socket without answering.
 *
 * @throws CARD_TRANSPORT (through `connected`) when vpcd cannot be reached.
 * @example
 * ```ts
 * const link = attachToVpcd(card, { host: '127.0.0.1', port: 35963 });
 * await link.connected;
 * ```
 */
export function attachToVpcd(card: VirtualPivCard, address: VpcdAddress): VpcdLink {
  let socket: Socket | undefined;
  let closed = false;
  let first = true;
  let resolveConnected: () => void = () => {};
  let rejectConnected: (error: unknown) => void = () => {};
  const connected = new Promise<void>((resolve, reject) => {
    resolveConnected = resolve;
    rejectConnected = reject;
  });
  // Callers that never await `connected` must not see an unhandled rejection.
  connected.catch(() => {});

  const open = (): void => {
    if (closed || socket !== undefined || !card.present) return;
    const s = 'path' in address ? connect(address.path) : connect(address.port, address.host);
    socket = s;
    s.setNoDelay(true);
    let buffer: Buffer = Buffer.alloc(0);
    s.on('connect', () => {
      if (first) {
        first = false;
        resolveConnected();
      }
    });
    s.on('data', (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      while (buffer.length >= LENGTH_BYTES) {
        const length = buffer.readUInt16BE(0);
        if (buffer.length < LENGTH_BYTES + length) break;
        const message = new Uint8Array(buffer.subarray(LENGTH_BYTES, LENGTH_BYTES + length));
        buffer = buffer.subarray(LENGTH_BYTES + length);
        const reply = answer(message);
        if (reply === undefined) {
          if (!card.present) {
            s.destroy();
            return;
          }
          continue;
        }
        const frame = Buffer.alloc(LENGTH_BYTES + reply.length);
        frame.writeUInt16BE(reply.length, 0);
        frame.set(reply, LENGTH_BYTES);
        s.write(frame);
      }
    });
    s.on('error', (error) => {
      if (first) {
        first = false;
        rejectConnected(
          new CardTransportError(`cannot reach vpcd: ${error.message}`, undefined, {
            cause: error,
          }),
        );
      }
    });
    s.on('close', () => {
      if (socket === s) socket = undefined;
    });
  };

  const answer = (message: Uint8Array): Uint8Array | undefined => {
    if (message.length === 1) {
      switch (message[0]) {
        case VPCD_POWER_OFF:
        case VPCD_POWER_ON:
        case VPCD_RESET:
          card.reset();
          return undefined;
        case VPCD_GET_ATR:
          return card.atr;
        default:
          return undefined;
      }
    }
    return card.transmit(message);
  };

  const stop = card.onPresenceChange((present) => {
    if (present) open();
    else socket?.destroy();
  });
  open();

  return {
    connected,
    close: async () => {
      closed = true;
      stop();
      const s = socket;
      socket = undefined;
      if (s !== undefined && !s.destroyed) {
        await new Promise<void>((resolve) => {
          s.once('close', () => resolve());
          s.destroy();
        });
      }
    },
  };
}
