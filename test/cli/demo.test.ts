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
    // The RA part: a profile created, a sponsor's assignment allowed and one refused, the audit verified.
    expect(text).toMatch(/creates profile [1-9]\d{11}/);
    expect(text).toContain('Sam assigns Alex the Dispenser position: ROLE-03 ASSIGNABLE_POSITION');
    expect(text).toContain('refused, ROLE-03 NOT_ASSIGNABLE');
    expect(text).toMatch(/audit chain: verified, \d+ records hash-chained/);
  });
});
