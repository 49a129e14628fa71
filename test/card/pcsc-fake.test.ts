import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CardRemovedError, CardTransportError, PivSession } from '../../src/card/index.js';
import {
  PcscCode,
  PcscContext,
  type PcscEvent,
  type PcscLite,
  type PcscLiteReader,
  pcscCodeOf,
  pcscError,
} from '../../src/card/pcsc/index.js';

const PRESENT = 0x20;

/** A reader double following the `pcsclite` package's behaviour. */
class FakeReader extends EventEmitter {
  readonly SCARD_SHARE_SHARED = 2;
  readonly SCARD_PROTOCOL_T0 = 1;
  readonly SCARD_PROTOCOL_T1 = 2;
  readonly SCARD_STATE_PRESENT = PRESENT;
  readonly SCARD_LEAVE_CARD = 0;
  connected = false;
  disposition: number | undefined;
  shareMode: number | undefined;
  answer: (apdu: Buffer) => Buffer | Error = () => Buffer.from([0x90, 0x00]);
  closed = false;
  constructor(readonly name: string) {
    super();
  }
  connect(options: { share_mode: number; protocol: number }, cb: (e: unknown, p: number) => void) {
    this.shareMode = options.share_mode;
    this.connected = true;
    setImmediate(() => cb(undefined, 2));
  }
  disconnect(disposition: number, cb: (e: unknown) => void) {
    this.disposition = disposition;
    this.connected = false;
    setImmediate(() => cb(undefined));
  }
  transmit(data: Buffer, _len: number, _p: number, cb: (e: unknown, r: Buffer) => void) {
    const a = this.answer(data);
    setImmediate(() => (a instanceof Error ? cb(a, Buffer.alloc(0)) : cb(undefined, a)));
  }
  close() {
    this.closed = true;
  }
}

class FakeLite extends EventEmitter {
  closed = false;
  close() {
    this.closed = true;
  }
}

function setup() {
  const lite = new FakeLite();
  return { lite, open: () => PcscContext.open(() => lite as unknown as PcscLite) };
}

describe('PC/SC transport over a pcsclite double', () => {
  it('reports reader arrival and removal and card insertion and removal', async () => {
    const { lite, open } = setup();
    const pcsc = await open();
    const events: PcscEvent[] = [];
    pcsc.onEvent((e) => events.push(e));
    const reader = new FakeReader('ACME 00 00');
    lite.emit('reader', reader as unknown as PcscLiteReader);
    reader.emit('status', { state: PRESENT, atr: Buffer.from([0x3b, 0x00]) });
    reader.emit('status', { state: 0x10 });
    reader.emit('status', { state: PRESENT });
    reader.emit('end');
    expect(events.map((e) => e.type)).toEqual([
      'reader-added',
      'card-inserted',
      'card-removed',
      'card-inserted',
      'card-removed',
      'reader-removed',
    ]);
    expect(pcsc.readers).toEqual([]);
    pcsc.close();
    expect(lite.closed).toBe(true);
  });

  it('connects in shared mode, leaves the card powered on close, and waits for a matching card', async () => {
    const { lite, open } = setup();
    const pcsc = await open();
    const other = new FakeReader('Other 00 00');
    const reader = new FakeReader('ACME Smartcard 00 00');
    lite.emit('reader', other as unknown as PcscLiteReader);
    lite.emit('reader', reader as unknown as PcscLiteReader);
    other.emit('status', { state: PRESENT });
    const pending = pcsc.connect({ reader: 'acme', timeoutMs: 1000 });
    setTimeout(() => reader.emit('status', { state: PRESENT, atr: Buffer.from([0x3b, 0x85]) }), 10);
    const connection = await pending;
    expect(connection.atr).toEqual(Uint8Array.of(0x3b, 0x85));
    expect(reader.shareMode).toBe(reader.SCARD_SHARE_SHARED);
    await connection.close();
    expect(reader.disposition).toBe(reader.SCARD_LEAVE_CARD);
    await expect(pcsc.connect({ reader: /nothing/, timeoutMs: 20 })).rejects.toBeInstanceOf(
      CardTransportError,
    );
    pcsc.close();
    expect(reader.closed && other.closed).toBe(true);
  });

  it('a card pulled mid-command is CARD_REMOVED, and the reader can be connected again', async () => {
    const { lite, open } = setup();
    const pcsc = await open();
    const reader = new FakeReader('ACME 00 00');
    lite.emit('reader', reader as unknown as PcscLiteReader);
    reader.emit('status', { state: PRESENT });
    reader.answer = () => Buffer.from([0x90, 0x00]);
    const connection = await pcsc.connect();
    const piv = await PivSession.open(connection);
    reader.answer = () => new Error('SCardTransmit error: Card was removed.(0x80100069)');
    await expect(piv.pinStatus()).rejects.toBeInstanceOf(CardRemovedError);
    // Once dead, the handle stays dead without asking PC/SC again.
    reader.answer = () => Buffer.from([0x90, 0x00]);
    await expect(piv.pinStatus()).rejects.toBeInstanceOf(CardRemovedError);
    const again = await pcsc.connect();
    await expect(PivSession.open(again)).resolves.toBeInstanceOf(PivSession);
    // An empty answer (vpcd's link dropped) is a removal too.
    reader.answer = () => Buffer.alloc(0);
    await expect(again.transmit(Uint8Array.of(0, 0xa4, 4, 0))).rejects.toBeInstanceOf(
      CardRemovedError,
    );
    pcsc.close();
  });

  it('parses the PC/SC code out of pcsclite errors', () => {
    expect(pcscCodeOf(new Error('SCardConnect error: No smart card inserted.(0x8010000c)'))).toBe(
      PcscCode.NO_SMARTCARD,
    );
    expect(pcscCodeOf('nothing here')).toBeUndefined();
    const transport = pcscError(
      new Error('SCardConnect error: Sharing violation.(0x8010000b)'),
      'SCardConnect',
      true,
    );
    expect(transport).toBeInstanceOf(CardTransportError);
    expect((transport as CardTransportError).pcscCode).toBe(PcscCode.SHARING_VIOLATION);
    expect(pcscError(new Error('x(0x80100016)'), 'SCardTransmit', true)).toBeInstanceOf(
      CardRemovedError,
    );
    expect(pcscError(new Error('x(0x80100003)'), 'SCardTransmit', false)).toBeInstanceOf(
      CardRemovedError,
    );
  });

  it('a failing context is CARD_TRANSPORT with the code', async () => {
    await expect(
      PcscContext.open(() => {
        throw new Error('SCardEstablishContext error: Service not available.(0x8010001d)');
      }),
    ).rejects.toMatchObject({ code: 'CARD_TRANSPORT', pcscCode: PcscCode.NO_SERVICE });
  });
});
