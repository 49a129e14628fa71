import { describe, expect, it } from 'vitest';
import {
  type ApduLogEntry,
  connectVirtualCard,
  DEFAULT_MANAGEMENT_KEY,
  PivSession,
  redactCommand,
  VirtualPivCard,
} from '../../src/card/index.js';

const hex = (b: Uint8Array | string) => Buffer.from(b).toString('hex').toUpperCase();

describe('APDU log hook', () => {
  it('AUD-02 never shows PINs, PUKs, management keys, witnesses or challenges', async () => {
    const mgm = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + i);
    const card = new VirtualPivCard({ managementKey: mgm, managementAlgorithm: 'AES-256' });
    const log: ApduLogEntry[] = [];
    const piv = await PivSession.open(connectVirtualCard(card), { log: (e) => log.push(e) });
    await piv.verifyPin('123456');
    await piv.verifyPin('000001').catch(() => {});
    await piv.changePin('123456', '864209');
    await piv.changePuk('12345678', '97531864');
    await piv.unblockPin('97531864', '112233');
    await piv.authenticate(mgm, 'AES-256');
    await piv
      .authenticate(
        mgm.map((b) => b ^ 0xff),
        'AES-256',
      )
      .catch(() => {});
    const text = JSON.stringify(log);
    for (const secret of ['123456', '000001', '864209', '12345678', '97531864', '112233']) {
      expect(text).not.toContain(hex(secret));
    }
    expect(text).not.toContain(hex(mgm).slice(0, 16));
    // The headers stay readable for debugging; the bodies are replaced.
    const verify = log.find((e) => e.command.startsWith('00200080'));
    expect(verify?.command).toBe('00200080 [redacted 9 bytes]');
    const auth = log.filter((e) => e.command.startsWith('00870C9B'));
    expect(auth.length).toBeGreaterThanOrEqual(3);
    for (const e of auth) {
      expect(e.command).toMatch(/^00870C9B \[redacted \d+ bytes\]$/);
      expect(e.response === '' || /^\[redacted \d+ bytes\]$/.test(e.response)).toBe(true);
    }
  });

  it('AUD-02 redacts chained pieces and GET RESPONSE answers of a secret command by their header', () => {
    expect(
      redactCommand(Uint8Array.of(0x10, 0x24, 0x00, 0x80, 0x02, 0x31, 0x32), {
        ins: 0x24,
        p2: 0x80,
      }),
    ).toBe('10240080 [redacted 3 bytes]');
    expect(
      redactCommand(Uint8Array.of(0x00, 0xcb, 0x3f, 0xff, 0x01, 0x7e), { ins: 0xcb, p2: 0xff }),
    ).toBe('00CB3FFF 017E');
  });

  it('shows what is not secret: public keys, objects, status words, timings', async () => {
    const log: ApduLogEntry[] = [];
    const piv = await PivSession.open(connectVirtualCard(new VirtualPivCard()), {
      log: (e) => log.push(e),
    });
    await piv.authenticate(DEFAULT_MANAGEMENT_KEY);
    await piv.generateKey(0x9a, 'P-256');
    const generate = log.at(-1);
    expect(generate?.command).toBe('0047009A 05AC0380011100');
    expect(generate?.response.startsWith('7F49')).toBe(true);
    expect(generate?.sw).toBe(0x9000);
    expect(generate?.ms).toBeGreaterThanOrEqual(0);
  });

  it('records a transport failure with its code', async () => {
    const card = new VirtualPivCard();
    const log: ApduLogEntry[] = [];
    const piv = await PivSession.open(connectVirtualCard(card), { log: (e) => log.push(e) });
    card.pull();
    await expect(piv.pinStatus()).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    expect(log.at(-1)).toMatchObject({ sw: undefined, error: 'CARD_REMOVED' });
  });
});
