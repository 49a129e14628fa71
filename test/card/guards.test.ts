import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ApduTransceiver,
  type CardConnection,
  checkPin,
  commandApdu,
  connectVirtualCard,
  decodeTlv,
  encodeTlv,
  findTlv,
  PivSession,
  redactCommand,
  VirtualPivCard,
} from '../../src/card/index.js';
import { kindOf } from '../../src/errors/guards.js';
import { isCareIdError, ValidationError } from '../../src/errors/index.js';
import { thrown } from '../support/thrown.js';

async function openOnVirtualCard(): Promise<PivSession> {
  return PivSession.open(connectVirtualCard(new VirtualPivCard()));
}

describe('issue 13: careid/card names the argument it refuses', () => {
  it('a value of the wrong kind is a ValidationError naming the function and the argument', async () => {
    const error = await thrown(() => decodeTlv(null as never));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('bytes');
    expect((error as ValidationError).message).toBe(
      'Invalid decodeTlv input: field `bytes`: must be a Uint8Array, got null',
    );
    const part = await thrown(() => encodeTlv(0x53, new Uint8Array(1), [1, 2] as never));
    expect((part as ValidationError).field).toBe('value.1');
    const item = await thrown(() => findTlv([{ tag: 0x30, value: 'x' }] as never, 0x30));
    expect((item as ValidationError).field).toBe('list.0.value');
  });

  it('a number out of range keeps its CARD_PROTOCOL error, shown; an object is described, never converted', async () => {
    expect(await thrown(() => commandApdu(0x100, 0xa4, 4, 0))).toMatchObject({
      code: 'CARD_PROTOCOL',
      message: 'CLA must be a byte (0 to 255), got 256',
    });
    // A null-prototype object has no toString: the message says what it is instead.
    expect(await thrown(() => commandApdu(Object.create(null), 0xa4, 4, 0))).toMatchObject({
      code: 'CARD_PROTOCOL',
      message: 'CLA must be a byte (0 to 255), got an object',
    });
    expect(await thrown(() => commandApdu(0, 0xa4, 4, 0, 'aid' as never))).toMatchObject({
      code: 'VALIDATION',
      field: 'data',
    });
  });

  it('AUD-02 kindOf never throws and never shows a string, whatever the value', () => {
    fc.assert(
      fc.property(
        fc.anything({ withNullPrototype: true, withTypedArray: true, withMap: true }),
        (value) => {
          const kind = kindOf(value);
          expect(typeof kind).toBe('string');
          // A string is described by its length only (never shown: a PIN or key may be in it).
          if (typeof value === 'string' && value.length > 0) {
            expect(kind).toBe(
              `a string of ${value.length} character${value.length === 1 ? '' : 's'}`,
            );
          }
        },
      ),
    );
    expect(kindOf(Uint16Array.of(1))).toBe('a Uint16Array');
    expect(kindOf(new Map())).toBe('a Map');
    expect(kindOf('123456')).toBe('a string of 6 characters');
  });

  it('AUD-02 CARD-02 a PIN of the wrong kind is refused without showing it', async () => {
    for (const pin of [123456, ['1', '2', '3', '4', '5', '6'], Buffer.from('123456')]) {
      const error = await thrown(() => checkPin(pin as never));
      expect(isCareIdError(error, 'VALIDATION')).toBe(true);
      expect((error as Error).message).toBe('Invalid PIN: must be 6 to 8 digits (CARD-02)');
    }
  });

  it('AUD-02 redactCommand refuses a header it cannot read rather than guess the data is not secret', async () => {
    const verify = Uint8Array.of(0x00, 0x20, 0x00, 0x80, 0x02, 0x31, 0x32);
    expect(redactCommand(verify, { ins: 0x20, p2: 0x80 })).toBe('00200080 [redacted 3 bytes]');
    // '0x20' is not INS 20: without the check the PIN would be logged in hex.
    const error = await thrown(() => redactCommand(verify, { ins: '0x20', p2: 0x80 } as never));
    expect((error as ValidationError).field).toBe('logical.ins');
  });

  it('CARD-02 a PivSession method refused at its boundary sends nothing to the card', async () => {
    const session = await openOnVirtualCard();
    const before = session.apduCount;
    expect(await thrown(() => session.verifyPin({} as never))).toMatchObject({
      code: 'VALIDATION',
    });
    expect(await thrown(() => session.readCertificate(0x9b as never))).toMatchObject({
      code: 'VALIDATION',
      field: 'slot',
    });
    expect(
      await thrown(() => session.authenticate(new Uint8Array(24), 'toString' as never)),
    ).toMatchObject({ code: 'VALIDATION', field: 'algorithm' });
    expect(
      await thrown(() => session.generalAuthenticate(0x9a, 'P-256', 'digest' as never)),
    ).toMatchObject({ code: 'VALIDATION', field: 'challenge' });
    expect(session.apduCount).toBe(before);
    // The session still works.
    expect((await session.pinStatus()).triesLeft).toBe(3);
  });

  it('a connection (a port a host writes) answering something else is a CARD_PROTOCOL error', async () => {
    const connection: CardConnection = {
      atr: new Uint8Array(0),
      transmit: async () => ({ data: new Uint8Array(0), sw: '9000' }) as never,
      close: async () => {},
    };
    expect(await thrown(() => PivSession.open(connection))).toMatchObject({
      code: 'CARD_PROTOCOL',
    });
    expect(
      await thrown(() => new ApduTransceiver(connection, { log: 'console' } as never)),
    ).toMatchObject({ code: 'VALIDATION', field: 'options.log' });
    expect(await thrown(() => new ApduTransceiver({} as never))).toMatchObject({
      code: 'VALIDATION',
      field: 'connection.transmit',
    });
  });

  it('CARD-02 the virtual card refuses a factory PIN that is not 6 to 8 digits', async () => {
    expect(await thrown(() => new VirtualPivCard({ pin: '1234' }))).toMatchObject({
      code: 'VALIDATION',
      message: 'Invalid virtual card PIN: must be 6 to 8 digits (CARD-02)',
    });
    expect(await thrown(() => new VirtualPivCard({ pinTries: 16 }))).toMatchObject({
      field: 'pinTries',
    });
    expect(new VirtualPivCard({ pin: '24681012', pinTries: 5 }).pinTriesLeft).toBe(5);
  });
});
