import { createDecipheriv, createHash, createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFor, ROOT_DIST } from '../../bench/bundle/build.js';
import type * as Careid from '../../src/index.js';
import { canonicalJson } from '../../src/storage/index.js';
import { applicant, NOW, people, seedData } from '../ra/fixtures.js';
import { launchChromium } from './chromium.js';

/** What the page's `careid` global is: the root's exports used below, from the built dist. */
const NAMES = [
  'aesGcmKeyVault',
  'createRegistrationAuthority',
  'memoryCheckpointSink',
  'memorySealedStorage',
  'memoryStore',
  'seed',
  'verifyAudit',
  'withAuditCheckpoints',
] as const;
type InPage = Pick<typeof Careid, (typeof NAMES)[number]>;

/** What the page sends back, as JSON. */
interface Outcome {
  readonly created: { type: string; uuid: string; changed: { kind: string }[] };
  readonly found: readonly { uuid: string }[];
  readonly denied: { name: string; code: string };
  readonly invalid: { name: string; code: string; field: string };
  readonly verification: { ok: boolean; count: number };
  readonly records: readonly Careid.AuditRecord[];
  readonly checkpoints: readonly Careid.AuditCheckpoint[];
  readonly sealed: readonly number[];
  readonly opened: { managementKey: number[]; managementAlgorithm: string; puk: string };
}

const CHECKPOINT_KEY = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const VAULT_KEY = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
const SERIAL = '0612345678';

let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(ROOT_DIST)) throw new Error('dist/ is missing: run `npx tsup` first');
  browser = await launchChromium();
  page = await browser.newPage();
  const bundle = await bundleFor(ROOT_DIST, NAMES, { format: 'iife', globalName: 'careid' });
  await page.setContent('<!doctype html><title>careid</title>');
  await page.addScriptTag({ content: bundle.code });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

/** The whole scenario, run in the page on the bundled root (no Node in it). */
async function scenario(input: {
  seedData: Careid.SeedData;
  command: Careid.CommandInput;
  at: string;
  agent: string;
  trainee: string;
  checkpointKey: number[];
  vaultKey: number[];
  serial: string;
}): Promise<Outcome> {
  const careid = (globalThis as unknown as { careid: InPage }).careid;
  const key = Uint8Array.from(input.checkpointKey);
  const sink = careid.memoryCheckpointSink();
  const store = careid.withAuditCheckpoints(careid.memoryStore(), { key, sink });
  await careid.seed(store, input.seedData, { at: input.at as never, by: 'browser-seed' });
  const storage = careid.memorySealedStorage();
  const keyVault = careid.aesGcmKeyVault({ key: Uint8Array.from(input.vaultKey), storage });
  const ra = careid.createRegistrationAuthority({
    store,
    keyVault,
    clock: () => new Date(input.at),
  });
  const created = await ra.execute(input.agent, input.command);
  const uuid = created.changed.find((c) => c.kind === 'users')?.key ?? '';
  const found = await ra.queries.query(input.agent, { type: 'user.find', uuid, page: {} });
  const refusal = async (run: () => Promise<unknown>) => {
    try {
      await run();
      return { name: 'none', code: 'none', field: '' };
    } catch (error) {
      const e = error as { name: string; code: string; field?: string };
      return { name: e.name, code: e.code, field: e.field ?? '' };
    }
  };
  // A trainee may not create users; the denial is audited (AUD-01).
  const denied = await refusal(() => ra.execute(input.trainee, input.command));
  const invalid = await refusal(() =>
    ra.execute(input.agent, { ...input.command, dateOfBirth: '05/05/1995' } as never),
  );
  const verification = await careid.verifyAudit(store, { checkpoints: await sink.read(), key });
  const records = (await store.transaction((tx) => tx.audit.read({ limit: 1000 }))).items;
  const secrets = {
    managementKey: Uint8Array.from({ length: 32 }, (_, i) => i),
    managementAlgorithm: 'AES-256' as const,
    puk: '40718263',
  };
  await keyVault.put(input.serial as never, secrets);
  const opened = await keyVault.get(input.serial as never);
  return {
    created: { type: created.type, uuid, changed: created.changed.map((c) => ({ kind: c.kind })) },
    found: found.items.map((u) => ({ uuid: (u as { uuid: string }).uuid })),
    denied,
    invalid,
    verification: { ok: verification.ok, count: verification.count },
    records: JSON.parse(JSON.stringify(records)),
    checkpoints: await sink.read(),
    sealed: Array.from((await storage.get(input.serial)) ?? []),
    opened: {
      managementKey: Array.from(opened?.managementKey ?? []),
      managementAlgorithm: opened?.managementAlgorithm ?? '',
      puk: opened?.puk ?? '',
    },
  };
}

