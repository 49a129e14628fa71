import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { memoryStore, type Store } from '../../src/storage/index.js';
import { postgresStore } from '../../src/storage/postgres/index.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import { POSTGRES_URL, postgresUp } from '../support/postgres.js';

const URL = POSTGRES_URL;

/** One store adapter for the RA's scenario tests: how to make a fresh store, and clean up. */
export interface StoreCase {
  readonly name: 'memory' | 'sqlite' | 'postgres';
  /** Why it is skipped here, if it is. */
  readonly skip?: string;
  readonly create: () => Promise<{ store: Store; dispose: () => Promise<void> }>;
}

/** The three adapters; each test gets its own database, file or schema. */
export const storeCases: readonly StoreCase[] = [
  { name: 'memory', create: async () => ({ store: memoryStore(), dispose: async () => {} }) },
  {
    name: 'sqlite',
    create: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'careid-ra-'));
      const store = sqliteStore(join(dir, 'ra.db'));
      return {
        store,
        dispose: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    ...(postgresUp ? {} : { skip: `PostgreSQL is not reachable at ${URL}` }),
    create: async () => {
      const schema = `careid_ra_${randomBytes(6).toString('hex')}`;
      const store = postgresStore(URL, { schema });
      return {
        store,
        dispose: async () => {
          await store.close();
          const client = new pg.Client(URL);
          await client.connect();
          await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await client.end();
        },
      };
    },
  },
];
