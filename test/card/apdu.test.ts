import { describe, expect, it } from 'vitest';
import {
  ApduTransceiver,
  CardBlockedError,
  type CardConnection,
  CardNotFoundError,
  CardProtocolError,
  CardStatusError,
  CardUnsupportedError,
  commandApdu,
  decodeCommandApdu,
  decodeResponseApdu,
  decodeTlv,
  encodeBerLength,
  encodeCommandApdu,
  encodeTlv,
  PinIncorrectError,
  type ResponseApdu,
  SecurityStatusError,
  statusError,
} from '../../src/card/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replaceAll(' ', ''), 'hex'));

/** A connection that answers from a script and records what it was sent. */
function scripted(answers: readonly string[]): CardConnection & { readonly sent: string[] } {
  const sent: string[] = [];
  let i = 0;
  return {
    sent,
    atr: new Uint8Array(0),
    transmit: async (apdu: Uint8Array): Promise<ResponseApdu> => {
      sent.push(hex(apdu));
      const a = answers[i];
      i += 1;
      if (a === undefined) throw new Error('script exhausted');
      return decodeResponseApdu(bytes(a));
    },
    close: async () => {},
  };
}

describe('command APDU codec (ISO 7816-4 §5.1)', () => {
  it('encodes the four short cases', () => {
    expect(hex(encodeCommandApdu(commandApdu(0, 0x20, 0, 0x80)))).toBe('00200080');
    expect(hex(encodeCommandApdu(commandApdu(0, 0xfd, 0, 0, undefined, 256)))).toBe('00FD000000');
    expect(hex(encodeCommandApdu(commandApdu(0, 0xdb, 0x3f, 0xff, bytes('0102'))))).toBe(
      '00DB3FFF020102',
    );
    expect(hex(encodeCommandApdu(commandApdu(0, 0xcb, 0x3f, 0xff, bytes('5C017E'), 256)))).toBe(
      '00CB3FFF035C017E00',
    );
  });

  it('encodes the extended cases when Nc > 255 or Ne > 256', () => {
    const data = new Uint8Array(300).fill(0xaa);
    const e3 = encodeCommandApdu(commandApdu(0, 0xdb, 0x3f, 0xff, data));
    expect(hex(e3.subarray(0, 7))).toBe('00DB3FFF00012C');
    expect(e3.length).toBe(7 + 300);
    expect(hex(encodeCommandApdu(commandApdu(0, 0xcb, 0, 0, undefined, 65536)))).toBe(
      '00CB0000000000',
    );
    const e4 = encodeCommandApdu(commandApdu(0, 0x87, 7, 0x9a, data, 1000));
    expect(hex(e4.subarray(-2))).toBe('03E8');
  });

  it('decodes every case back to the same record', () => {
    const cases = [
      commandApdu(0, 0x20, 0, 0x80),
      commandApdu(0, 0xfd, 0, 0, undefined, 256),
      commandApdu(0, 0xfd, 0, 0, undefined, 17),
      commandApdu(0x10, 0xdb, 0x3f, 0xff, bytes('0102')),
      commandApdu(0, 0xcb, 0x3f, 0xff, bytes('5C017E'), 256),
      commandApdu(0, 0xdb, 0x3f, 0xff, new Uint8Array(300)),
      commandApdu(0, 0xcb, 0, 0, undefined, 65536),
      commandApdu(0, 0x87, 7, 0x9a, new Uint8Array(256), 1000),
    ];
    for (const c of cases) expect(decodeCommandApdu(encodeCommandApdu(c))).toEqual(c);
  });

  it('rejects bytes that are none of the seven cases with CARD_PROTOCOL', () => {
    for (const bad of ['0020', '00DB3FFF0501', '00DB3FFF00000A01', '00DB3FFF0000']) {
      expect(() => decodeCommandApdu(bytes(bad))).toThrow(CardProtocolError);
    }
    expect(() => commandApdu(0, 0x100, 0, 0)).toThrow(CardProtocolError);
    expect(() => commandApdu(0, 0, 0, 0, undefined, 0)).toThrow(CardProtocolError);
  });

  it('splits a response into data and status word', () => {
    expect(decodeResponseApdu(bytes('01029000'))).toEqual({ data: bytes('0102'), sw: 0x9000 });
    expect(() => decodeResponseApdu(bytes('90'))).toThrow(CardProtocolError);
  });
});

