import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type CDPSession, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Uuid } from '../../src/domain/index.js';
import type { Store } from '../../src/storage/index.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';

// The reference desk (examples/desk) end to end: its server started as its own process on
// a SQLite store, exactly as `npm run desk` starts it, and its page driven in Debian's
// headless Chromium. Results are checked on the page and in the store the desk writes.

const root = join(import.meta.dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const SAM = '555000000003';
const PRIYA = '555000000001';

let dir: string;
let server: ChildProcess;
let url: string;
let browser: Browser;
let page: Page;
let cdp: CDPSession;
let authenticatorId: string;
let store: Store;
let alex: Uuid;

/** Starts the desk and resolves with the URL it prints once listening. */
function startDesk(storeFile: string): Promise<string> {
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  const args = ['--tsconfig', 'examples/desk/tsconfig.json', 'examples/desk/server.ts'];
  server = spawn(tsx, [...args, '--port', '0', '--store', storeFile, '--data-dir', dir], {
    cwd: root,
    env: { ...process.env, CAREID_VAULT_KEY: randomBytes(32).toString('base64') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    server.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /careid desk on (http:\/\/\S+)\//.exec(output);
      if (found) resolve(found[1]!);
    });
    server.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    server.once('exit', (code) => reject(new Error(`the desk exited (${code}):\n${output}`)));
  });
}

const visible = (selector: string) => page.locator(selector).isVisible();
const text = async (selector: string) => (await page.locator(selector).textContent()) ?? '';

async function signInAs(uuid: string) {
  await page.goto(url);
  await page.waitForSelector('body[data-ready]');
  if (await visible('#session')) {
    await page.click('#sign-out');
    await page.waitForSelector('body[data-ready] #sign-in:not([hidden])');
  }
  await page.click(`#people button[data-uuid="${uuid}"]`);
  await page.waitForSelector('#session:not([hidden])');
}

async function openAlex() {
  await page.fill('#find-name', 'Rivers');
  await page.click('#find-go');
  await page.click(`#results button[data-uuid="${alex}"]`);
  // The page names the profile once its positions, cards and buttons are drawn.
  await page.waitForSelector(`#profile[data-loaded="${alex}"]:not([hidden])`);
}

