import { describe, expect, it } from 'vitest';
import {
  connectVirtualCard,
  DEFAULT_MANAGEMENT_KEY,
  holderGuid,
  NON_FEDERAL_FASCN,
  PivSession,
  VirtualPivCard,
} from '../../src/card/index.js';
import { runCardCommand } from '../../src/cli/main.js';
import { selfSignedCertificate } from './helpers.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('careid card (CLI module)', () => {
  it('prints usage and exits 2 for an unknown subcommand', async () => {
    const t = io();
    expect(await runCardCommand(['card', 'frobnicate'], t.io)).toBe(2);
    expect(t.err[0]).toMatch(/^usage: careid card <command>/);
    expect(t.err.join('\n')).toContain("unknown command 'frobnicate'");
  });

  it('status prints the CHUID, certificates (subject, expiry), PIN and PUK tries left', async () => {
    const card = new VirtualPivCard();
    const piv = await PivSession.open(connectVirtualCard(card));
    await piv.authenticate(DEFAULT_MANAGEMENT_KEY);
    await piv.writeChuid({
      fascn: NON_FEDERAL_FASCN,
      guid: holderGuid('555123456789'),
      expiry: '20300101',
    });
    await piv.writeCertificate(0x9c, selfSignedCertificate('Jane Doe', 30));
    await piv.verifyPin('000000').catch(() => {});
    card.reset();
    const t = io();
    const code = await runCardCommand(['status', '--reader', 'sim'], t.io, {
      connect: async (reader) => {
        expect(reader).toBe('sim');
        return connectVirtualCard(card);
      },
    });
    expect(code, t.err.join('\n')).toBe(0);
    expect(t.out).toContain('CHUID: holder UUID 555123456789, expires 20300101');
    expect(t.out).toContain('Certificate 9A PIV Authentication: none');
    expect(t.out.find((l) => l.startsWith('Certificate 9C'))).toMatch(
      /subject CN=Jane Doe; expires \d{4}-\d\d-\d\dT/,
    );
    expect(t.out).toContain('PIN tries left: 2');
    expect(t.out).toContain('PUK tries left: 3');
  });

  it('status reports a removed card as a typed error with exit code 1, not an exception', async () => {
    const t = io();
    const card = new VirtualPivCard();
    card.pull();
    const code = await runCardCommand(['status'], t.io, {
      connect: async () => connectVirtualCard(card),
    });
    expect(code).toBe(1);
    expect(t.err[0]).toContain('[CARD_REMOVED]');
  });

  it('simulate fails cleanly when vpcd is not there', async () => {
    const t = io();
    const code = await runCardCommand(['simulate', '--vpcd', '/nonexistent/vpcd.sock'], t.io);
    expect(code).toBe(3);
    expect(t.err[0]).toContain('cannot reach vpcd');
  });
});
