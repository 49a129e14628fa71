import { afterEach, describe, expect, it } from 'vitest';
import { connectVirtualCard, PivSession, VirtualPivCard } from '../../../src/card/index.js';
import type { CardReader } from '../../../src/ra/index.js';
import { NOW, people } from '../fixtures.js';
import { storeCases } from '../stores.js';
import { expectAgreement, expectTyped, faultyStore } from './faults.js';
import { lifecycleWorld, PASSCODE, PHOTO, virtualReader } from './harness.js';

const DAY = 86_400_000;
type World = Awaited<ReturnType<typeof lifecycleWorld>>;

/** One operation under test: how to get a card ready for it, run it, and run it again. */
interface Scenario {
  readonly name: string;
  readonly rules: string;
  /** Whether it talks to a card (card faults apply). */
  readonly card: boolean;
  prepare(w: World, fresh: () => Fresh): Promise<Prepared>;
}
interface Fresh {
  readonly card: VirtualPivCard;
  readonly reader: CardReader;
}
interface Prepared {
  /** The card the operation talks to. */
  readonly card: VirtualPivCard;
  /** Runs the operation; after a failure, running it again must succeed. */
  run(reader: CardReader): Promise<unknown>;
}
type Run = Prepared['run'];

const issueInput = (w: World) => ({
  user: w.holder,
  passcode: PASSCODE,
  photo: PHOTO,
  userPresent: true,
});

async function issuedCard(w: World, fresh: () => Fresh) {
  w.setClock(NOW);
  const f = fresh();
  await w.ra.smartcards.stock(people.agent, {}, f.reader);
  const result = await w.ra.smartcards.issue(people.agent, issueInput(w), f.reader);
  return { ...f, serial: result.card.serial, notAfter: result.certificate!.notAfter };
}

async function lock(card: VirtualPivCard) {
  const piv = await PivSession.open(connectVirtualCard(card));
  await piv.blockPin();
}

type Issued = Awaited<ReturnType<typeof issuedCard>>;

/** A scenario on a card issued to the holder: `operate` readies it and says how to run. */
const onIssuedCard =
  (operate: (w: World, card: Issued) => Promise<Run> | Run) =>
  async (w: World, fresh: () => Fresh): Promise<Prepared> => {
    const issued = await issuedCard(w, fresh);
    return { card: issued.card, run: await operate(w, issued) };
  };

const scenarios: readonly Scenario[] = [
  {
    name: 'issue',
    rules: 'CARD-01',
    card: true,
    async prepare(w, fresh) {
      w.setClock(NOW);
      const f = fresh();
      await w.ra.smartcards.stock(people.agent, {}, f.reader);
      return { card: f.card, run: (r) => w.ra.smartcards.issue(people.agent, issueInput(w), r) };
    },
  },
  {
    name: 'unlock',
    rules: 'CARD-03',
    card: true,
    prepare: onIssuedCard(async (w, f) => {
      await lock(f.card);
      return (r) =>
        w.ra.smartcards.unlock(people.agent, { newPasscode: '13572468', userPresent: true }, r);
    }),
  },
  {
    name: 'self-service unlock',
    rules: 'CARD-03',
    card: true,
    prepare: onIssuedCard(async (w, f) => {
      await lock(f.card);
      await w.ra.smartcards.selfUnlock.request(w.holder, { serial: f.serial, channel: 'email' });
      const code = w.sent.at(-1)!.code;
      return (r) =>
        w.ra.smartcards.selfUnlock.confirm(w.holder, { code, newPasscode: '97531864' }, r);
    }),
  },
  {
    name: 'renew',
    rules: 'CARD-05',
    card: true,
    prepare: onIssuedCard((w, f) => {
      w.setClock(new Date(Date.parse(f.notAfter) - 30 * DAY));
      return (r) =>
        w.ra.smartcards.renew(people.agent, { passcode: PASSCODE, userPresent: true }, r);
    }),
  },
  {
    name: 'repair',
    rules: 'CARD-08',
    card: true,
    prepare: onIssuedCard(
      (w) => (r) =>
        w.ra.smartcards.repair(
          people.agent,
          { passcode: '11223344', photo: PHOTO, userPresent: true },
          r,
        ),
    ),
  },
  {
    name: 'clear',
    rules: 'CARD-09',
    card: true,
    prepare: onIssuedCard((w) => (r) => w.ra.smartcards.clear(people.agent, {}, r)),
  },
  {
    name: 'replace',
    rules: 'CARD-10',
    card: true,
    async prepare(w, fresh) {
      const old = await issuedCard(w, fresh);
      const next = fresh();
      await w.ra.smartcards.stock(people.agent, {}, next.reader);
      const run: Run = (r) =>
        w.ra.smartcards.replace(
          people.agent,
          { serial: old.serial, reason: 'damaged', photo: PHOTO },
          r,
        );
      return { card: next.card, run };
    },
  },
  {
    name: 'cancel',
    rules: 'CARD-10',
    card: false,
    prepare: onIssuedCard(
      (w, f) => () => w.ra.smartcards.cancel(people.agent, { serial: f.serial, reason: 'lost' }),
    ),
  },
];

