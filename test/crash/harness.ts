/**
 * Crash safety, proved by killing processes (issue 13). For each card operation, on one
 * store: a clean run through a worker process counts its APDUs; then, for every APDU n,
 * before the card sees it and after the card answered it, a fresh round readies a card
 * and a holder, a worker process runs the operation and is SIGKILLed at APDU n, and this
 * process plays the restarted host: it runs the documented recovery step
 * (`smartcards.reconcile` with `olderThanMinutes: 0`, as at start-up) and checks the
 * invariants, then runs the operation again to completion and checks them again.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import {
  connectVirtualCard,
  decodeTlv,
  findTlv,
  holderOfGuid,
  PivSession,
  VirtualPivCard,
} from '../../src/card/index.js';
import { METADATA_PUBLIC_KEY, VendorIns } from '../../src/card/piv/constants.js';
import { createCaKeys } from '../../src/cli/ca-keys.js';
import type { CardStatus } from '../../src/domain/index.js';
import {
  createOcspRequest,
  parseCertificate,
  parseCrl,
  parseOcspResponse,
} from '../../src/pki/index.js';
import { type CardReader, seed } from '../../src/ra/index.js';
import { secretCandidates } from '../../src/ra/smartcards/card-steps.js';
import { verifyAudit } from '../../src/storage/index.js';
import { AT, applicant, NOW, people, seedData } from '../ra/fixtures.js';
import { type KillPoint, WorkerPool } from './pool.js';
import {
  caKeysPath,
  type Job,
  type Operation,
  openStore,
  openWorld,
  runOperation,
  type WorldConfig,
} from './world.js';

const DAY = 86_400_000;
const PASSCODE = '246810';
const PHOTO = Buffer.from('careid crash test facial image').toString('base64');

/** A world: a store, the CA and vault beside it, this process's RA over them, a worker pool. */
export async function createWorld(
  store: Pick<WorldConfig, 'adapter' | 'location' | 'schema'>,
  workerScript: string,
) {
  const dir = mkdtempSync(join(tmpdir(), 'careid-crash-'));
  const config: WorldConfig = {
    ...store,
    ...(store.adapter === 'sqlite' ? { location: join(dir, 'ra.sqlite') } : {}),
    dir,
    vaultKey: randomBytes(32).toString('base64'),
  };
  await createCaKeys(caKeysPath(config), Buffer.from(config.vaultKey, 'base64'));
  let now = NOW;
  const opened = openStore(config);
  await seed(opened, seedData, { at: AT, by: 'test-seed' });
  const world = await openWorld(config, () => now, opened);
  const pool = new WorkerPool(workerScript, config);
  return {
    ...world,
    config,
    pool,
    now: () => now,
    setNow: (date: Date) => {
      now = date;
    },
    async dispose() {
      await pool.close();
      await world.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
export type World = Awaited<ReturnType<typeof createWorld>>;

/** A reader over a card held by this process. */
const readerOf = (card: VirtualPivCard): CardReader => ({
  name: 'test process reader',
  connect: async () => connectVirtualCard(card),
});

let serials = 30_000_000;
const freshCard = () => new VirtualPivCard({ serial: ++serials });
const serialOf = (card: VirtualPivCard) => String(card.serial).padStart(10, '0');

/** Four letters, different for each number (names allow letters only). */
const letters = (n: number) =>
  Array.from({ length: 4 }, (_, i) => String.fromCharCode(97 + (Math.floor(n / 26 ** i) % 26)))
    .join('')
    .replace(/^./, (c) => c.toUpperCase());

/** One round: its holder, its cards, the card the job runs on, and the job. */
interface Round {
  readonly holder: string;
  readonly cards: ReadonlyMap<string, VirtualPivCard>;
  readonly card: VirtualPivCard;
  readonly job: Omit<Job, 'now' | 'atr'>;
  /** The job's card's record status once the job has run to completion. */
  readonly expected: CardStatus;
}

/** A round whose job talks to one card, the only card in play. */
const onOneCard = (
  holder: string,
  card: VirtualPivCard,
  job: Round['job'],
  expected: CardStatus,
): Round => ({ holder, card, cards: new Map([[serialOf(card), card]]), job, expected });

let holders = 0;
async function newHolder(w: World): Promise<string> {
  holders += 1;
  const created = await w.ra.users.create(people.agent, {
    ...applicant,
    name: { given: 'Alex', family: `Rivers${letters(holders)}` },
    niNumber: `AB${String(holders).padStart(6, '0')}C`,
  });
  await w.ra.assignments.assign(people.agent, {
    user: created.uuid,
    position: 'pos-dispenser',
    start: '2026-11-22',
  });
  return created.uuid;
}

async function issued(w: World, holder: string) {
  const card = freshCard();
  await w.ra.smartcards.stock(people.agent, {}, readerOf(card));
  const result = await w.ra.smartcards.issue(
    people.agent,
    { user: holder, passcode: PASSCODE, photo: PHOTO, userPresent: true },
    readerOf(card),
  );
  return { card, notAfter: result.certificate?.notAfter as string };
}

/** How each operation's round is readied (in this process) and what it asks the worker. */
const prepare: Record<Operation, (w: World) => Promise<Round>> = {
  async issue(w) {
    w.setNow(NOW);
    const holder = await newHolder(w);
    const card = freshCard();
    await w.ra.smartcards.stock(people.agent, {}, readerOf(card));
    const input = { user: holder, passcode: PASSCODE, photo: PHOTO, userPresent: true };
    return onOneCard(holder, card, { op: 'issue', actor: people.agent, input }, 'issued');
  },
  async renew(w) {
    w.setNow(NOW);
    const holder = await newHolder(w);
    const { card, notAfter } = await issued(w, holder);
    w.setNow(new Date(Date.parse(notAfter) - 30 * DAY));
    return onOneCard(
      holder,
      card,
      { op: 'renew', actor: people.agent, input: { passcode: PASSCODE, userPresent: true } },
      'issued',
    );
  },
  async repair(w) {
    w.setNow(NOW);
    const holder = await newHolder(w);
    const { card } = await issued(w, holder);
    const input = { passcode: '11223344', photo: PHOTO, userPresent: true };
    return onOneCard(holder, card, { op: 'repair', actor: people.agent, input }, 'issued');
  },
  async clear(w) {
    w.setNow(NOW);
    const holder = await newHolder(w);
    const { card } = await issued(w, holder);
    return onOneCard(holder, card, { op: 'clear', actor: people.agent, input: {} }, 'stock');
  },
  async replace(w) {
    w.setNow(NOW);
    const holder = await newHolder(w);
    const old = await issued(w, holder);
    const card = freshCard();
    await w.ra.smartcards.stock(people.agent, {}, readerOf(card));
    const input = { serial: serialOf(old.card), reason: 'damaged', photo: PHOTO };
    return {
      holder,
      card,
      cards: new Map([
        [serialOf(old.card), old.card],
        [serialOf(card), card],
      ]),
      job: { op: 'replace', actor: people.agent, input },
      expected: 'locked',
    };
  },
  async unlock(w) {
    w.setNow(NOW);
    const holder = await newHolder(w);
    const { card } = await issued(w, holder);
    await (await PivSession.open(connectVirtualCard(card))).blockPin();
    card.reset();
    return onOneCard(
      holder,
      card,
      {
        op: 'unlock',
        actor: people.agent,
        input: { newPasscode: '13572468', userPresent: true },
      },
      'issued',
    );
  },
};

/** What a card holds, read on its own connection (no PIN or PUK try spent). */
async function look(card: VirtualPivCard) {
  const connection = connectVirtualCard(card);
  const piv = await PivSession.open(connection);
  const der = await piv.readCertificate(0x9a);
  const chuid = await piv.readChuid();
  const metadata = await connection.transmit(
    Uint8Array.of(0x00, VendorIns.GET_METADATA, 0x00, 0x9a, 0x00),
  );
  const template =
    metadata.sw === 0x9000 ? findTlv(decodeTlv(metadata.data), METADATA_PUBLIC_KEY) : undefined;
  card.reset();
  return {
    certificateSerial: der ? parseCertificate(der).serialHex : undefined,
    holder: chuid ? holderOfGuid(chuid.guid) : undefined,
    /** The uncompressed P-256 point of the key in 9A (the template ends with it). */
    point: template ? Buffer.from(template.subarray(-65)).toString('hex') : undefined,
  };
}

/** The public point of a certificate's P-256 key (the SPKI ends with it). */
const pointOf = (der: Uint8Array) =>
  Buffer.from(parseCertificate(der).publicKey.spki.subarray(-65)).toString('hex');

/**
 * The vault's secrets for a card (the current ones, then those it keeps until the card has
 * taken them; no entry means the factory secrets: `secretCandidates`) open it: one management key
 * authenticates and one PUK is the card's. A PUK try spent on a wrong candidate is given
 * back when the right one succeeds (CHANGE REFERENCE DATA resets the counter).
 */
async function expectVaultOpens(
  w: World,
  card: VirtualPivCard,
  status: string | undefined,
  why: string,
) {
  const serial = serialOf(card);
  const candidates = secretCandidates(await w.keyVault.get(serial as never));
  const piv = await PivSession.open(connectVirtualCard(card));
  let keyOpens = false;
  for (const c of candidates) {
    keyOpens = await piv.authenticate(c.managementKey, c.managementAlgorithm).then(
      () => true,
      () => false,
    );
    if (keyOpens) break;
  }
  expect(keyOpens, `${why}: card ${serial}'s management key is in the vault`).toBe(true);
  if (card.pukTriesLeft < candidates.length) {
    // Only a wipe spends PUK tries, and only a card flagged for repair is mid-wipe; trying
    // the candidates could block the PUK the wipe has not blocked yet.
    expect(status, `${why}: card ${serial}'s PUK has tries spent`).toBe('needs-repair');
  } else {
    let pukOpens = false;
    for (const c of candidates) {
      pukOpens = await piv.changePuk(c.puk, c.puk).then(
        () => true,
        () => false,
      );
      if (pukOpens) break;
    }
    expect(pukOpens, `${why}: card ${serial}'s PUK is in the vault`).toBe(true);
  }
  card.reset();
}

/**
 * The invariants of issue 13 for a round: a certificate is good by OCSP and the CRL (which
 * agree with the store, which is the CA's record) only if its key is in slot 9A of a card
 * its holder holds, the card's record issued or locked to that holder; a stock card is
 * blank; an issued or locked card holds exactly one good certificate; a card flagged for
 * repair or cancelled holds none; the vault opens every card; the audit chain verifies.
 */
export async function expectInvariants(
  w: World,
  round: Round,
  why: string,
  { audit = true }: { readonly audit?: boolean } = {},
) {
  const now = w.now();
  const { certificates, records } = await w.store.transaction(async (tx) => ({
    certificates: await tx.certificates.byHolder(round.holder as never),
    records: new Map(
      await Promise.all(
        [...round.cards.keys()].map(async (s) => [s, await tx.smartcards.get(s as never)] as const),
      ),
    ),
  }));
  const crl = parseCrl(await w.ca.generateCrl({ now }));
  const ocsp =
    certificates.length === 0
      ? undefined
      : parseOcspResponse(
          await w.ca.respondOcsp(
            await createOcspRequest({
              issuer: w.ca.issuingCertificate,
              serials: certificates.map((c) => c.serial),
            }),
            now,
          ),
        );
  const answers = ocsp?.basic?.responses ?? [];
  expect(answers, why).toHaveLength(certificates.length);
  const seen = new Map<string, Awaited<ReturnType<typeof look>>>();
  for (const [serial, card] of round.cards) seen.set(serial, await look(card));
  for (const [i, c] of certificates.entries()) {
    const good = answers[i]?.answer.status === 'good';
    const what = `${why}: certificate ${c.serial} (${c.status}, card ${c.card ?? 'none'})`;
    expect(crl.revoked.has(c.serial), `${what} on the CRL`).toBe(!good);
    expect(c.status === 'active', `${what} active in the store`).toBe(good);
    if (!good) continue;
    const record = c.card === undefined ? undefined : records.get(c.card);
    const card = c.card === undefined ? undefined : seen.get(c.card);
    expect(['issued', 'locked'], `${what} is good: its card's record`).toContain(record?.status);
    expect(record?.holder, `${what}: its card's holder`).toBe(round.holder);
    expect(card?.certificateSerial, `${what}: the certificate in 9A`).toBe(c.serial);
    expect(card?.point, `${what}: its key is in 9A`).toBe(pointOf(c.der));
    expect(card?.holder, `${what}: the CHUID's holder`).toBe(round.holder);
  }
  for (const [serial, record] of records) {
    const card = seen.get(serial);
    const active = certificates.filter((c) => c.card === serial && c.status === 'active');
    const what = `${why}: card ${serial} (${record?.status})`;
    if (record?.status === 'stock') {
      expect(card?.certificateSerial, `${what} is blank`).toBeUndefined();
      expect(card?.holder, `${what} has no CHUID`).toBeUndefined();
      expect(active, what).toEqual([]);
    } else if (record?.status === 'issued' || record?.status === 'locked') {
      expect(active, `${what} has one good certificate`).toHaveLength(1);
      expect(card?.holder, `${what}: its CHUID`).toBe(record.holder);
    } else {
      expect(active, `${what} has no good certificate`).toEqual([]);
    }
    await expectVaultOpens(w, round.cards.get(serial) as VirtualPivCard, record?.status, why);
  }
  if (audit) {
    expect(await verifyAudit(w.store), `${why}: the audit chain`).toMatchObject({ ok: true });
  }
}

/** What a run over every APDU of an operation measured. */
export interface CrashReport {
  readonly op: Operation;
  readonly apdus: number;
  readonly kills: number;
  readonly ms: number;
  readonly failures: readonly string[];
}

const jobOf = (w: World, round: Round): Job => ({
  ...round.job,
  now: w.now().toISOString(),
  atr: Buffer.from(round.card.atr).toString('hex'),
});

/**
 * Kills a worker running `op` at every APDU, before and after the card's answer, and
 * after each kill recovers, checks, reruns and checks again. Failures are collected (each
 * round has its own holder and cards) and returned with the figures.
 */
export async function crashAtEveryApdu(w: World, op: Operation): Promise<CrashReport> {
  const started = performance.now();
  const clean = await prepare[op](w);
  const counted = await w.pool.run(jobOf(w, clean), clean.card);
  expect(counted.killed, `${op}: the clean run`).toBe(false);
  if (counted.killed) throw new Error('unreachable');
  expect(counted.done, `${op}: the clean run`).toMatchObject({ ok: true });
  const total = counted.apdus;
  await expectInvariants(w, clean, `${op}: after a clean run`);
  const failures: string[] = [];
  const kills = w.pool.kills;
  for (const after of [false, true]) {
    for (let at = 1; at <= total; at++) {
      const where = `${op} killed ${after ? 'after the answer to' : 'before'} APDU ${at} of ${total}`;
      try {
        await oneRound(w, op, { at, after }, where);
      } catch (error) {
        failures.push(`${where}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  }
  return {
    op,
    apdus: total,
    kills: w.pool.kills - kills,
    ms: Math.round(performance.now() - started),
    failures,
  };
}

/**
 * One kill point. Killed before APDU n, the worker had done every step after APDU n-1
 * (store transactions, CA issue, vault writes) but the card never saw n; killed after the
 * answer to n, the card did n and the worker did nothing more. Between them the kills
 * cover every state a death between two APDUs leaves; after the last APDU only the
 * finalising transaction (all or nothing) and, for a clear, the vault's delete follow.
 */
async function oneRound(w: World, op: Operation, kill: KillPoint, where: string) {
  const round = await prepare[op](w);
  const outcome = await w.pool.run(jobOf(w, round), round.card, kill);
  expect(outcome.killed, `${where}: the worker ran to the end`).toBe(true);
  // The process that held the card died: the reader resets it for the next connection.
  for (const card of round.cards.values()) card.reset();
  await w.ra.smartcards.reconcile(people.agent, { olderThanMinutes: 0 });
  // The chain is append-only: verifying it after the rerun verifies this prefix too.
  await expectInvariants(w, round, `${where}, then reconciled`, { audit: false });
  await runOperation(w.ra, round.job, readerOf(round.card));
  await expectInvariants(w, round, `${where}, then run again`);
  const record = await w.store.transaction((tx) =>
    tx.smartcards.get(serialOf(round.card) as never),
  );
  expect(record?.status, `${where}, then run again: the card`).toBe(round.expected);
}
