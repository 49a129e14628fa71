import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { WebAuthnError } from '../../src/authn/errors.js';
import { CareIdError } from '../../src/errors/index.js';
import { createRegistrationAuthority, seed } from '../../src/ra/index.js';
import { type Store, verifyAudit } from '../../src/storage/index.js';
import { AT, NOW, people, seedData } from '../ra/fixtures.js';
import { storeCases } from '../ra/stores.js';
import { SoftAuthenticator } from '../support/soft-authenticator.js';

const ORIGIN = 'https://ra.example.nhs.uk';
const RP = { rpId: 'ra.example.nhs.uk', rpName: 'Example RA', origins: [ORIGIN] };

let dispose: (() => Promise<void>) | undefined;
afterEach(async () => {
  await dispose?.();
  dispose = undefined;
});

/** The state a refused response must leave alone: credentials, authenticators, challenges. */
async function snapshot(store: Store) {
  return store.transaction(async (tx) => {
    const users = Object.values(people) as never[];
    const credentials = (
      await Promise.all(users.map((u) => tx.webAuthnCredentials.byUser(u)))
    ).flat();
    const authenticators = (
      await Promise.all(users.map((u) => tx.authenticators.byUser(u)))
    ).flat();
    return { credentials, authenticators };
  });
}

async function auditTail(store: Store, n: number) {
  const page = await store.transaction((tx) => tx.audit.read({ limit: 1000 }));
  return page.items.slice(-n).map((r) => r.event);
}

/** Expects `promise` to be refused with a WebAuthnError of `code` (and `check`, if given). */
async function refused(promise: Promise<unknown>, code: string, check?: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebAuthnError);
  expect(error).toMatchObject({ code, ...(check ? { check } : {}) });
  expect(JSON.parse(JSON.stringify(error))).toMatchObject({ name: 'WebAuthnError', code });
}

