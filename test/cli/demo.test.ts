import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/demo.js';

describe('the README demo', () => {
  it('narrates decisions with their rule IDs on the national and dorset packs', async () => {
    const lines: string[] = [];
    const code = await runDemo({ out: (l) => lines.push(l), err: (l) => lines.push(`ERR ${l}`) });
    const text = lines.join('\n');
    expect(code).toBe(0);
    expect(lines.some((l) => l.startsWith('ERR'))).toBe(false);
    for (const rule of [
      'ROLE-02',
      'ROLE-03',
      'CARD-03',
      'CARD-07',
      'SOD-01',
      'SOD-02',
      'SOD-03',
      'SOD-05',
      'ID-03',
      'CARD-05',
    ]) {
      expect(text, rule).toContain(rule);
    }
    expect(text).toContain('IDC loses user.create');
    expect(text).toMatch(/close Alex's profile\?\n\s+-> YES, by raising a request/);
    // The RA part: a sponsor's request accepted into a profile, a sponsor refused outside its
    // assignable list, a batch of 100 previewed then applied, the audit verified.
    expect(text).toMatch(/Sam raises request req_\w+: create a profile for Alex Rivers \(REQ-01\)/);
    expect(text).toMatch(/locked to her until 2026-11-22T10:15:00.000Z \(REQ-02\)/);
    expect(text).toMatch(/and accepts: profile [1-9]\d{11}, Dispenser assigned/);
    expect(text).toContain('refused, ROLE-03 NOT_ASSIGNABLE');
    expect(text).toContain('previews a batch of 100 UUIDs');
    expect(text).toContain('would change 97, unmatched 2, denied 1');
    expect(text).toContain('applied: 25/100 50/100 75/100 100/100; 97 assignments written');
    expect(text).toMatch(/with no email address \(REP-01\), streamed as CSV: 98 rows/);
    expect(text).toContain(
      'Organisation,UUID,Family name,Given name,Status,Has email,Has NI number',
    );
    expect(text).toMatch(/audit chain: verified, \d+ records hash-chained/);
    // The card part: issued, locked, unlocked in person, renewed in the window, cancelled, on the CRL.
    expect(text).toContain('6. A smartcard, end to end, on the virtual PIV card');
    expect(text).toContain('CARD-02: three wrong passcodes lock the card');
    expect(text).toContain('refused, CARD-03 USER_NOT_PRESENT');
    expect(text).toMatch(/renewed in the window .*the old one superseded/);
    expect(text).toMatch(/revoked as keyCompromise \(CARD-10\)/);
    expect(text).toMatch(/CRL number \d+ lists 2 certificates/);
  });
});
