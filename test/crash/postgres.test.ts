/**
 * Crash safety on PostgreSQL (issue 13): the RA process SIGKILLed at every APDU of issue,
 * renew, repair, clear, replace and unlock, before and after the card answers, its
 * connections dying with it; the restarted host reconciles, finds store, CA, vault and
 * card agreeing, and runs the operation again to completion. See harness.ts.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import { POSTGRES_URL, postgresSkip } from '../support/postgres.js';
import { crashSuite } from './suite.js';

const schemas: string[] = [];
afterAll(async () => {
  if (schemas.length === 0) return;
  const client = new pg.Client(POSTGRES_URL);
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

crashSuite(
  'PostgreSQL',
  () => {
    const schema = `careid_crash_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    return { adapter: 'postgres', location: POSTGRES_URL, schema };
  },
  postgresSkip,
);
