import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpHandler, toNodeListener } from '../../src/http/index.js';
import { createRegistrationAuthority, seed } from '../../src/ra/index.js';
import { memoryStore, type Store, verifyAudit } from '../../src/storage/index.js';
import { AT, NOW, people, seedData } from '../ra/fixtures.js';
import { launchChromium } from './chromium.js';

/** Debian's Chromium, installed by scripts/setup-system.sh; nothing is downloaded. */

/**
 * The page a front end would serve: it asks careid/http for options, runs the browser's
 * own WebAuthn (`navigator.credentials`), and posts the answer back. The actor is the test
 * host's sign-in (a bearer UUID), as in test/http/server.ts.
 */
const PAGE = `<!doctype html><title>careid WebAuthn</title><script>
async function post(path, body, actor) {
  const headers = { 'content-type': 'application/json' };
  if (actor) headers.authorization = 'Bearer ' + actor;
  const res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}
window.register = async (actor, input) => {
  const begun = await post('/webauthn/registration/options', input, actor);
  if (begun.status !== 200) return begun;
  const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(begun.body.options);
  const credential = await navigator.credentials.create({ publicKey });
  return post('/webauthn/registration/verify', { response: credential.toJSON() }, actor);
};
window.signIn = async (input) => {
  const begun = await post('/webauthn/authentication/options', input);
  if (begun.status !== 200) return begun;
  const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(begun.body.options);
  const credential = await navigator.credentials.get({ publicKey });
  return post('/webauthn/authentication/verify', { response: credential.toJSON() });
};
</script>`;

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

let browser: Browser;
let server: Server;
let store: Store;
let origin: string;

beforeAll(async () => {
  // The port first: the RP's origin names it. RP ID 'localhost' (an IP is not a valid RP ID).
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  store = memoryStore();
  await seed(store, seedData, { at: AT, by: 'test-seed' });
  const ra = createRegistrationAuthority({
    store,
    clock: () => NOW,
    webauthn: { rpId: 'localhost', rpName: 'careid test RA', origins: [origin] },
  });
  const handler = createHttpHandler({
    ra,
    store,
    clock: () => NOW,
    authenticate: (req) =>
      /^Bearer (\S+)$/.exec(req.headers.get('authorization') ?? '')?.[1] ?? null,
  });
  const api = toNodeListener(handler);
  server.on('request', (req, res) => {
    if (req.method === 'GET' && req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      return;
    }
    void api(req, res);
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => {
    server?.closeAllConnections();
    server?.close(() => resolve());
  });
});

/** A fresh page at the RA's origin with a CDP virtual authenticator of the given transport. */
async function pageWith(
  transport: 'usb' | 'internal',
): Promise<{ page: Page; cdp: CDPSession; authenticatorId: string }> {
  const page = await browser.newPage();
  await page.goto(`${origin}/`);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport,
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { page, cdp, authenticatorId };
}

/** The page's two functions (see PAGE), as the page sees them. */
interface InPage {
  register(actor: string, input: object): Promise<Answer>;
  signIn(input: object): Promise<Answer>;
}
const register = (page: Page, actor: string, input: object) =>
  page.evaluate(([a, i]) => (globalThis as unknown as InPage).register(a, i), [
    actor,
    input,
  ] as const);
const signIn = (page: Page, input: object) =>
  page.evaluate((i) => (globalThis as unknown as InPage).signIn(i), input);

describe('WebAuthn in headless Chromium with a CDP virtual authenticator', () => {
  it('AUTH-02 AUTH-03 an RA agent registers a security key (ctap2, usb) for a user present, who then signs in with it; the store holds the credential and its counter', async () => {
    const { page, cdp, authenticatorId } = await pageWith('usb');
    try {
      const denied = await register(page, people.agent, {
        user: people.trainee,
        kind: 'security-key',
        label: 'YubiKey',
      });
      expect(denied.status).toBe(403);
      const done = await register(page, people.agent, {
        user: people.trainee,
        kind: 'security-key',
        label: 'YubiKey',
        userPresent: true,
      });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect(done.body).toMatchObject({
        type: 'webauthn.register',
        authenticator: { user: people.trainee, kind: 'security-key', route: 'ra' },
        credential: { user: people.trainee, transports: expect.arrayContaining(['usb']) },
      });
      const credentialId = (done.body['credential'] as { id: string }).id;
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      expect(
        credentials.map((c) => Buffer.from(c.credentialId, 'base64').toString('base64url')),
      ).toEqual([credentialId]);

      const first = await signIn(page, { user: people.trainee });
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body).toMatchObject({ user: people.trainee, credential: credentialId });
      const second = await signIn(page, {});
      expect(second.status, JSON.stringify(second.body)).toBe(200);
      const stored = await store.transaction((tx) => tx.webAuthnCredentials.get(credentialId));
      expect(stored?.user).toBe(people.trainee);
      expect(stored?.removed).toBeUndefined();
      // The virtual authenticator's own counter is the one the RA now holds.
      const [held] = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
      expect(stored?.counter).toBe(held?.signCount);
      expect(second.body['counter']).toBe(held?.signCount);
    } finally {
      await page.close();
    }
  });

  it('AUTH-01 PROF-01 a user registers Windows Hello (ctap2, internal) on their own profile; once their profile is closed the passkey no longer signs in', async () => {
    const { page } = await pageWith('internal');
    try {
      const done = await register(page, people.sponsor, { kind: 'windows-hello', label: 'Laptop' });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect(done.body).toMatchObject({
        authenticator: { user: people.sponsor, kind: 'windows-hello', route: 'self' },
        credential: { discoverable: true },
      });
      const ok = await signIn(page, {});
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect(ok.body['user']).toBe(people.sponsor);
      const ra = createRegistrationAuthority({ store, clock: () => NOW });
      await ra.users.close(people.ram, { user: people.sponsor, reason: 'left the trust' });
      const refused = await signIn(page, {});
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ code: 'WEBAUTHN_CREDENTIAL_UNKNOWN' });
      expect(await verifyAudit(store)).toMatchObject({ ok: true });
    } finally {
      await page.close();
    }
  });
});
