import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addMonths,
  cardSeries,
  duplicateMatches,
  generateUuid,
  isActiveOn,
  isoDateSchema,
  isoDateTimeSchema,
  niNumberSchema,
  odsCodeSchema,
  passcodeProblem,
  positionSchema,
  uuidSchema,
} from '../../src/domain/index.js';
import { niNumberArb, uuidArb } from '../../src/testing/index.js';

describe('ID-05 UUIDs', () => {
  it('ID-05 a UUID is exactly 12 digits', () => {
    expect(uuidSchema.safeParse('123456789012').success).toBe(true);
    for (const bad of ['12345678901', '1234567890123', '12345678901a', '']) {
      expect(uuidSchema.safeParse(bad).success, bad).toBe(false);
    }
  });

  it('ID-05 generated UUIDs are 12 digits and skip the ones taken', () => {
    const taken = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const uuid = generateUuid((u) => taken.has(u));
      expect(uuid).toMatch(/^[1-9]\d{11}$/);
      expect(taken.has(uuid)).toBe(false);
      taken.add(uuid);
    }
    // A random source that repeats must still yield a fresh value.
    let n = 0;
    const repeating = () => (n++ < 5 ? 7 : 8);
    const first = generateUuid(() => false, repeating);
    expect(generateUuid((u) => u === first, repeating)).not.toBe(first);
  });

  it('ID-05 a full UUID space is a coded CONFLICT, not a hang', () => {
    expect(() => generateUuid(() => true)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
  });

  it('ID-05 the testing arbitrary only makes valid UUIDs', () => {
    fc.assert(fc.property(uuidArb(), (u) => uuidSchema.safeParse(u).success));
  });
});

describe('ID-03 National Insurance numbers (HMRC format)', () => {
  it('ID-03 accepts the format with spaces and lower case, normalised', () => {
    expect(niNumberSchema.parse('ab 12 34 56 c')).toBe('AB123456C');
  });

  it('ID-03 refuses the invalid prefix letters and the never-issued pairs', () => {
    for (const bad of [
      'DA123456A',
      'FA123456A',
      'IA123456A',
      'QA123456A',
      'UA123456A',
      'VA123456A',
      'AO123456A',
      'AD123456A',
      'BG123456A',
      'GB123456A',
      'NK123456A',
      'KN123456A',
      'TN123456A',
      'NT123456A',
      'ZZ123456A',
    ]) {
      expect(niNumberSchema.safeParse(bad).success, bad).toBe(false);
    }
  });

  it('ID-03 refuses a suffix outside A-D and the wrong number of digits', () => {
    for (const bad of ['AB123456E', 'AB12345C', 'AB1234567C', 'A1123456C']) {
      expect(niNumberSchema.safeParse(bad).success, bad).toBe(false);
    }
  });

  it('ID-03 every generated NI number is valid, and changing its prefix to an invalid one is refused', () => {
    fc.assert(
      fc.property(niNumberArb(), fc.constantFrom('D', 'F', 'I', 'Q', 'U', 'V'), (ni, letter) => {
        expect(niNumberSchema.safeParse(ni).success).toBe(true);
        expect(niNumberSchema.safeParse(letter + ni.slice(1)).success).toBe(false);
      }),
    );
  });
});

