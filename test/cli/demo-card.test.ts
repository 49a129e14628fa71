import { describe, expect, it } from 'vitest';
import { runCardDemo } from '../../src/cli/demo-card.js';

describe('the smartcard demo', () => {
  it('CARD-01 CARD-02 CARD-03 CARD-05 CARD-10 AUD-02 narrates issue, lock, unlock, renewal and cancellation with the CRL listing the lost card', async () => {
    const lines: string[] = [];
    await runCardDemo((line) => lines.push(line));
    const text = lines.join('\n');
    expect(text).toMatch(/a blank card, serial \d{10}, goes into stock/);
    expect(text).toContain('generating the key on the card');
    expect(text).toContain('CARD-02: three wrong passcodes lock the card (tries left: 0)');
    expect(text).toContain('refused, CARD-03 USER_NOT_PRESENT');
    expect(text).toContain('renewal refused, CARD-05 NOT_IN_RENEWAL_WINDOW');
    expect(text).toContain('renewed in the window');
    const revoked = text.match(/certificate ([0-9a-f]{12})\.\.\. revoked as keyCompromise/)?.[1];
    expect(revoked).toBeDefined();
    expect(text).toMatch(new RegExp(`\\n    ${revoked}[0-9a-f]*  keyCompromise`));
    expect(text).toContain('audit chain: verified');
    // AUD-02: the passcodes typed in the story never appear.
    for (const secret of ['246810', '13572468']) expect(text).not.toContain(secret);
  });
});