for (const storeCase of storeCases) {
  describe.skipIf(storeCase.skip !== undefined)(`WebAuthn ceremonies (${storeCase.name})`, () => {
    async function setUp(options: { userVerification?: 'required' } = {}) {
      const made = await storeCase.create();
      dispose = made.dispose;
      await seed(made.store, seedData, { at: AT, by: 'test-seed' });
      const clock = { now: NOW };
      const ra = createRegistrationAuthority({
        store: made.store,
        clock: () => clock.now,
        webauthn: { ...RP, ...options },
      });
      return { store: made.store, ra, clock };
    }

    it('AUTH-01 AUTH-03 a user registers a security key on their own profile only through the ceremony, then signs in with it; the counter is stored', async () => {
      const { store, ra } = await setUp();
      const key = new SoftAuthenticator(ORIGIN, ['usb', 'nfc']);
      const { options, expiresAt } = await ra.webauthn.registrationOptions(people.trainee, {
        kind: 'security-key',
        label: 'My YubiKey',
      });
      expect(options).toMatchObject({
        rp: { id: RP.rpId, name: RP.rpName },
        user: { name: people.trainee, displayName: 'Staff Trainee' },
        attestation: 'none',
        authenticatorSelection: { authenticatorAttachment: 'cross-platform' },
      });
      expect(expiresAt).toBe('2026-11-22T10:05:00.000Z');
      const registered = await ra.webauthn.verifyRegistration(people.trainee, {
        response: key.create(options, { counter: 5 }),
      });
      expect(registered.authenticator).toMatchObject({
        user: people.trainee,
        kind: 'security-key',
        label: 'My YubiKey',
        route: 'self',
        registeredBy: people.trainee,
      });
      expect(registered.decision.reasons[0]).toMatchObject({
        rule: 'ROLE-01',
        code: 'SELF_SERVICE',
      });
      expect(registered.credential).toMatchObject({
        user: people.trainee,
        authenticator: registered.authenticator.id,
        counter: 5,
        transports: ['usb', 'nfc'],
        deviceType: 'singleDevice',
        backedUp: false,
        discoverable: true,
      });
      const stored = await store.transaction((tx) =>
        tx.webAuthnCredentials.get(registered.credential.id),
      );
      expect(stored?.publicKey).toMatch(/^[A-Za-z0-9_-]{40,}$/);

      const login = await ra.webauthn.authenticationOptions({ user: people.trainee });
      expect(login.options.allowCredentials).toEqual([
        { id: registered.credential.id, type: 'public-key', transports: ['usb', 'nfc'] },
      ]);
      const signedIn = await ra.webauthn.verifyAuthentication({ response: key.get(login.options) });
      expect(signedIn).toMatchObject({
        type: 'webauthn.authenticate',
        user: people.trainee,
        authenticator: registered.authenticator.id,
        kind: 'security-key',
        counter: 6,
        userVerified: true,
      });
      const after = await store.transaction((tx) =>
        tx.webAuthnCredentials.get(registered.credential.id),
      );
      expect(after).toMatchObject({ counter: 6, lastUsedAt: AT, version: 1 });
      expect((await auditTail(store, 3)).map((e) => [e.activity, e.outcome, e.actor])).toEqual([
        ['webauthn.registration-options', 'allowed', people.trainee],
        ['webauthn.register', 'allowed', people.trainee],
        ['webauthn.authenticate', 'allowed', people.trainee],
      ]);
      expect(await verifyAudit(store)).toMatchObject({ ok: true });
    });

    it('AUTH-02 an RA agent registers a Windows Hello credential on another profile only with the user present; a sponsor may not; AUTH-03 several app servers share the challenges', async () => {
      const { store, ra } = await setUp();
      // A second application server over the same store verifies what the first issued.
      const other = createRegistrationAuthority({ store, clock: () => NOW, webauthn: RP });
      const hello = new SoftAuthenticator(ORIGIN, ['internal']);
      const input = { user: people.trainee, kind: 'windows-hello', label: 'Desk PC' } as const;
      await expect(ra.webauthn.registrationOptions(people.agent, input)).rejects.toMatchObject({
        code: 'POLICY_DENIED',
        rules: ['AUTH-02'],
      });
      await expect(
        ra.webauthn.registrationOptions(people.sponsor, { ...input, userPresent: true }),
      ).rejects.toMatchObject({ code: 'POLICY_DENIED' });
      const { options } = await ra.webauthn.registrationOptions(people.agent, {
        ...input,
        userPresent: true,
      });
      expect(options.authenticatorSelection?.authenticatorAttachment).toBe('platform');
      // The user answers on the agent's desk; only the agent who asked may send the answer.
      const response = hello.create(options);
      await refused(
        other.webauthn.verifyRegistration(people.trainee, { response }),
        'WEBAUTHN_CHALLENGE_UNKNOWN',
        'challenge',
      );
      const registered = await other.webauthn.verifyRegistration(people.agent, { response });
      expect(registered.authenticator).toMatchObject({
        user: people.trainee,
        kind: 'windows-hello',
        route: 'ra',
        registeredBy: people.agent,
      });
      expect(registered.credential.counter).toBe(0);
      // Counter 0 (an authenticator that keeps none) signs in again and again (WebAuthn §6.1.1).
      for (let i = 0; i < 2; i++) {
        const login = await other.webauthn.authenticationOptions();
        expect(login.options.allowCredentials).toEqual([]);
        const ok = await ra.webauthn.verifyAuthentication({ response: hello.get(login.options) });
        expect(ok).toMatchObject({ user: people.trainee, counter: 0 });
      }
      const denials = (await auditTail(store, 20)).filter((e) => e.outcome === 'denied');
      expect(denials.map((e) => e.activity)).toEqual([
        'webauthn.registration-options',
        'webauthn.registration-options',
      ]);
    });

    it('AUTH-03 two app servers verify the same assertion at once: one signs in, the other is refused as a replay; the counter moves once', async () => {
      const { store, ra } = await setUp();
      const other = createRegistrationAuthority({ store, clock: () => NOW, webauthn: RP });
      const key = new SoftAuthenticator(ORIGIN);
      const { options } = await ra.webauthn.registrationOptions(people.trainee, {
        kind: 'security-key',
        label: 'Key',
      });
      const { credential } = await ra.webauthn.verifyRegistration(people.trainee, {
        response: key.create(options, { counter: 3 }),
      });
      const login = await other.webauthn.authenticationOptions({ user: people.trainee });
      const response = key.get(login.options);
      const outcomes = await Promise.allSettled([
        ra.webauthn.verifyAuthentication({ response }),
        other.webauthn.verifyAuthentication({ response }),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toMatchObject({ code: 'WEBAUTHN_CHALLENGE_USED' });
      const stored = await store.transaction((tx) => tx.webAuthnCredentials.get(credential.id));
      expect(stored).toMatchObject({ counter: 4, version: 1 });
    });

    it('PROF-01 AUTH-02 a removed authenticator and a closed profile take their credentials with them: they never sign in again', async () => {
      const { store, ra } = await setUp();
      const keys = new SoftAuthenticator(ORIGIN);
      const register = async (label: string) => {
        const { options } = await ra.webauthn.registrationOptions(people.agent, {
          user: people.trainee,
          kind: 'security-key',
          label,
          userPresent: true,
        });
        return ra.webauthn.verifyRegistration(people.agent, { response: keys.create(options) });
      };
      const first = await register('first');
      const second = await register('second');
      const removed = await ra.authenticators.remove(people.agent, {
        authenticator: first.authenticator.id,
        userPresent: true,
      });
      expect(removed.changed).toContainEqual({
        kind: 'webAuthnCredentials',
        key: first.credential.id,
        op: 'update',
        version: 1,
      });
      let login = await ra.webauthn.authenticationOptions({ user: people.trainee });
      expect(login.options.allowCredentials?.map((c) => c.id)).toEqual([second.credential.id]);
      await refused(
        ra.webauthn.verifyAuthentication({
          response: keys.get(login.options, {}, keys.credentials[0]),
        }),
        'WEBAUTHN_CREDENTIAL_UNKNOWN',
      );
      const closed = await ra.users.close(people.ram, { user: people.trainee, reason: 'left' });
      expect(closed.changed).toContainEqual(
        expect.objectContaining({ kind: 'webAuthnCredentials', key: second.credential.id }),
      );
      const credential = await store.transaction((tx) =>
        tx.webAuthnCredentials.get(second.credential.id),
      );
      expect(credential?.removed).toEqual({ at: AT, by: people.ram });
      login = await ra.webauthn.authenticationOptions({ user: people.trainee });
      expect(login.options.allowCredentials).toEqual([]);
      await refused(
        ra.webauthn.verifyAuthentication({ response: keys.get(login.options) }),
        'WEBAUTHN_CREDENTIAL_UNKNOWN',
      );
      const failed = (await auditTail(store, 1))[0];
      expect(failed).toMatchObject({
        activity: 'webauthn.authenticate',
        outcome: 'failed',
        actor: people.trainee,
        reasons: [{ rule: 'OUTCOME', code: 'WEBAUTHN_CREDENTIAL_UNKNOWN' }],
      });
    });
  });
}

describe('AUTH-03 responses that do not verify are refused with a coded error and change nothing', () => {
  async function setUp(options: { userVerification?: 'required' } = {}) {
    const made = await storeCases[0]!.create();
    await seed(made.store, seedData, { at: AT, by: 'test-seed' });
    const clock = { now: NOW };
    const ra = createRegistrationAuthority({
      store: made.store,
      clock: () => clock.now,
      webauthn: { ...RP, ...options },
    });
    const key = new SoftAuthenticator(ORIGIN);
    const begin = () =>
      ra.webauthn.registrationOptions(people.trainee, { kind: 'security-key', label: 'Key' });
    return { store: made.store, ra, clock, key, begin };
  }

  it('AUTH-03 registration: wrong challenge, wrong origin, wrong RP ID, wrong type, no user presence: nothing stored, audited, the challenge still answerable', async () => {
    const { store, ra, key, begin } = await setUp();
    const { options } = await begin();
    const before = await snapshot(store);
    const cases = [
      [
        { challenge: Buffer.alloc(32, 7).toString('base64url') },
        'WEBAUTHN_CHALLENGE_UNKNOWN',
        'challenge',
      ],
      [{ origin: 'https://evil.example.org' }, 'WEBAUTHN_VERIFICATION_FAILED', 'origin'],
      [{ rpId: 'example.org' }, 'WEBAUTHN_VERIFICATION_FAILED', 'rp-id'],
      [{ type: 'webauthn.get' }, 'WEBAUTHN_VERIFICATION_FAILED', 'type'],
      [{ userPresent: false }, 'WEBAUTHN_VERIFICATION_FAILED', 'user-presence'],
    ] as const;
    const renamed = key.create(options);
    renamed.id = renamed.rawId = Buffer.alloc(16, 9).toString('base64url');
    await refused(
      ra.webauthn.verifyRegistration(people.trainee, { response: renamed }),
      'WEBAUTHN_VERIFICATION_FAILED',
      'response',
    );
    for (const [bend, code, check] of cases) {
      await refused(
        ra.webauthn.verifyRegistration(people.trainee, { response: key.create(options, bend) }),
        code,
        check,
      );
    }
    expect(await snapshot(store)).toEqual(before);
    const trail = await auditTail(store, cases.length);
    expect(trail.map((e) => [e.activity, e.outcome, e.reasons.at(-1)?.code])).toEqual(
      cases.map(([, code]) => ['webauthn.register', 'failed', code]),
    );
    // A refused response spent nothing: the right answer to the same options still registers.
    await ra.webauthn.verifyRegistration(people.trainee, { response: key.create(options) });
    expect((await snapshot(store)).credentials).toHaveLength(1);
  });

  it('AUTH-03 registration: a replayed response is refused (challenge used), an expired challenge too; a registration challenge does not sign in', async () => {
    const { store, ra, clock, key, begin } = await setUp();
    const { options } = await begin();
    const response = key.create(options);
    await ra.webauthn.verifyRegistration(people.trainee, { response });
    const before = await snapshot(store);
    await refused(
      ra.webauthn.verifyRegistration(people.trainee, { response }),
      'WEBAUTHN_CHALLENGE_USED',
    );
    await refused(
      ra.webauthn.verifyAuthentication({ response: key.get({ challenge: options.challenge }) }),
      'WEBAUTHN_CHALLENGE_UNKNOWN',
    );
    const late = await begin();
    clock.now = new Date(NOW.getTime() + 5 * 60_000);
    await refused(
      ra.webauthn.verifyRegistration(people.trainee, { response: key.create(late.options) }),
      'WEBAUTHN_CHALLENGE_EXPIRED',
    );
    expect(await snapshot(store)).toEqual(before);
  });

  it('AUTH-03 authentication: wrong challenge, origin, RP ID, signature, user handle, expired and replayed responses, a counter gone backwards: refused, the counter unchanged', async () => {
    const { store, ra, clock, key, begin } = await setUp();
    const { options } = await begin();
    const { credential } = await ra.webauthn.verifyRegistration(people.trainee, {
      response: key.create(options, { counter: 10 }),
    });
    const login = (await ra.webauthn.authenticationOptions({ user: people.trainee })).options;
    const counterOf = async () =>
      (await store.transaction((tx) => tx.webAuthnCredentials.get(credential.id)))?.counter;
    const bad = (bend: Parameters<SoftAuthenticator['get']>[1]) => {
      const response = key.get(login, bend);
      key.credentials[0]!.counter = 10;
      return response;
    };
    const tampered = bad({});
    tampered.response.signature = bad({ counter: 99 }).response.signature;
    const otherUser = bad({});
    otherUser.response.userHandle = Buffer.from(people.agent).toString('base64url');
    const cases = [
      [
        bad({ challenge: Buffer.alloc(32, 1).toString('base64url') }),
        'WEBAUTHN_CHALLENGE_UNKNOWN',
        'challenge',
      ],
      [bad({ origin: 'http://localhost:3000' }), 'WEBAUTHN_VERIFICATION_FAILED', 'origin'],
      [bad({ rpId: 'example.nhs.uk' }), 'WEBAUTHN_VERIFICATION_FAILED', 'rp-id'],
      [tampered, 'WEBAUTHN_VERIFICATION_FAILED', 'signature'],
      [otherUser, 'WEBAUTHN_VERIFICATION_FAILED', 'user-handle'],
      [bad({ counter: 9 }), 'WEBAUTHN_COUNTER_REGRESSED', 'counter'],
      [bad({ counter: 10 }), 'WEBAUTHN_COUNTER_REGRESSED', 'counter'],
      [bad({ counter: 0 }), 'WEBAUTHN_COUNTER_REGRESSED', 'counter'],
    ] as const;
    for (const [response, code, check] of cases) {
      await refused(ra.webauthn.verifyAuthentication({ response }), code, check);
      expect(await counterOf()).toBe(10);
    }
    const trail = await auditTail(store, cases.length);
    expect(trail.map((e) => [e.outcome, e.reasons[0]?.code])).toEqual(
      cases.map(([, code]) => ['failed', code]),
    );
    expect(trail.slice(1).every((e) => e.actor === people.trainee)).toBe(true);

    const good = key.get(login);
    expect((await ra.webauthn.verifyAuthentication({ response: good })).counter).toBe(11);
    await refused(ra.webauthn.verifyAuthentication({ response: good }), 'WEBAUTHN_CHALLENGE_USED');
    const later = (await ra.webauthn.authenticationOptions()).options;
    clock.now = new Date(NOW.getTime() + 301_000);
    await refused(
      ra.webauthn.verifyAuthentication({ response: key.get(later) }),
      'WEBAUTHN_CHALLENGE_EXPIRED',
    );
    expect(await counterOf()).toBe(11);
    expect(await verifyAudit(store)).toMatchObject({ ok: true });
  });

  it('AUTH-03 a credential for another named user, or an unknown one, is refused; user verification is enforced when the RA requires it', async () => {
    const { ra, key, begin } = await setUp({ userVerification: 'required' });
    const { options } = await begin();
    await refused(
      ra.webauthn.verifyRegistration(people.trainee, {
        response: key.create(options, { userVerified: false }),
      }),
      'WEBAUTHN_VERIFICATION_FAILED',
      'user-verification',
    );
    await ra.webauthn.verifyRegistration(people.trainee, { response: key.create(options) });
    const forAgent = (await ra.webauthn.authenticationOptions({ user: people.agent })).options;
    await refused(
      ra.webauthn.verifyAuthentication({ response: key.get(forAgent) }),
      'WEBAUTHN_CREDENTIAL_UNKNOWN',
    );
    const stranger = new SoftAuthenticator(ORIGIN);
    stranger.create({ challenge: 'x', rp: { id: RP.rpId }, user: { id: 'eA' } });
    const any = (await ra.webauthn.authenticationOptions()).options;
    await refused(
      ra.webauthn.verifyAuthentication({ response: stranger.get(any) }),
      'WEBAUTHN_CREDENTIAL_UNKNOWN',
    );
    await refused(
      ra.webauthn.verifyAuthentication({ response: key.get(any, { userVerified: false }) }),
      'WEBAUTHN_VERIFICATION_FAILED',
      'user-verification',
    );
  });

  it('AUTH-03 bad input is a ValidationError naming the field; an RA without relying-party settings refuses every ceremony', async () => {
    const { ra, key, begin } = await setUp();
    const { options } = await begin();
    const response = key.create(options);
    await expect(
      ra.webauthn.verifyRegistration(people.trainee, {
        response: {
          ...response,
          response: { ...response.response, clientDataJSON: 'not base64!' },
        },
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION', field: 'response.response.clientDataJSON' });
    await expect(
      ra.webauthn.registrationOptions(people.trainee, { kind: 'ipad' as never, label: 'x' }),
    ).rejects.toMatchObject({ code: 'VALIDATION', field: 'kind' });
    await expect(ra.webauthn.authenticationOptions({ user: '42' })).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'user',
    });
    const bare = createRegistrationAuthority({ store: (await storeCases[0]!.create()).store });
    await refused(bare.webauthn.authenticationOptions(), 'WEBAUTHN_NOT_CONFIGURED');
    for (const webauthn of [
      { ...RP, rpId: '10.0.0.1' },
      { ...RP, origins: ['https://elsewhere.example.org'] },
      { ...RP, origins: ['https://ra.example.nhs.uk/desk'] },
      { ...RP, challengeTtlSeconds: 5 },
    ]) {
      expect(() => createRegistrationAuthority({ store: bare as never, webauthn })).toThrow(
        expect.objectContaining({ code: 'VALIDATION' }),
      );
    }
  });

  it('AUTH-03 any JavaScript value at the four ceremonies is answered with a CareIdError only; the audit chain verifies', async () => {
    const { store, ra, key, begin } = await setUp();
    const { options } = await begin();
    const good = key.create(options);
    const anything = fc.anything({ withNullPrototype: true, withTypedArray: true, maxDepth: 3 });
    // Values near the real shape too: a real response with one field replaced.
    const nearResponse = fc
      .tuple(fc.constantFrom('id', 'rawId', 'type', 'response', 'clientExtensionResults'), anything)
      .map(([field, value]) => ({ response: { ...good, [field]: value } }));
    const input = fc.oneof(anything, nearResponse);
    const calls = [
      (i: unknown) => ra.webauthn.registrationOptions(people.trainee, i as never),
      (i: unknown) => ra.webauthn.verifyRegistration(people.trainee, i as never),
      (i: unknown) => ra.webauthn.authenticationOptions(i as never),
      (i: unknown) => ra.webauthn.verifyAuthentication(i as never),
    ];
    await fc.assert(
      fc.asyncProperty(fc.nat(calls.length - 1), input, async (which, value) => {
        try {
          await calls[which]!(value);
        } catch (error) {
          if (!(error instanceof CareIdError)) throw error;
        }
      }),
      { numRuns: 1000, seed: 3 },
    );
    // Only the genuine attestation can have registered (with a harmless field replaced).
    const { credentials } = await snapshot(store);
    expect(credentials.map((c) => c.id)).toEqual(credentials.length === 0 ? [] : [good.id]);
    expect(await verifyAudit(store)).toMatchObject({ ok: true });
  });
});
