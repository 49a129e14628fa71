import pg from 'pg';

/** The PostgreSQL the tests use (DEVELOPERS.md: 127.0.0.1:5432, trust auth, database `test`). */
export const POSTGRES_URL =
  process.env['CAREID_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** Whether PostgreSQL answers. In CI (`CI=true`) it must: a missing server fails the run. */
export const postgresUp = await reachable();
if (!postgresUp && process.env['CI'] === 'true') {
  throw new Error(`PostgreSQL must run in CI, but ${POSTGRES_URL} is not reachable`);
}

/** Why PostgreSQL tests are skipped here, or undefined when they run. */
export const postgresSkip = postgresUp
  ? undefined
  : `PostgreSQL is not reachable at ${POSTGRES_URL}`;

/** Drops test schemas and everything in them, on a connection of its own. */
export async function dropSchemas(...schemas: readonly string[]): Promise<void> {
  const client = new pg.Client(POSTGRES_URL);
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
