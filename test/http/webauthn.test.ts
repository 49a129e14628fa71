import { afterEach, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/http/index.js';
import { people } from '../ra/fixtures.js';
import { SoftAuthenticator } from '../support/soft-authenticator.js';
import { startRa } from './server.js';

const ORIGIN = 'https://ra.example.nhs.uk';
const webauthn = { rpId: 'ra.example.nhs.uk', rpName: 'Example RA', origins: [ORIGIN] };

type Served = Awaited<ReturnType<typeof startRa>>;
let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

describe('careid/http WebAuthn routes (AUTH-01..03)', () => {
  it('AUTH-02 AUTH-03 an RA agent registers a security key over HTTP; the user signs in without an actor; refusals carry their code and status', async () => {
    served = await startRa({ webauthn });
    const { call, auditTrail } = served;
    const key = new SoftAuthenticator(ORIGIN);
    const start = {
      user: people.trainee,
      kind: 'security-key',
      label: 'YubiKey',
      userPresent: true,
    };
    expect((await call('/webauthn/registration/options', { json: start })).status).toBe(401);
    const begun = await call('/webauthn/registration/options', {
      actor: people.agent,
      json: start,
    });
    expect(begun.status).toBe(200);
    const { options, expiresAt } = (await begun.json()) as { options: never; expiresAt: string };
    expect(expiresAt).toMatch(/Z$/);
    const wrongOrigin = await call('/webauthn/registration/verify', {
      actor: people.agent,
      json: { response: key.create(options, { origin: 'https://evil.example.org' }) },
    });
    expect(wrongOrigin.status).toBe(422);
    expect(await wrongOrigin.json()).toMatchObject({
      name: 'WebAuthnError',
      code: 'WEBAUTHN_VERIFICATION_FAILED',
      check: 'origin',
    });
    const response = key.create(options);
    const done = await call('/webauthn/registration/verify', {
      actor: people.agent,
      json: { response },
    });
    expect(done.status).toBe(200);
    const registered = (await done.json()) as { authenticator: { id: string }; credential: object };
    expect(registered).toMatchObject({
      type: 'webauthn.register',
      authenticator: { user: people.trainee, kind: 'security-key', route: 'ra' },
    });
    expect(registered.credential).not.toHaveProperty('publicKey');
    const replay = await call('/webauthn/registration/verify', {
      actor: people.agent,
      json: { response },
    });
    expect(replay.status).toBe(409);
    expect(await replay.json()).toMatchObject({ code: 'WEBAUTHN_CHALLENGE_USED' });

    // The sign-in routes need no actor.
    const login = await call('/webauthn/authentication/options', { json: {} });
    expect(login.status).toBe(200);
    const request = ((await login.json()) as { options: { challenge: string } }).options;
    const bad = await call('/webauthn/authentication/verify', { json: { response: {} } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'VALIDATION' });
    const signedIn = await call('/webauthn/authentication/verify', {
      json: { response: key.get(request) },
    });
    expect(signedIn.status).toBe(200);
    expect(await signedIn.json()).toMatchObject({
      type: 'webauthn.authenticate',
      user: people.trainee,
      authenticator: registered.authenticator.id,
    });
    const trail = await auditTrail();
    expect(trail.map((e) => [e.activity, e.outcome]).slice(-5)).toEqual([
      ['webauthn.registration-options', 'allowed'],
      ['webauthn.register', 'failed'],
      ['webauthn.register', 'allowed'],
      ['webauthn.register', 'failed'],
      ['webauthn.authenticate', 'allowed'],
    ]);
  });

  it('AUTH-03 an RA without relying-party settings answers 501; the OpenAPI document describes the four routes, sign-in ones without an actor', async () => {
    served = await startRa();
    const res = await served.call('/webauthn/authentication/options', { json: {} });
    expect(res.status).toBe(501);
    expect(await res.json()).toMatchObject({ code: 'WEBAUTHN_NOT_CONFIGURED' });
    const doc = openApiDocument();
    type Op = { security?: unknown[]; responses: Record<string, unknown>; requestBody?: object };
    const op = (path: string) => (doc.paths[path] as { post: Op }).post;
    for (const path of ['/webauthn/registration/options', '/webauthn/registration/verify']) {
      expect(op(path).security).toBeUndefined();
      expect(Object.keys(op(path).responses)).toContain('401');
    }
    expect(Object.keys(op('/webauthn/registration/verify').responses)).toContain('422');
    for (const path of ['/webauthn/authentication/options', '/webauthn/authentication/verify']) {
      expect(op(path).security).toEqual([]);
      expect(Object.keys(op(path).responses)).not.toContain('401');
      expect(op(path).requestBody).toBeDefined();
    }
    expect(Object.keys(op('/webauthn/authentication/verify').responses)).toEqual(
      expect.arrayContaining(['200', '400', '409', '422', '501']),
    );
  });
});
