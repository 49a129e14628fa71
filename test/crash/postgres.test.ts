/**
 * Crash safety on PostgreSQL (issue 13): the RA process SIGKILLed at every APDU of issue,
 * renew, repair, clear, replace and unlock, before and after the card answers, its
 * connections dying with it; the restarted host reconciles, finds store, CA, vault and
 * card agreeing, and runs the operation again to completion. See harness.ts.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, postgresSkip } from '../support/postgres.js';
import { crashAtEveryApdu, createWorld } from './harness.js';
import { buildWorker } from './pool.js';
import { RULES } from './rules.js';
import { OPERATIONS } from './world.js';

let worker: Awaited<ReturnType<typeof buildWorker>> | undefined;
const schemas: string[] = [];
beforeAll(async () => {
  if (postgresSkip === undefined) worker = await buildWorker();
});
afterAll(async () => {
  worker?.dispose();
  if (schemas.length === 0) return;
  const client = new pg.Client(POSTGRES_URL);
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

describe.skipIf(postgresSkip !== undefined)(
  'crash safety on PostgreSQL: the RA process killed at every APDU',
  () => {
    for (const op of OPERATIONS) {
      it(`${RULES[op]} ${op}: killed before and after each APDU, reconciled, agreeing, run again`, async () => {
        const schema = `careid_crash_${randomBytes(6).toString('hex')}`;
        schemas.push(schema);
        const w = await createWorld(
          { adapter: 'postgres', location: POSTGRES_URL, schema },
          (worker as { path: string }).path,
        );
        try {
          const report = await crashAtEveryApdu(w, op);
          console.log(
            `postgres ${op}: ${report.apdus} APDUs, ${report.kills} kills, ${report.ms} ms`,
          );
          expect(report.failures).toEqual([]);
        } finally {
          await w.dispose();
        }
      }, 300_000);
    }
  },
);
