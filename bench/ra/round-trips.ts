/**
 * Counts the PostgreSQL round trips of one `ra.execute` per command kind of the RA bench,
 * and prints each statement sent (one line per round trip, cut to WIDTH characters, 160
 * unless the WIDTH environment variable says otherwise).
 *
 *   node --import tsx bench/ra/round-trips.ts
 *
 * A round trip is one `client.query` call on a pooled connection (a simple-protocol
 * message with several statements is one). PostgreSQL is read from
 * CAREID_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test), in a schema
 * dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createRegistrationAuthority } from '../../src/index.js';
import { seed, seedUser } from '../../src/ra/index.js';
import { postgresStore } from '../../src/storage/postgres/index.js';
import { AT, applicant, NOW, people, seedData } from '../../test/ra/fixtures.js';
import { dropSchema } from '../lib/postgres.js';

const PG_URL =
  process.env['CAREID_BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `careid_rt_${randomBytes(4).toString('hex')}`;
const ctx = { at: AT, by: people.ram };

let log: string[] | undefined;
const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const first = args[0];
  const text = typeof first === 'string' ? first : String((first as { text?: unknown }).text);
  log?.push(text.replace(/\s+/g, ' ').slice(0, Number(process.env['WIDTH'] ?? 160)));
  return original.apply(this, args);
} as typeof pg.Client.prototype.query;

const store = postgresStore(PG_URL, { schema });
try {
  await seed(
    store,
    {
      ...seedData,
      users: [
        ...(seedData.users ?? []),
        seedUser({ uuid: '777000000001', given: 'Target', family: 'Rtone' }, ctx),
        seedUser({ uuid: '777000000002', given: 'Target', family: 'Rttwo' }, ctx),
      ],
    },
    ctx,
  );
  const ra = createRegistrationAuthority({ store, clock: () => NOW });
  const commands = [
    [
      'assignment.assign',
      {
        type: 'assignment.assign',
        user: '777000000001',
        position: 'pos-dispenser',
        start: '2026-11-22',
      },
    ],
    [
      'user.create',
      {
        type: 'user.create',
        ...applicant,
        name: { given: 'Alex', family: 'Rtfirst' },
        niNumber: 'AB300001C',
      },
    ],
    [
      'assignment.assign',
      {
        type: 'assignment.assign',
        user: '777000000002',
        position: 'pos-dispenser',
        start: '2026-11-22',
      },
    ],
    [
      'user.create',
      {
        type: 'user.create',
        ...applicant,
        name: { given: 'Alex', family: 'Rtsecond' },
        niNumber: 'AB300002C',
      },
    ],
  ] as const;
  for (const [kind, command] of commands) {
    log = [];
    await ra.execute(people.agent, command as never);
    const sent = log;
    log = undefined;
    console.log(`${kind}: ${sent.length} round trips`);
    for (const text of sent) console.log(`  ${text}`);
  }
} finally {
  await store.close();
  await dropSchema(PG_URL, schema);
}