describe('BER-TLV (ISO 7816-4 §6.2)', () => {
  it('encodes one, two and three byte tags and every length form', () => {
    expect(hex(encodeTlv(0x53, bytes('01')))).toBe('530101');
    expect(hex(encodeTlv(0x7f49))).toBe('7F4900');
    expect(hex(encodeTlv(0x5fc102, bytes('AA')))).toBe('5FC10201AA');
    expect(hex(encodeBerLength(127))).toBe('7F');
    expect(hex(encodeBerLength(128))).toBe('8180');
    expect(hex(encodeBerLength(300))).toBe('82012C');
    expect(hex(encodeBerLength(70000))).toBe('83011170');
  });

  it('decodes what it encodes, skipping 00/FF padding between objects', () => {
    const big = new Uint8Array(1000).fill(7);
    const encoded = Uint8Array.from([
      ...encodeTlv(0x5fc105, big),
      0x00,
      0xff,
      ...encodeTlv(0x7f49, encodeTlv(0x86, bytes('04AA'))),
    ]);
    const items = decodeTlv(encoded);
    expect(items.map((t) => t.tag)).toEqual([0x5fc105, 0x7f49]);
    expect(items[0]?.value).toEqual(big);
    expect(decodeTlv(items[1]!.value)).toEqual([{ tag: 0x86, value: bytes('04AA') }]);
  });

  it('rejects truncated tags, lengths and values with CARD_PROTOCOL', () => {
    for (const bad of [
      '5F',
      '5FC1',
      '53',
      '5382',
      '538201',
      '5305010203',
      '5F8181818101',
      '538400000001',
    ]) {
      expect(() => decodeTlv(bytes(bad)), bad).toThrow(CardProtocolError);
    }
  });
});

describe('status words become typed errors in one place', () => {
  it('CARD-02 63Cx is PinIncorrectError with the tries left; 63C0 and 6983 are blocked', () => {
    const e = statusError(0x63c2, 'VERIFY PIN');
    expect(e).toBeInstanceOf(PinIncorrectError);
    expect((e as PinIncorrectError).triesLeft).toBe(2);
    expect(e?.code).toBe('CARD_PIN_INCORRECT');
    expect(statusError(0x63c0, 'VERIFY PIN')).toBeInstanceOf(CardBlockedError);
    expect(statusError(0x6983, 'VERIFY PIN')?.code).toBe('CARD_BLOCKED');
  });

  it('maps 6982, 6A82, 6D00 and an unknown word', () => {
    expect(statusError(0x9000, 'x')).toBeUndefined();
    expect(statusError(0x6982, 'PUT DATA')).toBeInstanceOf(SecurityStatusError);
    expect(statusError(0x6a82, 'GET DATA')).toBeInstanceOf(CardNotFoundError);
    expect(statusError(0x6d00, 'X')).toBeInstanceOf(CardUnsupportedError);
    const other = statusError(0x6581, 'PUT DATA');
    expect(other).toBeInstanceOf(CardStatusError);
    expect((other as CardStatusError).sw).toBe(0x6581);
    expect(other?.message).toContain('6581');
  });
});

describe('ApduTransceiver', () => {
  it('chains a long command in 255-byte pieces with CLA 0x10 (ISO 7816-4 §5.4.1)', async () => {
    const conn = scripted(['9000', '9000', '9000']);
    const t = new ApduTransceiver(conn);
    const data = new Uint8Array(600).map((_, i) => i & 0xff);
    const r = await t.send(commandApdu(0, 0xdb, 0x3f, 0xff, data));
    expect(r.sw).toBe(0x9000);
    expect(conn.sent.map((s) => s.slice(0, 10))).toEqual([
      '10DB3FFFFF',
      '10DB3FFFFF',
      '00DB3FFF5A',
    ]);
    expect(t.apduCount).toBe(3);
  });

  it('stops the chain at the first error', async () => {
    const conn = scripted(['6982']);
    const r = await new ApduTransceiver(conn).send(
      commandApdu(0, 0xdb, 0x3f, 0xff, new Uint8Array(600)),
    );
    expect(r.sw).toBe(0x6982);
    expect(conn.sent).toHaveLength(1);
  });

  it('sends one extended APDU when extended length is on', async () => {
    const conn = scripted(['9000']);
    await new ApduTransceiver(conn, { extendedLength: true }).send(
      commandApdu(0, 0xdb, 0x3f, 0xff, new Uint8Array(600)),
    );
    expect(conn.sent).toHaveLength(1);
    expect(conn.sent[0]?.slice(0, 14)).toBe('00DB3FFF000258');
  });

  it('follows 61xx with GET RESPONSE and concatenates (ISO 7816-4 §11.7.1)', async () => {
    const conn = scripted(['AAAA6104', 'BBBBBBBB6102', 'CCCC9000']);
    const r = await new ApduTransceiver(conn).send(
      commandApdu(0, 0xcb, 0x3f, 0xff, bytes('5C017E'), 256),
    );
    expect(hex(r.data)).toBe('AAAABBBBBBBBCCCC');
    expect(r.sw).toBe(0x9000);
    expect(conn.sent.slice(1)).toEqual(['00C0000004', '00C0000002']);
  });

  it('resends with the exact Le on 6Cxx', async () => {
    const conn = scripted(['6C05', '01020304059000']);
    const r = await new ApduTransceiver(conn).send(commandApdu(0, 0xfd, 0, 0, undefined, 256));
    expect(r.data).toHaveLength(5);
    expect(conn.sent).toEqual(['00FD000000', '00FD000005']);
  });

  it('wraps a non-careid transport failure as CARD_TRANSPORT', async () => {
    const conn = scripted([]);
    await expect(new ApduTransceiver(conn).send(commandApdu(0, 0xfd, 0, 0))).rejects.toMatchObject({
      code: 'CARD_TRANSPORT',
    });
  });
});
