import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const nativeLoaded = () => readFileSync('/proc/self/maps', 'utf8').includes('pcsclite.node');

describe.skipIf(process.platform !== 'linux')('native module loading (/proc/self/maps)', () => {
  it('importing careid/card and careid/card/pcsc loads no native module; pcsclite itself does', async () => {
    expect(nativeLoaded()).toBe(false);
    const card = await import('../../src/card/index.js');
    const pcsc = await import('../../src/card/pcsc/index.js');
    expect(typeof card.PivSession.open).toBe('function');
    expect(typeof pcsc.PcscContext.open).toBe('function');
    expect(nativeLoaded()).toBe(false);
    // The check can fail: loading the package maps its binding.
    await import('pcsclite');
    expect(nativeLoaded()).toBe(true);
  });
});