describe('organisations, positions, dates', () => {
  it('ODS codes are 3 to 8 letters and digits, upper-cased', () => {
    expect(odsCodeSchema.parse(' fa123 ')).toBe('FA123');
    expect(odsCodeSchema.safeParse('F!').success).toBe(false);
  });

  it('instants are normalised to milliseconds so they sort correctly as strings', () => {
    expect(isoDateTimeSchema.parse('2026-11-22T10:00:00Z')).toBe('2026-11-22T10:00:00.000Z');
    expect(isoDateTimeSchema.parse('2026-11-22T10:00:00.5Z')).toBe('2026-11-22T10:00:00.500Z');
    expect(isoDateTimeSchema.safeParse('2026-11-22T10:00:00+01:00').success).toBe(false);
  });

  it('calendar dates are real dates', () => {
    expect(isoDateSchema.safeParse('2026-02-29').success).toBe(false);
    expect(isoDateSchema.safeParse('2028-02-29').success).toBe(true);
    expect(addMonths(isoDateSchema.parse('2026-08-31'), -6)).toBe('2026-02-28');
  });

  it('POS-01 only a position with B1300 carries an assignable list', () => {
    const base = {
      id: 'pos_1',
      name: 'Pharmacist',
      organisation: 'FA123',
      jobRole: 'R8003',
      activities: ['B0570'],
      assignable: ['pos_2'],
      approval: {
        method: 'local-policy',
        approvedBy: ['100000000001'],
        at: '2026-11-22T10:00:00.000Z',
      },
      status: 'open',
      version: 0,
    };
    const bad = positionSchema.safeParse(base);
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['assignable']);
    expect(positionSchema.safeParse({ ...base, activities: ['B0570', 'B1300'] }).success).toBe(
      true,
    );
  });

  it('POS-02 a position records how it was approved and by whom', () => {
    const noApprover = positionSchema.safeParse({
      id: 'pos_1',
      name: 'x',
      organisation: 'FA123',
      jobRole: 'R8003',
      activities: [],
      status: 'open',
      version: 0,
      approval: { method: 'local-policy', approvedBy: [], at: '2026-11-22T10:00:00.000Z' },
    });
    expect(noApprover.success).toBe(false);
    expect(noApprover.error?.issues[0]?.message).toMatch(/POS-02/);
  });

  it('ASG-02 isActiveOn: start inclusive, end exclusive, removal ends it', () => {
    const d = (s: string) => isoDateSchema.parse(s);
    const a = { start: d('2026-11-22'), end: d('2026-11-24') };
    expect([
      isActiveOn(a, d('2026-11-21')),
      isActiveOn(a, d('2026-11-22')),
      isActiveOn(a, d('2026-11-23')),
      isActiveOn(a, d('2026-11-24')),
    ]).toEqual([false, true, true, false]);
    expect(isActiveOn({ ...a, removed: { at: 'x' } }, d('2026-11-23'))).toBe(false);
  });

  it('CARD-07 the series of a card is the first two digits of its serial', () => {
    expect(cardSeries('0512345678' as never)).toBe('05');
  });

  it('CARD-02 passcodes are 6 to 8 digits, and the answer never repeats the passcode', () => {
    const settings = { minLength: 6, maxLength: 8 };
    expect(passcodeProblem('123456', settings)).toBeUndefined();
    expect(passcodeProblem('12345678', settings)).toBeUndefined();
    for (const bad of ['12345', '123456789', '12a456', '']) {
      const problem = passcodeProblem(bad, settings);
      expect(problem).toBeDefined();
      if (bad.length > 0) expect(problem).not.toContain(bad);
    }
  });
});

describe('ID-06 duplicate check', () => {
  const existing = [
    {
      uuid: '100000000001',
      name: { given: 'Anne-Marie', family: "O'Brien" },
      dateOfBirth: '1980-05-01',
      niNumber: 'AB123456C',
    },
    { uuid: '100000000002', name: { given: 'John', family: 'Smith' }, dateOfBirth: '1975-01-01' },
  ] as never[];

  it('ID-06 the same NI number is a duplicate whatever the name', () => {
    const m = duplicateMatches(
      {
        name: { given: 'X', family: 'Y' },
        dateOfBirth: '2000-01-01',
        niNumber: 'AB123456C',
      } as never,
      existing,
    );
    expect(m).toEqual([{ uuid: '100000000001', because: 'same-ni-number' }]);
  });

  it('ID-06 the same name (ignoring case, accents and punctuation) and date of birth is a duplicate', () => {
    const m = duplicateMatches(
      { name: { given: 'anne marie', family: 'OBRIEN' }, dateOfBirth: '1980-05-01' } as never,
      existing,
    );
    expect(m).toEqual([{ uuid: '100000000001', because: 'same-name-and-date-of-birth' }]);
    expect(
      duplicateMatches(
        { name: { given: 'John', family: 'Smith' }, dateOfBirth: '1975-01-02' } as never,
        existing,
      ),
    ).toEqual([]);
  });
});
