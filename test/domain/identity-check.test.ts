import { describe, expect, it } from 'vitest';
import {
  assertIdentityCheckComplete,
  type IdentityCheck,
  identityCheckProblems,
  identityCheckSchema,
  isoDateSchema,
  proofOfAddressSchema,
} from '../../src/domain/index.js';
import { dorsetPack, nationalPack } from '../../src/policy/index.js';

const today = isoDateSchema.parse('2026-11-22');
const passport = { kind: 'passport', country: 'GBR', number: '123456789', expiry: '2030-01-01' };
const licence = { kind: 'driving-licence', number: 'SMITH751010AB9CD', expiry: '2030-01-01' };
const address = {
  kind: 'proof-of-address',
  documentType: 'utility bill',
  issuer: 'Wessex Water',
  issuedOn: '2026-10-01',
};
const ni = { kind: 'ni-number', niNumber: 'AB123456C', seenOn: 'HMRC letter' };

const check = (documents: unknown[]): IdentityCheck =>
  identityCheckSchema.parse({
    documents,
    photo: 'sha256:abc',
    checkedBy: '100000000001',
    checkedAt: '2026-11-22T10:00:00.000Z',
  });
const rules = (c: IdentityCheck, pack = nationalPack) =>
  identityCheckProblems(c, pack, today).map((p) => p.rule);

describe('ID-01..ID-04 identity checks', () => {
  it('ID-01 a complete check: three documents, a photo ID, a proof of address', () => {
    expect(rules(check([passport, licence, address]))).toEqual([]);
  });

  it('ID-01 fewer than three documents, no photo ID or no proof of address is incomplete', () => {
    expect(rules(check([passport, address]))).toContain('ID-01');
    const noPhoto = rules(
      check([address, ni, { kind: 'other', documentType: 'birth certificate', reference: 'B1' }]),
    );
    expect(noPhoto).toContain('ID-01');
    expect(rules(check([passport, licence, ni]))).toContain('ID-01');
  });

  it('ID-01 a photo of the person is part of the record', () => {
    expect(
      identityCheckSchema.safeParse({
        documents: [passport],
        checkedBy: '100000000001',
        checkedAt: '2026-11-22T10:00:00.000Z',
      }).success,
    ).toBe(false);
  });

  it('ID-02 documents are recorded in full: a passport without its country or expiry is refused', () => {
    expect(
      identityCheckSchema.safeParse({
        documents: [{ kind: 'passport', number: '123456789' }],
        photo: 'p',
        checkedBy: '100000000001',
        checkedAt: '2026-11-22T10:00:00.000Z',
      }).success,
    ).toBe(false);
  });

  it('ID-02 a proof of address names its issuer ("utility bill" alone is refused)', () => {
    const bare = proofOfAddressSchema.safeParse({ ...address, issuer: 'Utility bill' });
    expect(bare.success).toBe(false);
    expect(bare.error?.issues[0]?.message).toMatch(/ID-02/);
  });

  it('ID-02 a proof of address is dated within 3 months', () => {
    expect(rules(check([passport, licence, { ...address, issuedOn: '2026-08-22' }]))).toEqual([]);
    expect(rules(check([passport, licence, { ...address, issuedOn: '2026-08-21' }]))).toEqual([
      'ID-02',
    ]);
  });

  it('ID-02 a future-dated proof of address is refused with a message that says it is in the future', () => {
    const problems = identityCheckProblems(
      check([passport, licence, { ...address, issuedOn: '2026-12-01' }]),
      nationalPack,
      today,
    );
    expect(problems.map((p) => p.rule)).toEqual(['ID-02']);
    expect(problems[0]?.message).toMatch(/after today \(2026-11-22\)/);
    expect(problems[0]?.message).not.toMatch(/on or after/);
  });

  it('ID-03 national: two of passport, driving licence and NI number', () => {
    const other = {
      kind: 'other',
      documentType: 'birth certificate',
      reference: 'B1',
      photo: true,
    };
    expect(rules(check([passport, other, address]))).toEqual(['ID-03']);
    expect(rules(check([passport, ni, address]))).toEqual([]);
  });

  it('ID-03 dorset: an NI number is required', () => {
    const problems = identityCheckProblems(check([passport, licence, address]), dorsetPack, today);
    expect(problems.map((p) => p.rule)).toEqual(['ID-03']);
    // The message says how to record it: a document of kind 'ni-number'.
    expect(problems[0]?.message).toMatch(/kind 'ni-number'/);
    expect(rules(check([passport, ni, address]), dorsetPack)).toEqual([]);
  });

  it('ID-04 a passport up to 6 months past expiry is accepted', () => {
    expect(rules(check([{ ...passport, expiry: '2026-05-22' }, licence, address]))).toEqual([]);
    expect(rules(check([{ ...passport, expiry: '2026-05-21' }, licence, address]))).toEqual([
      'ID-04',
    ]);
  });

  it('ID-01 an incomplete check throws a ValidationError listing every problem', () => {
    expect(() => assertIdentityCheckComplete(check([passport]), nationalPack, today)).toThrow(
      expect.objectContaining({ code: 'VALIDATION', field: 'identityCheck.documents' }),
    );
  });
});
