import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { foldInFull } from '../../src/domain/duplicates.js';
import { duplicateMatches, foldName } from '../../src/domain/index.js';
import type { Store } from '../../src/storage/index.js';
import { postgresStore } from '../../src/storage/postgres/index.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import { fixtureUser } from '../../src/storage/testing/index.js';
import { dropSchemas, POSTGRES_URL, postgresUp } from '../support/postgres.js';

/*
 * ID-06: names compare case-folded in full, so `ß` equals `ss` and dotless `ı` equals `i`.
 * The SQL stores keep name keys in columns: migration 5 recomputes the keys of rows an
 * older version wrote (simulated here: the row keyed as the old fold did, and the store's
 * schema_version set back to 4, as an older careid left it).
 */

/** How careid folded names before full case folding (lower case only). */
const oldFold = (part: string) =>
  part
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, '');

const STRASSE = fixtureUser('100000000051', { family: 'Straße', given: 'Jürgen' });
const YILDIZ = fixtureUser('100000000052', { family: 'Yıldız', given: 'Ayşe' });

describe('ID-06 full case folding', () => {
  it('ID-06 foldName equates ß with ss, dotless ı with i, final ς with σ, ligatures with their letters', () => {
    expect(foldName('Straße')).toBe(foldName('STRASSE'));
    expect(foldName('Yıldız')).toBe(foldName('Yildiz'));
    expect(foldName('İpek')).toBe(foldName('ipek'));
    expect(foldName('Σίσυφος')).toBe(foldName('ΣΊΣΥΦΟΣ'));
    expect(foldName('ﬀoulkes')).toBe(foldName('Ffoulkes'));
    expect(oldFold('Straße')).not.toBe(oldFold('STRASSE'));
  });

  it('ID-06 foldName`s ASCII path folds as the full fold does, and any other text takes the full fold', () => {
    const ascii = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      maxLength: 40,
    });
    fc.assert(
      fc.property(fc.oneof(ascii, fc.string({ unit: 'grapheme', maxLength: 20 })), (text) => {
        expect(foldName(text)).toBe(foldInFull(text));
      }),
      { numRuns: 20_000 },
    );
    expect(foldName(" O'Brien-Smith 2nd ")).toBe('obriensmith2nd');
  });

  it('ID-06 the duplicate check finds Strasse for Straße with the same date of birth', () => {
    const candidate = {
      ...STRASSE,
      name: { ...STRASSE.name, family: 'STRASSE' },
      niNumber: undefined,
    };
    expect(duplicateMatches(candidate, [STRASSE])).toEqual([
      { uuid: STRASSE.uuid, because: 'same-name-and-date-of-birth' },
    ]);
  });
});

/** Writes the two users, then makes the store look as an older careid left it. */
async function oldStore(
  store: Store & { migrate(): Promise<number[]>; close(): Promise<void> },
  sql: (statement: string, params: unknown[]) => Promise<void>,
) {
  await store.migrate();
  await store.transaction(async (tx) => {
    await tx.users.insert(STRASSE);
    await tx.users.insert(YILDIZ);
  });
  for (const u of [STRASSE, YILDIZ]) {
    await sql('UPDATE users SET family_key = $1, given_key = $2 WHERE uuid = $3', [
      oldFold(u.name.family),
      oldFold(u.name.given),
      u.uuid,
    ]);
  }
  // Version 4 had no WebAuthn tables either (migration 6 adds them).
  await sql('DELETE FROM schema_version WHERE version >= $1', [5]);
  await sql('DROP TABLE webauthn_credentials', []);
  await sql('DROP TABLE webauthn_challenges', []);
  const stale = await store.transaction((tx) => tx.users.searchByName({ family: 'strasse' }));
  expect(stale.items).toEqual([]);
  await store.close();
}

async function expectRekeyed(
  store: Store & { migrate(): Promise<number[]>; close(): Promise<void> },
) {
  try {
    expect(await store.migrate()).toEqual([5, 6, 7]);
    const found = await store.transaction(async (tx) => ({
      strasse: await tx.users.searchByName({ family: 'STRASSE', given: 'jurgen' }),
      yildiz: await tx.users.searchByName({ family: 'Yildiz', given: 'Ayse' }),
    }));
    expect(found.strasse.items.map((u) => u.uuid)).toEqual([STRASSE.uuid]);
    expect(found.yildiz.items.map((u) => u.uuid)).toEqual([YILDIZ.uuid]);
    expect(await store.migrate()).toEqual([]);
  } finally {
    await store.close();
  }
}

describe('ID-06 migration 5 re-keys the stored names', () => {
  it('ID-06 SQLite: a store written by the old fold finds Straße as STRASSE after the upgrade', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'careid-rekey-')), 'ra.db');
    await oldStore(sqliteStore(file), async (statement, params) => {
      const db = new Database(file);
      try {
        db.prepare(statement.replace(/\$\d/g, '?')).run(...params);
      } finally {
        db.close();
      }
    });
    await expectRekeyed(sqliteStore(file));
  });

  const schemas: string[] = [];
  afterAll(async () => {
    if (!postgresUp || schemas.length === 0) return;
    await dropSchemas(...schemas);
  });

  it.skipIf(!postgresUp)('ID-06 PostgreSQL: the same upgrade, in its own schema', async () => {
    const schema = `careid_t_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    await oldStore(postgresStore(POSTGRES_URL, { schema }), async (statement, params) => {
      const client = new pg.Client(POSTGRES_URL);
      await client.connect();
      try {
        await client.query(`SET search_path TO "${schema}"`);
        await client.query(statement, params);
      } finally {
        await client.end();
      }
    });
    await expectRekeyed(postgresStore(POSTGRES_URL, { schema }));
  });
});