/** Counts the APDUs an operation sends through a reader. */
function countingReader(reader: CardReader) {
  let count = 0;
  return {
    get count() {
      return count;
    },
    reader: {
      name: reader.name,
      connect: async () => {
        const connection = await reader.connect();
        return {
          atr: connection.atr,
          transmit: (apdu: Uint8Array) => {
            count += 1;
            return connection.transmit(apdu);
          },
          close: () => connection.close(),
        };
      },
    } satisfies CardReader,
  };
}

for (const storeCase of storeCases) {
  describe.skipIf(storeCase.skip !== undefined)(`nothing lost on ${storeCase.name}`, () => {
    let dispose: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await dispose?.();
      dispose = undefined;
    });

    async function setUp() {
      const made = await storeCase.create();
      dispose = made.dispose;
      const faulty = faultyStore(made.store);
      const w = await lifecycleWorld({ store: faulty.store });
      const cards = new Map<string, VirtualPivCard>();
      let next = 20_000_000;
      const fresh = (): Fresh => {
        next += 1;
        const card = new VirtualPivCard({ serial: next });
        cards.set(String(next).padStart(10, '0'), card);
        return { card, reader: virtualReader(card) };
      };
      return { w, faulty, cards, fresh };
    }

    /**
     * Runs `prepared` with a fault armed: it fails with a typed error, leaving store, CA and
     * cards agreeing with a verified audit, and running it again succeeds.
     */
    async function expectFailsThenRecovers(
      { w, cards }: Awaited<ReturnType<typeof setUp>>,
      prepared: Prepared,
      reader: CardReader,
      fault: string,
      afterFailure: () => void = () => undefined,
    ) {
      const error = await prepared.run(reader).then(
        () => undefined,
        (e: unknown) => e,
      );
      afterFailure();
      expect(error, fault).toBeDefined();
      expectTyped(error);
      await expectAgreement(w.store, w.holder, cards);
      await prepared.run(reader);
      await expectAgreement(w.store, w.holder, cards);
    }

    for (const scenario of scenarios.filter((s) => s.card)) {
      it(`${scenario.rules} ${scenario.name}: the card pulled at every APDU leaves store, CA and card agreeing, a typed error, a verified audit, and the rerun succeeds`, async () => {
        const world = await setUp();
        const { w, fresh } = world;
        const clean = await scenario.prepare(w, fresh);
        const counter = countingReader(virtualReader(clean.card));
        await clean.run(counter.reader);
        const total = counter.count;
        expect(total).toBeGreaterThan(2);
        for (let n = 0; n < total; n++) {
          const prepared = await scenario.prepare(w, fresh);
          const reader = virtualReader(prepared.card);
          prepared.card.pullAfter(n);
          await expectFailsThenRecovers(world, prepared, reader, `pulled at APDU ${n} of ${total}`);
        }
      }, 120_000);
    }

    for (const scenario of scenarios) {
      it(`${scenario.rules} ${scenario.name}: the store failing at every write leaves store, CA and card agreeing, a typed error, a verified audit, and the rerun succeeds`, async () => {
        const world = await setUp();
        const { w, faulty, fresh } = world;
        const clean = await scenario.prepare(w, fresh);
        const before = faulty.writes;
        await clean.run(virtualReader(clean.card));
        const total = faulty.writes - before;
        expect(total).toBeGreaterThan(1);
        for (let n = 1; n <= total; n++) {
          const prepared = await scenario.prepare(w, fresh);
          const reader = virtualReader(prepared.card);
          faulty.failIn(n);
          await expectFailsThenRecovers(
            world,
            prepared,
            reader,
            `store failed at write ${n} of ${total}`,
            () => faulty.disarm(),
          );
        }
      }, 120_000);
    }
  });
}
