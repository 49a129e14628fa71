import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CardConnection,
  connectVirtualCard,
  decodeCertificateObject,
  decodeChuid,
  decodeCommandApdu,
  decodeResponseApdu,
  decodeTlv,
  PivSession,
  publicKeyTemplateToSpki,
  VirtualPivCard,
} from '../../src/card/index.js';
import { CareIdError } from '../../src/errors/index.js';
import { OPERATIONS } from './operations.js';

const anyBytes = fc.uint8Array({ maxLength: 600 });

/** Runs `fn`; passes when it returns or throws a careid error, fails on anything else. */
function typedOnly(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof CareIdError)) throw error;
  }
}

/** The same for an async parser: it resolves, or rejects with a careid error. */
async function typedOnlyAsync(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    if (!(error instanceof CareIdError)) throw error;
  }
}

/** TLV-shaped bytes: plausible tags and lengths, so parsers get past the first byte. */
const tlvish = fc
  .array(
    fc.record({
      tag: fc.constantFrom(
        0x53,
        0x70,
        0x71,
        0xfe,
        0x30,
        0x34,
        0x35,
        0x7c,
        0x82,
        0x86,
        0x81,
        0x7f49,
        0x5fc102,
      ),
      value: fc.uint8Array({ maxLength: 80 }),
      lie: fc.integer({ min: -3, max: 3 }),
    }),
    { maxLength: 5 },
  )
  .map((items) =>
    Uint8Array.from(
      items.flatMap(({ tag, value, lie }) => {
        const t = tag > 0xff ? [tag >> 8, tag & 0xff] : [tag];
        return [...t, Math.max(0, Math.min(127, value.length + lie)), ...value];
      }),
    ),
  );

describe('parsers on random and mutated input: typed errors only', () => {
  it('decodeResponseApdu, decodeCommandApdu and decodeTlv', () => {
    fc.assert(
      fc.property(fc.oneof(anyBytes, tlvish), (bytes) => {
        typedOnly(() => decodeResponseApdu(bytes));
        typedOnly(() => decodeCommandApdu(bytes));
        typedOnly(() => decodeTlv(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('CHUID, certificate container and public key template decoders', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyBytes, tlvish), async (bytes) => {
        typedOnly(() => decodeChuid(bytes));
        typedOnly(() => decodeCertificateObject(bytes));
        await typedOnlyAsync(() => publicKeyTemplateToSpki(bytes, 'P-256'));
        await typedOnlyAsync(() => publicKeyTemplateToSpki(bytes, 'RSA-2048'));
      }),
      { numRuns: 2000 },
    );
  });
});

/** A connection to the simulator whose `at`-th answer is replaced by `mutate(answer)`. */
function mutating(
  card: VirtualPivCard,
  at: number,
  mutate: (answer: Uint8Array) => Uint8Array,
): CardConnection {
  const inner = connectVirtualCard(card);
  let n = 0;
  return {
    atr: inner.atr,
    transmit: async (apdu) => {
      const real = card.transmit(apdu);
      if (real === undefined) return inner.transmit(apdu);
      const answer = n === at ? mutate(real) : real;
      n += 1;
      return decodeResponseApdu(
        answer.length < 2 ? Uint8Array.of(...answer, 0x90, 0x00).slice(-2) : answer,
      );
    },
    close: inner.close,
  };
}

const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    index: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat({ max: 40 }) }),
  fc.record({
    kind: fc.constant('replace' as const),
    bytes: fc.uint8Array({ minLength: 2, maxLength: 300 }),
  }),
  fc.record({
    kind: fc.constant('status' as const),
    sw: fc.constantFrom(
      0x6100,
      0x6110,
      0x6c00,
      0x6c10,
      0x63c0,
      0x63c2,
      0x6983,
      0x6982,
      0x6a82,
      0x6d00,
      0x6f00,
      0x9000,
    ),
  }),
);

function apply(
  m: typeof mutation extends fc.Arbitrary<infer T> ? T : never,
  answer: Uint8Array,
): Uint8Array {
  switch (m.kind) {
    case 'flip': {
      const out = Uint8Array.from(answer);
      const i = m.index % out.length;
      out[i] = out[i]! ^ (1 << m.bit);
      return out;
    }
    case 'truncate':
      return Uint8Array.from([
        ...answer.subarray(0, Math.min(m.keep, Math.max(0, answer.length - 2))),
        0x90,
        0x00,
      ]);
    case 'replace':
      return m.bytes;
    case 'status':
      return Uint8Array.from([...answer.subarray(0, -2), m.sw >> 8, m.sw & 0xff]);
  }
}

describe('PivSession on mutated card answers', () => {
  it('every operation ends with a value or a typed error, never a foreign exception or a hang', async () => {
    const fast = OPERATIONS.filter(([name]) => !name.includes('RSA'));
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: fast.length - 1 }),
        fc.nat({ max: 8 }),
        mutation,
        async (which, at, m) => {
          const card = new VirtualPivCard();
          const operation = fast[which]![1];
          try {
            const piv = await PivSession.open(mutating(card, at, (a) => apply(m, a)));
            await operation(piv);
          } catch (error) {
            if (!(error instanceof CareIdError)) throw error;
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('VirtualPivCard on random command APDUs', () => {
  const insList = [
    0xa4, 0xcb, 0xdb, 0x20, 0x24, 0x2c, 0x87, 0x47, 0xc0, 0xfd, 0xf8, 0xf7, 0xff, 0xfb,
  ];
  const structured = fc
    .record({
      cla: fc.constantFrom(0x00, 0x10, 0x80, 0x0c),
      ins: fc.constantFrom(...insList),
      p1: fc.constantFrom(0x00, 0x03, 0x04, 0x07, 0x0c, 0x11, 0x14, 0x3f, 0xff, 0x9b),
      p2: fc.constantFrom(0x00, 0x80, 0x81, 0x9a, 0x9b, 0x9c, 0x9e, 0xff),
      data: fc.oneof(fc.uint8Array({ maxLength: 300 }), tlvish),
      le: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
    })
    .map(({ cla, ins, p1, p2, data, le }) => {
      const body =
        data.length === 0
          ? []
          : data.length <= 255
            ? [data.length, ...data]
            : [0, data.length >> 8, data.length & 0xff, ...data];
      return Uint8Array.from([cla, ins, p1, p2, ...body, ...(le === undefined ? [] : [le])]);
    });

  it('answers a status word to everything and never throws', () => {
    const card = new VirtualPivCard();
    fc.assert(
      fc.property(fc.oneof(anyBytes, structured), (apdu) => {
        const answer = card.transmit(apdu);
        expect(answer).toBeDefined();
        expect(answer!.length).toBeGreaterThanOrEqual(2);
        const sw1 = answer![answer!.length - 2]!;
        expect([0x61, 0x63, 0x65, 0x67, 0x68, 0x69, 0x6a, 0x6c, 0x6d, 0x6e, 0x6f, 0x90]).toContain(
          sw1,
        );
      }),
      { numRuns: 3000 },
    );
    // Still a working card afterwards (unless random VERIFYs blocked the PIN: reset it).
    card.factoryReset();
    expect(card.transmit(Uint8Array.of(0x00, 0x20, 0x00, 0x80))).toEqual(Uint8Array.of(0x63, 0xc3));
  });
});
