import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CareIdError } from '../../src/errors/index.js';
import {
  type CertificateAuthority,
  createOcspRequest,
  ecdsaDerToRaw,
  parseCertificate,
  parseCrl,
  parseCsr,
  parseOcspRequest,
  parseOcspResponse,
  parsePublicKey,
  validateCertificate,
} from '../../src/pki/index.js';
import { cardKey, jane, life, makeCa, T0 } from './helpers.js';

/** A mutation of a valid DER sample: flipped bytes, truncation, insertion, length damage. */
const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    bits: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant('length' as const),
    at: fc.nat(),
    value: fc.constantFrom(0x80, 0x81, 0x84, 0xff, 0x00, 0x7f),
  }),
  fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 64 }) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(sample: Uint8Array, m: Mutation): Uint8Array {
  switch (m.kind) {
    case 'flip': {
      const out = sample.slice();
      const i = m.at % out.length;
      out[i] = out[i]! ^ m.bits;
      return out;
    }
    case 'truncate':
      return sample.slice(0, m.at % sample.length);
    case 'insert': {
      const i = m.at % sample.length;
      return Uint8Array.from([...sample.subarray(0, i), ...m.bytes, ...sample.subarray(i)]);
    }
    case 'length': {
      const out = sample.slice();
      // Damage a byte in the header region, where lengths live.
      out[m.at % Math.min(out.length, 24)] = m.value;
      return out;
    }
    case 'random':
      return m.bytes;
  }
}

/** Runs `parse`; a non-careid exception fails the property (a crash, not a typed error). */
async function onlyTypedErrors(parse: () => unknown): Promise<void> {
  try {
    await parse();
  } catch (e) {
    if (!(e instanceof CareIdError)) throw e;
    expect(e.code).toMatch(/^(PKI_|VALIDATION)/);
  }
}

describe('every parser meets mutated DER with typed errors only', () => {
  let ca: CertificateAuthority;
  const samples = new Map<string, Uint8Array>();

  beforeAll(async () => {
    ca = await makeCa();
    const key = await cardKey();
    const issued = await ca.issue({ csr: key.csr, holder: jane, now: T0, notAfter: life(T0) });
    await ca.revoke(issued.serialHex, 'keyCompromise', T0);
    const ocspRequest = await createOcspRequest({
      issuer: ca.issuingCertificate,
      serials: [issued.serialHex],
      nonce: new Uint8Array(16),
    });
    samples.set('certificate', issued.certificate);
    samples.set('csr', key.csr);
    samples.set('crl', await ca.generateCrl({ now: T0 }));
    samples.set('ocspRequest', ocspRequest);
    samples.set('ocspResponse', await ca.respondOcsp(ocspRequest, T0));
    samples.set('publicKey', key.signer.publicKey);
    samples.set('signature', await key.signer.sign(new Uint8Array(8)));
  });

  const parsers: Record<string, (d: Uint8Array) => unknown> = {
    certificate: parseCertificate,
    csr: parseCsr,
    crl: parseCrl,
    ocspRequest: parseOcspRequest,
    ocspResponse: parseOcspResponse,
    publicKey: parsePublicKey,
    signature: (d) => ecdsaDerToRaw(d, 'P-256'),
  };

  for (const [name, parse] of Object.entries(parsers)) {
    it(`${name}: mutated input gives a PKI_* error or a value, never a crash`, async () => {
      await fc.assert(
        fc.asyncProperty(mutation, async (m) => {
          await onlyTypedErrors(() => parse(mutate(samples.get(name)!, m)));
        }),
        { numRuns: 400 },
      );
    });
  }

  it('the OCSP responder answers any mutated request with a parseable response', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const res = parseOcspResponse(
          await ca.respondOcsp(mutate(samples.get('ocspRequest')!, m), T0),
        );
        expect([0, 1]).toContain(res.status);
      }),
      { numRuns: 200 },
    );
  });

  it('the OCSP responder answers every one-bit flip of a request (and every inverted byte) with a response its own parser reads: a tag asn1js reads loosely (SEQUENCE without its constructed bit, ENUMERATED for INTEGER) is refused, not echoed', async () => {
    const request = samples.get('ocspRequest')!;
    const unreadable: string[] = [];
    for (let at = 0; at < request.length; at++) {
      for (const bits of [1, 2, 4, 8, 16, 32, 64, 128, 255]) {
        const answer = await ca.respondOcsp(mutate(request, { kind: 'flip', at, bits }), T0);
        try {
          expect([0, 1]).toContain(parseOcspResponse(answer).status);
        } catch (error) {
          unreadable.push(`byte ${at} ^ ${bits}: ${(error as Error).message.slice(0, 80)}`);
        }
      }
    }
    expect(unreadable).toEqual([]);
  });

  it('validation meets a mutated leaf with typed errors only', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        await onlyTypedErrors(() =>
          validateCertificate({
            leaf: mutate(samples.get('certificate')!, m),
            intermediates: [ca.issuingCertificate],
            trustedRoot: ca.rootCertificate,
            now: T0,
            requireRevocationCheck: false,
          }),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('refuses deep nesting and huge declared lengths quickly', async () => {
    const deep = new Uint8Array(20_000);
    for (let i = 0; i < deep.length; i += 2) {
      deep[i] = 0x30;
      deep[i + 1] = 0x80;
    }
    const huge = Uint8Array.of(0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01, 0x01);
    const started = performance.now();
    for (const parse of Object.values(parsers)) {
      await onlyTypedErrors(() => parse(deep));
      await onlyTypedErrors(() => parse(huge));
    }
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
