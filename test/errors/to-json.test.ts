import { describe, expect, it } from 'vitest';
import { PinIncorrectError } from '../../src/card/errors.js';
import { InvalidTransitionError } from '../../src/domain/errors.js';
import { CareIdError, ValidationError } from '../../src/errors/index.js';
import { PkiError } from '../../src/pki/pki-error.js';
import { decide, nationalPack, PolicyDeniedError } from '../../src/policy/index.js';
import { PossibleDuplicateError } from '../../src/ra/index.js';
import { ConflictError, NotFoundError, StoreUnavailableError } from '../../src/storage/index.js';

const SECRET = 'hunter2-SECRET-7f3a';
const roundTrip = (e: unknown) => JSON.parse(JSON.stringify(e)) as Record<string, unknown>;

describe('CareIdError.toJSON: code, message and the class fields, as JSON', () => {
  it('every careid error serialises its name, code and message (before toJSON the message was lost)', () => {
    const denial = decide({
      pack: nationalPack,
      actor: { uuid: '555000000009', assignments: [] },
      activity: 'user.create',
      at: '2026-11-22T10:00:00.000Z',
      target: { organisationPath: ['FA123', 'QVV'] },
    });
    const errors: CareIdError[] = [
      new ValidationError('command', [{ field: 'name.family', message: 'is required' }]),
      new PolicyDeniedError(denial),
      new ConflictError('users', '555000000001', 'users 555000000001 changed since it was read'),
      new NotFoundError('users', '555000000001'),
      new StoreUnavailableError('the store cannot be reached'),
      new PossibleDuplicateError([{ uuid: '555000000001' as never, because: 'same NI number' }]),
      new InvalidTransitionError('CARD-05', 'a cancelled card stays cancelled'),
      new PkiError('PKI_WEAK_KEY', 'RSA keys must be at least 2048 bits'),
      new PinIncorrectError(2, 'Passcode'),
    ];
    for (const error of errors) {
      const json = roundTrip(error);
      expect(json).toMatchObject({ name: error.name, code: error.code, message: error.message });
      expect(json['message']).not.toBe('');
      expect(json).not.toHaveProperty('cause');
      expect(json).not.toHaveProperty('stack');
    }
    expect(roundTrip(errors[0])).toMatchObject({
      field: 'name.family',
      issues: [{ field: 'name.family', message: 'is required' }],
    });
    const denied = roundTrip(errors[1]);
    expect(denied['decision']).toMatchObject({ allowed: false, activity: 'user.create' });
    expect((denied['decision'] as { reasons: unknown[] }).reasons[0]).toMatchObject({
      rule: expect.any(String),
      code: expect.any(String),
      message: expect.any(String),
    });
    expect(denied['rules']).toEqual(denial.reasons.map((r) => r.rule));
    expect(roundTrip(errors[2])).toMatchObject({ kind: 'users', key: '555000000001' });
    expect(roundTrip(errors[5])).toMatchObject({
      matches: [{ uuid: '555000000001', because: 'same NI number' }],
    });
    expect(roundTrip(errors[8])).toMatchObject({ triesLeft: 2 });
  });

  it('AUD-02 the cause is never serialised: a driver error quoting a password stays out', () => {
    const driver = new Error(`connect ECONNREFUSED postgres://careid:${SECRET}@db:5432/ra`);
    const error = new StoreUnavailableError('the store cannot be reached', { cause: driver });
    expect(JSON.stringify(error)).not.toContain(SECRET);
    expect(JSON.stringify(error)).toContain('the store cannot be reached');
  });

  it('AUD-02 bytes and fields named like a secret are left out, at any depth', () => {
    class CardSecretError extends CareIdError<'CARD_AUTHENTICATION'> {
      readonly passcode = SECRET;
      readonly puk = SECRET;
      readonly managementKey = new Uint8Array([1, 2, 3]);
      readonly der = new Uint8Array([0x30, 0x03]);
      readonly detail = {
        slot: '9a',
        oneTimeCode: SECRET,
        nested: [{ privateKeyPem: SECRET, token: SECRET, keep: 'yes' }],
        inner: new Error(SECRET),
      };
      constructor() {
        super('CARD_AUTHENTICATION', 'the card refused the management key');
      }
    }
    const text = JSON.stringify(new CardSecretError());
    expect(text).not.toContain(SECRET);
    expect(JSON.parse(text)).toEqual({
      name: 'CareIdError',
      code: 'CARD_AUTHENTICATION',
      message: 'the card refused the management key',
      detail: { slot: '9a', nested: [{ keep: 'yes' }] },
    });
  });
});