describe('careid (the root, built dist) bundled for the browser, run in headless Chromium', () => {
  it('ID-05 AUD-01 AUD-02 AUD-03: an in-memory RA creates a user, refuses and audits, verifies its audit chain and checkpoints, and seals card secrets, all in the page; Node checks the hashes, MACs and envelope with its own crypto', async () => {
    const outcome = (await page.evaluate(
      `(${scenario.toString()})(${JSON.stringify({
        seedData,
        command: { type: 'user.create', ...applicant },
        at: NOW.toISOString(),
        agent: people.agent,
        trainee: people.trainee,
        checkpointKey: [...CHECKPOINT_KEY],
        vaultKey: [...VAULT_KEY],
        serial: SERIAL,
      })})`,
    )) as Outcome;

    // The RA ran: a user with a 12-digit UUID (ID-05), found again by a query.
    expect(outcome.created.type).toBe('user.create');
    expect(outcome.created.uuid).toMatch(/^[1-9]\d{11}$/);
    expect(outcome.found.map((u) => u.uuid)).toContain(outcome.created.uuid);
    expect(outcome.denied).toMatchObject({ name: 'PolicyDeniedError', code: 'POLICY_DENIED' });
    expect(outcome.invalid).toMatchObject({ code: 'VALIDATION', field: 'dateOfBirth' });

    // The chain verified in the page, and its hashes are SHA-256 as Node computes them.
    expect(outcome.verification).toEqual({ ok: true, count: outcome.records.length });
    const activities = outcome.records.map((r) => `${r.event.activity}:${r.event.outcome}`);
    // The seed, the user created, the trainee's denial and the bad date's refusal (AUD-01).
    expect(activities).toEqual([
      'system.seed:allowed',
      'user.create:allowed',
      'user.create:denied',
      'user.create:failed',
    ]);
    let prevHash = '0'.repeat(64);
    for (const [i, record] of outcome.records.entries()) {
      expect(record.seq).toBe(i + 1);
      expect(record.prevHash).toBe(prevHash);
      const text = canonicalJson({ seq: record.seq, prevHash, event: record.event });
      expect(record.hash).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
      prevHash = record.hash;
    }

    // AUD-03: the page's checkpoints carry HMAC-SHA-256 as Node computes it, the last one of the head.
    expect(outcome.checkpoints.length).toBeGreaterThan(0);
    for (const c of outcome.checkpoints) {
      const text = canonicalJson({ v: 1, seq: c.seq, hash: c.hash, at: c.at, keyId: c.keyId });
      expect(c.mac).toBe(createHmac('sha256', CHECKPOINT_KEY).update(text).digest('hex'));
    }
    expect(outcome.checkpoints.at(-1)).toMatchObject({
      seq: outcome.records.length,
      hash: prevHash,
    });

    // AUD-02: the card secrets sealed in the page open with Node's AES-256-GCM, bound to the serial.
    const sealed = Uint8Array.from(outcome.sealed);
    expect(sealed[0]).toBe(1);
    const decipher = createDecipheriv('aes-256-gcm', VAULT_KEY, sealed.subarray(1, 13));
    decipher.setAAD(new TextEncoder().encode(SERIAL));
    decipher.setAuthTag(sealed.subarray(13, 29));
    const plain = Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]);
    expect(JSON.parse(plain.toString('utf8'))).toEqual({
      managementKey: Buffer.from(Uint8Array.from({ length: 32 }, (_, i) => i)).toString('hex'),
      managementAlgorithm: 'AES-256',
      puk: '40718263',
    });
    expect(outcome.opened).toEqual({
      managementKey: Array.from({ length: 32 }, (_, i) => i),
      managementAlgorithm: 'AES-256',
      puk: '40718263',
    });
  });
});