const positionsOfAlex = async () =>
  (
    await store.transaction((tx) => tx.positionAssignments.historyForUser(alex, { limit: 100 }))
  ).items.map((a) => a.position);

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    throw new Error('dist/ is missing: run `npx tsup` first (the desk imports careid from it)');
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run \`bash scripts/setup-system.sh\` to install it`);
  }
  dir = mkdtempSync(join(tmpdir(), 'careid-desk-'));
  const file = join(dir, 'desk.sqlite');
  [url, browser] = await Promise.all([
    startDesk(file),
    chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    }),
  ]);
  store = sqliteStore(file);
  const found = await store.transaction((tx) =>
    tx.users.searchByName({ family: 'Rivers' }, { limit: 5 }),
  );
  alex = found.items[0]!.uuid;
  page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  page.setDefaultTimeout(15_000);
  // A security key for WebAuthn (AUTH-03): Chromium's virtual authenticator, touched at once.
  cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'usb',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  }));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the reference RA desk in headless Chromium', () => {
  it('ROLE-03, SOD-05, REQ-01, REQ-02, REP-01, CARD-01, CARD-02, CARD-03: sign in, find, buttons by careid/policy in the browser, a denial with its rule, a request raised and accepted, a CSV export, a card issued and unlocked', async () => {
    // A sponsor signs in (a development sign-in, and the page says so) and finds Alex.
    await signInAs(SAM);
    expect(await text('#dev-banner')).toMatch(/Development sign-in.*never for production/s);
    await openAlex();
    expect(await text('#positions')).toContain('pos-dispenser');
    // whatCan in the browser: a sponsor may assign (assignable list) and raise requests,
    // never issue a card, even with the user present.
    await page.check('#user-present');
    expect(await visible('#assign-form')).toBe(true);
    expect(await visible('#raise-form')).toBe(true);
    expect(await visible('#issue-form')).toBe(false);

    // ROLE-03: the Pharmacist post is not on Sam's assignable list: refused, nothing written.
    await page.fill('#assign-position', 'pos-pharmacist');
    await page.click('#assign-go');
    await page.waitForSelector('#denial:not([hidden])');
    expect(await text('#denial .reason')).toBe(
      'ROLE-03: The position is not on the assignable list of your sponsor position at FA123; raise a request for an RA agent instead.',
    );
    expect(await positionsOfAlex()).toEqual(['pos-dispenser']);

    // REQ-01: so Sam raises a request; SOD-05: he is offered no Accept on his own request.
    await page.fill('#raise-position', 'pos-pharmacist');
    await page.fill('#raise-reason', 'covering the new Saturday clinic');
    await page.click('#raise-go');
    await page.waitForSelector('#requests tr[data-request]');
    expect(await page.locator('#requests button.accept').count()).toBe(0);

    // An RA agent accepts it (REQ-02): the position is assigned, in the store and on screen.
    await signInAs(PRIYA);
    await openAlex();
    await page.click('#requests button.accept');
    await page.waitForSelector('#notice:has-text("accepted")');
    expect(await text('#positions')).toContain('pos-pharmacist');
    expect(await positionsOfAlex()).toContain('pos-pharmacist');
    const requests = await store.transaction((tx) => tx.requests.list({}, { limit: 10 }));
    expect(requests.items.map((r) => [r.state, r.requestedBy, r.decision?.by])).toEqual([
      ['accepted', SAM, PRIYA],
    ]);

    // She assigns a position directly.
    await page.fill('#assign-position', 'pos-counter');
    await page.click('#assign-go');
    await page.waitForSelector('#notice:has-text("pos-counter assigned")');
    expect(await positionsOfAlex()).toContain('pos-counter');

    // REP-01: a report exported as CSV, downloaded by the browser.
    await page.selectOption('#report', 'profiles');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    expect(download.suggestedFilename()).toBe('profiles.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe(
      'Organisation,UUID,Family name,Given name,Status,Has email,Has NI number',
    );
    expect(csv).toContain(`FA123,${alex},Rivers,Alex,open,false,true`);

    // CARD-01/02: the RA agent may issue only with Alex present; Alex types the passcode.
    await page.uncheck('#user-present');
    expect(await visible('#issue-form')).toBe(false);
    await page.check('#user-present');
    expect(await visible('#issue-form')).toBe(true);
    await page.fill('#issue-passcode', '246810');
    await page.click('#issue-go');
    await page.waitForSelector('#card-result:has-text("is issued")');
    const steps = await page.locator('#progress li').allTextContents();
    expect(steps).toEqual(
      expect.arrayContaining([
        'taking the blank card into stock',
        'generating the key on the card (slot 9A)',
        'issuing the certificate',
      ]),
    );
    const cards = await store.transaction((tx) => tx.smartcards.byHolder(alex));
    expect(cards.map((c) => c.status)).toEqual(['issued']);
    const serial = cards[0]!.serial;
    expect(await text('#cards')).toContain(serial);
    expect(await page.inputValue('#issue-passcode')).toBe('');

    // CARD-02: three wrong passcodes at the reader block it; only then is Unlock offered.
    expect(await visible('#unlock-form')).toBe(false);
    for (const tries of ['2', '1', '0']) {
      await page.fill('#try-passcode', '000000');
      await page.click('#try-go');
      await page.waitForSelector(`#reader-state[data-tries-left="${tries}"]`);
    }
    expect(await text('#reader-state')).toContain('passcode blocked');
    expect(await visible('#unlock-form')).toBe(true);
    // CARD-03: never with the holder away from the desk.
    await page.uncheck('#user-present');
    expect(await visible('#unlock-form')).toBe(false);
    await page.check('#user-present');

    // CARD-03: unlocked with Alex present typing a new passcode, which then works.
    await page.fill('#unlock-passcode', '13572468');
    await page.click('#unlock-go');
    await page.waitForSelector('#card-result:has-text("is issued")');
    expect(await page.locator('#progress li').allTextContents()).toContain(
      'unblocking the passcode with the PUK the RA keeps',
    );
    await page.waitForSelector('#reader-state[data-tries-left="3"]');
    await page.fill('#try-passcode', '13572468');
    await page.click('#try-go');
    await page.waitForSelector('#notice:has-text("Passcode right")');
    const after = await store.transaction((tx) => tx.smartcards.get(serial));
    expect(after?.status).toBe('issued');
    const audit = await store.transaction((tx) => tx.audit.read({ limit: 1000 }));
    const activities = audit.items.map((r) => r.event.activity);
    expect(activities).toEqual(
      expect.arrayContaining(['smartcard.issue', 'smartcard.unlock', 'report.export']),
    );
    // AUD-02: no passcode typed in the page reached the audit log.
    const logged = JSON.stringify(audit.items);
    for (const secret of ['246810', '13572468']) expect(logged).not.toContain(secret);
  });
  it('AUTH-01, AUTH-02, AUTH-03: an RA agent registers a security key on a profile with the user present (a stale page is refused with its rule), it is listed and stored with its credential, the user signs in with it, the browser refuses it twice on one profile, and once removed it signs in no more', async () => {
    // The page is served at http://localhost:PORT, the desk's WebAuthn origin.
    expect(new URL(url).hostname).toBe('localhost');
    await signInAs(PRIYA);
    await openAlex();
    // AUTH-02: on another's profile, only with the user present.
    expect(await visible('#key-form')).toBe(false);
    await page.check('#user-present');
    expect(await visible('#key-form')).toBe(true);

    // The server decides: a page whose box was cleared without its buttons being redrawn
    // asks without the user present and is refused with AUTH-02; nothing is stored.
    await page.locator('#user-present').evaluate((box) => {
      (box as unknown as { checked: boolean }).checked = false;
    });
    await page.fill('#key-label', 'YubiKey 5 NFC');
    await page.click('#key-go');
    await page.waitForSelector('#denial:not([hidden]) .reason[data-rule="AUTH-02"]');
    const none = await store.transaction((tx) => tx.authenticators.byUser(alex));
    expect(none).toEqual([]);

    // With Alex present, he touches the key: careid verifies and stores it.
    await page.uncheck('#user-present');
    await page.check('#user-present');
    await page.click('#key-go');
    await page.waitForSelector('#notice:has-text("Security key YubiKey 5 NFC registered")');
    const [records, credentials] = await store.transaction((tx) =>
      Promise.all([tx.authenticators.byUser(alex), tx.webAuthnCredentials.byUser(alex)]),
    );
    expect(records).toMatchObject([
      { kind: 'security-key', label: 'YubiKey 5 NFC', route: 'ra', registeredBy: PRIYA },
    ]);
    expect(credentials).toHaveLength(1);
    const credential = credentials[0]!;
    expect(credential).toMatchObject({
      user: alex,
      authenticator: records[0]!.id,
      transports: ['usb'],
      counter: expect.any(Number),
    });
    expect(credential.removed).toBeUndefined();
    // The credential the virtual key holds is the one the RA stored.
    const held = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(
      held.credentials.map((c) => Buffer.from(c.credentialId, 'base64').toString('base64url')),
    ).toEqual([credential.id]);
    // Listed on the profile, with its credential.
    const listed = page.locator(`#authenticators tr[data-credential="${credential.id}"]`);
    expect(await listed.textContent()).toMatch(/security-key.*YubiKey 5 NFC.*by the RA.*usb/);
    expect(await page.inputValue('#key-label')).toBe('');

    // AUTH-03: Alex signs in with it (the browser offers the passkey; no name picked).
    await page.click('#sign-out');
    await page.waitForSelector('body[data-ready] #sign-in:not([hidden])');
    await page.click('#key-sign-in');
    await page.waitForSelector('#session:not([hidden])');
    expect(await text('#me')).toContain(alex);

    // AUTH-01: on his own profile he may register a key himself, no RA agent present; the
    // key he holds is already his, so the browser refuses it (the RA excludes it) and the
    // page says why.
    await openAlex();
    expect(await visible('#key-form')).toBe(true);
    await page.fill('#key-label', 'The same key again');
    await page.click('#key-go');
    await page.waitForSelector('#denial:not([hidden]):has-text("InvalidStateError")');
    expect(await store.transaction((tx) => tx.webAuthnCredentials.byUser(alex))).toHaveLength(1);

    // AUTH-01: he removes it; its credential is kept, marked removed, and never signs in
    // again: the page shows careid's code and message.
    await page.click(`#authenticators tr[data-credential="${credential.id}"] button.remove`);
    await page.waitForSelector('#notice:has-text("YubiKey 5 NFC removed")');
    expect(await page.locator('#authenticators tr').count()).toBe(0);
    const removed = await store.transaction((tx) => tx.webAuthnCredentials.get(credential.id));
    expect(removed?.removed?.by).toBe(alex);
    await page.click('#sign-out');
    await page.waitForSelector('body[data-ready] #sign-in:not([hidden])');
    await page.click('#key-sign-in');
    await page.waitForSelector('#denial:not([hidden])');
    expect(await text('#denial')).toMatch(/^WEBAUTHN_CREDENTIAL_UNKNOWN: \S/);
    expect(await visible('#session')).toBe(false);

    const audit = await store.transaction((tx) => tx.audit.read({ limit: 1000 }));
    const ceremonies = audit.items
      .filter((r) => /^(webauthn|authenticator)\./.test(r.event.activity))
      .map((r) => [r.event.activity, r.event.outcome]);
    expect(ceremonies).toEqual(
      expect.arrayContaining([
        ['webauthn.registration-options', 'denied'],
        ['webauthn.register', 'allowed'],
        ['webauthn.authenticate', 'allowed'],
        ['authenticator.remove', 'allowed'],
      ]),
    );
  });
});
