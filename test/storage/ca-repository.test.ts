import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { IsoDateTime, Uuid } from '../../src/domain/index.js';
import { isCareIdError } from '../../src/errors/index.js';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  createOcspRequest,
  generateSoftwareSigner,
  parseCrl,
  parseOcspResponse,
  revocationReasonForCard,
  type Signer,
} from '../../src/pki/index.js';
import {
  type CertificateRecord,
  memoryStore,
  type Store,
  storeCaRepository,
} from '../../src/storage/index.js';
import { postgresStore } from '../../src/storage/postgres/index.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import { fixtureEvent } from '../../src/storage/testing/index.js';
import { cardKey, jane, life, settings, T0 } from '../pki/helpers.js';
import { POSTGRES_URL, postgresUp } from '../support/postgres.js';

const URL = POSTGRES_URL;
const pgUp = postgresUp;

/** One database behind an adapter: a store on it, and a way to open another store on it. */
interface Database {
  readonly store: Store;
  /** A new store on the same database (the same object for memory: its database is the store). */
  readonly reopen: () => Store;
  readonly cleanup: () => Promise<void>;
}

interface Adapter {
  readonly name: string;
  readonly skip?: string | undefined;
  readonly open: () => Database;
}

const files: string[] = [];
const schemas: string[] = [];
afterAll(async () => {
  for (const file of files) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
  if (!pgUp || schemas.length === 0) return;
  const client = new pg.Client(URL);
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

const adapters: readonly Adapter[] = [
  {
    name: 'memory',
    open: () => {
      const store = memoryStore();
      return { store, reopen: () => store, cleanup: () => store.close() };
    },
  },
  {
    name: 'sqlite',
    open: () => {
      const file = join(tmpdir(), `careid-ca-${randomUUID()}.sqlite`);
      files.push(file);
      const opened: Store[] = [];
      const open = () => {
        const store = sqliteStore(file);
        opened.push(store);
        return store;
      };
      return {
        store: open(),
        reopen: open,
        cleanup: async () => {
          for (const s of opened) await s.close();
        },
      };
    },
  },
  {
    name: 'postgres',
    skip: pgUp ? undefined : `PostgreSQL is not reachable at ${URL}`,
    open: () => {
      const schema = `careid_ca_${randomBytes(6).toString('hex')}`;
      schemas.push(schema);
      const opened: Store[] = [];
      const open = () => {
        const store = postgresStore(URL, { schema });
        opened.push(store);
        return store;
      };
      return {
        store: open(),
        reopen: open,
        cleanup: async () => {
          for (const s of opened) await s.close();
        },
      };
    },
  },
];

const later = (days: number) => new Date(T0.getTime() + days * 86_400_000);
const wholeSecond = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);

interface Keys {
  readonly rootSigner: Signer;
  readonly issuingSigner: Signer;
  readonly ocspSigner: Signer;
}

async function keys(): Promise<Keys> {
  return {
    rootSigner: await generateSoftwareSigner(),
    issuingSigner: await generateSoftwareSigner(),
    ocspSigner: await generateSoftwareSigner(),
  };
}

function caOver(store: Store, k: Keys, now: Date): Promise<CertificateAuthority> {
  return createCertificateAuthority({ settings, now, repository: storeCaRepository(store), ...k });
}

async function ocsp(ca: CertificateAuthority, serials: string[], now: Date) {
  const request = await createOcspRequest({ issuer: ca.issuingCertificate, serials });
  const response = parseOcspResponse(await ca.respondOcsp(request, now));
  return response.basic?.responses.map((r) => [r.certId.serialHex, r.answer]);
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    if (isCareIdError(error)) return error.code;
    throw error;
  }
}

for (const adapter of adapters) {
  const title = `storeCaRepository over ${adapter.name}${
    adapter.skip === undefined ? '' : ` (skipped: ${adapter.skip})`
  }`;

  describe.skipIf(adapter.skip !== undefined)(title, () => {
    const withDatabase = async (body: (db: Database) => Promise<void>) => {
      const db = adapter.open();
      try {
        await body(db);
      } finally {
        await db.cleanup();
      }
    };

    it('CARD-10 runs the real CA over the store: issue, revoke, CRL, OCSP; a reopened CA reuses its authorities and CRL numbering', async () => {
      await withDatabase(async (db) => {
        const k = await keys();
        const ca = await caOver(db.store, k, T0);
        const good = await ca.issue({
          ...(await cardKey()),
          holder: jane,
          now: T0,
          notAfter: life(T0),
        });
        const lost = await ca.issue({
          ...(await cardKey()),
          holder: jane,
          now: T0,
          notAfter: life(T0),
        });
        await ca.revoke(lost.serialHex, revocationReasonForCard('lost'), later(1));
        const revokedAt = wholeSecond(later(1));

        // The store holds them as certificate records; the revocation is on the row.
        const [goodRow, lostRow, authorities] = await db.store.transaction(async (tx) => [
          await tx.certificates.get(good.serialHex),
          await tx.certificates.get(lost.serialHex),
          await tx.authorities.list(),
        ]);
        expect(goodRow).toMatchObject({ holder: jane.uuid, status: 'active', version: 0 });
        expect(goodRow?.der).toEqual(good.certificate);
        expect(goodRow?.revocation).toBeUndefined();
        expect(lostRow).toMatchObject({
          status: 'revoked',
          revocation: { reason: 'keyCompromise', at: revokedAt.toISOString() },
        });
        expect(authorities).toEqual([
          { role: 'issuing', der: ca.issuingCertificate },
          { role: 'ocsp', der: ca.ocspCertificate },
          { role: 'root', der: ca.rootCertificate },
        ]);

        // The CRL lists exactly the revoked serial; its number goes up on each build.
        const first = parseCrl(await ca.generateCrl({ now: later(2) }));
        expect([...first.revoked.keys()]).toEqual([lost.serialHex]);
        expect(first.revoked.get(lost.serialHex)).toEqual({ reason: 'keyCompromise', revokedAt });
        expect(first.crlNumber).toBe(1n);
        expect(parseCrl(await ca.generateCrl({ now: later(2) })).crlNumber).toBe(2n);

        expect(await ocsp(ca, [good.serialHex, lost.serialHex], later(2))).toEqual([
          [good.serialHex, { status: 'good' }],
          [lost.serialHex, { status: 'revoked', reason: 'keyCompromise', revokedAt }],
        ]);

        // A CA opened with another root key is refused: the stored root is used, not re-made.
        const other = await createCertificateAuthority({
          settings,
          now: later(3),
          repository: storeCaRepository(db.reopen()),
          ...k,
          rootSigner: await generateSoftwareSigner(),
        }).catch((e: unknown) => e);
        expect(isCareIdError(other, 'PKI_KEY_MISMATCH')).toBe(true);

        // Reopened from the same database with the same keys: same hierarchy, same state.
        const again = await caOver(db.reopen(), k, later(3));
        expect(again.rootCertificate).toEqual(ca.rootCertificate);
        expect(again.issuingCertificate).toEqual(ca.issuingCertificate);
        expect(again.ocspCertificate).toEqual(ca.ocspCertificate);
        expect((await again.status(good.serialHex)).status).toBe('good');
        expect(await again.status(lost.serialHex)).toMatchObject({
          status: 'revoked',
          reason: 'keyCompromise',
          revokedAt,
        });
        const third = parseCrl(await again.generateCrl({ now: later(3) }));
        expect(third.crlNumber).toBe(3n);
        expect([...third.revoked.keys()]).toEqual([lost.serialHex]);
        expect(await ocsp(again, [good.serialHex, lost.serialHex], later(3))).toEqual([
          [good.serialHex, { status: 'good' }],
          [lost.serialHex, { status: 'revoked', reason: 'keyCompromise', revokedAt }],
        ]);

        // CARD-05 renewal then CARD-10 supersede through the reopened CA.
        const renewed = await again.renew({
          ...(await cardKey()),
          holder: jane,
          now: later(4),
          notAfter: life(later(4)),
          previousSerialHex: good.serialHex,
        });
        const status = await again.status(renewed.serialHex);
        expect(status.status === 'good' && status.record.renews).toBe(good.serialHex);
        await again.supersede(good.serialHex, later(5));
        const fourth = parseCrl(await again.generateCrl({ now: later(5) }));
        expect(fourth.crlNumber).toBe(4n);
        expect([...fourth.revoked.keys()].sort()).toEqual([good.serialHex, lost.serialHex].sort());
        expect(fourth.revoked.get(good.serialHex)?.reason).toBe('superseded');
      });
    });

    it("CARD-10 records the PIV content signer's certificate (no holder), so it is revoked, listed on the CRL and answered revoked by OCSP", async () => {
      await withDatabase(async (db) => {
        const k = await keys();
        const ca = await caOver(db.store, k, T0);
        const contentKey = await generateSoftwareSigner();
        const signer = await ca.issueContentSigner({ publicKey: contentKey.publicKey, now: T0 });
        const card = await ca.issue({
          ...(await cardKey()),
          holder: jane,
          now: T0,
          notAfter: life(T0),
        });

        const row = await db.store.transaction((tx) => tx.certificates.get(signer.serialHex));
        expect(row).toMatchObject({ purpose: 'content-signer', status: 'active', version: 0 });
        expect(row?.holder).toBeUndefined();
        expect(row?.card).toBeUndefined();
        expect(row?.der).toEqual(signer.certificate);
        expect(await ca.status(signer.serialHex)).toMatchObject({
          status: 'good',
          record: { purpose: 'content-signer', serialHex: signer.serialHex },
        });
        // It is nobody's certificate.
        expect(
          (await db.store.transaction((tx) => tx.certificates.byHolder(jane.uuid as Uuid))).map(
            (c) => c.serial,
          ),
        ).toEqual([card.serialHex]);
        // Never renewed as if it were a card's: a new one is issued instead.
        expect(
          await code(
            ca.renew({
              ...(await cardKey()),
              holder: jane,
              now: later(1),
              notAfter: life(later(1)),
              previousSerialHex: signer.serialHex,
            }),
          ),
        ).toBe('VALIDATION');
        expect(await ocsp(ca, [signer.serialHex], later(1))).toEqual([
          [signer.serialHex, { status: 'good' }],
        ]);

        // The CHUID-signing key is compromised: revoked, as any certificate of the CA.
        await ca.revoke(signer.serialHex, 'keyCompromise', later(2));
        const revokedAt = wholeSecond(later(2));
        expect(await code(ca.revoke(signer.serialHex, 'keyCompromise', later(3)))).toBe(
          'PKI_REVOKED',
        );
        const again = await caOver(db.reopen(), k, later(3));
        expect(await again.status(signer.serialHex)).toMatchObject({
          status: 'revoked',
          reason: 'keyCompromise',
          revokedAt,
        });
        const crl = parseCrl(await again.generateCrl({ now: later(3) }));
        expect([...crl.revoked.keys()]).toEqual([signer.serialHex]);
        expect(crl.revoked.get(signer.serialHex)).toEqual({ reason: 'keyCompromise', revokedAt });
        expect(await ocsp(again, [signer.serialHex, card.serialHex], later(3))).toEqual([
          [signer.serialHex, { status: 'revoked', reason: 'keyCompromise', revokedAt }],
          [card.serialHex, { status: 'good' }],
        ]);
      });
    });

    it('keeps the port error contract: DUPLICATE for a serial issued or revoked twice, nothing for unknown serials', async () => {
      await withDatabase(async (db) => {
        const repository = storeCaRepository(db.store);
        const record = {
          serialHex: '0a1b',
          certificate: Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01),
          uuid: jane.uuid,
          notBefore: wholeSecond(T0),
          notAfter: wholeSecond(later(1095)),
          renews: '99',
        };
        await repository.insertIssued(record);
        expect(await repository.findIssued('0a1b')).toEqual(record);
        expect(await code(repository.insertIssued({ ...record, uuid: '555000000000' }))).toBe(
          'DUPLICATE',
        );
        expect((await repository.findIssued('0a1b'))?.uuid).toBe(jane.uuid);

        const revocation = { serialHex: '0a1b', reason: 'keyCompromise', revokedAt: T0 } as const;
        await repository.insertRevocation(revocation);
        expect(await repository.findRevocation('0a1b')).toEqual({
          ...revocation,
          revokedAt: new Date(T0.toISOString()),
        });
        expect(
          await code(repository.insertRevocation({ ...revocation, reason: 'superseded' })),
        ).toBe('DUPLICATE');
        expect((await repository.findRevocation('0a1b'))?.reason).toBe('keyCompromise');

        // The store can only revoke what it holds (the CA checks it issued the serial first).
        expect(await code(repository.insertRevocation({ ...revocation, serialHex: 'ff' }))).toBe(
          'NOT_FOUND',
        );
        // OCSP requests may carry any serial: lookups of one the store cannot hold find nothing.
        for (const serial of ['ff', '0A1B', 'f'.repeat(41), '']) {
          expect(await repository.findIssued(serial)).toBeUndefined();
          expect(await repository.findRevocation(serial)).toBeUndefined();
        }
        expect(await code(repository.insertIssued({ ...record, serialHex: 'cc', uuid: 'x' }))).toBe(
          'VALIDATION',
        );
        expect(
          await code(
            repository.insertIssued({ ...record, serialHex: 'cd', notAfter: new Date(Number.NaN) }),
          ),
        ).toBe('VALIDATION');

        // Through the CA, a second revocation is PKI_REVOKED (mapped from DUPLICATE).
        const ca = await createCertificateAuthority({ settings, now: T0, repository });
        const issued = await ca.issue({
          ...(await cardKey()),
          holder: jane,
          now: T0,
          notAfter: life(T0),
        });
        await ca.revoke(issued.serialHex, revocationReasonForCard('damaged'), T0);
        expect(await code(ca.revoke(issued.serialHex, 'keyCompromise', T0))).toBe('PKI_REVOKED');
        expect((await repository.findRevocation(issued.serialHex))?.reason).toBe(
          'cessationOfOperation',
        );
      });
    });

    it('lists every revocation for a CRL, across more than one page, and no active certificate', async () => {
      await withDatabase(async (db) => {
        const count = 1_205;
        const row = (i: number, revoked: boolean): CertificateRecord => ({
          serial: (revoked ? 0x100000 + i : 0x900000 + i).toString(16),
          holder: jane.uuid as Uuid,
          notBefore: '2019-01-01T00:00:00.000Z' as IsoDateTime,
          // Expired ones too: a CRL lists every revocation the CA holds.
          notAfter: `20${String(20 + (i % 10))}-01-01T00:00:00.000Z` as IsoDateTime,
          status: revoked ? 'revoked' : 'active',
          ...(revoked
            ? {
                revocation: {
                  reason: i % 2 === 0 ? 'keyCompromise' : 'superseded',
                  at: '2026-02-01T00:00:00.000Z' as IsoDateTime,
                },
              }
            : {}),
          der: Uint8Array.of(0x30, 0),
          version: 0,
        });
        const rows = [
          ...Array.from({ length: count }, (_, i) => row(i, true)),
          ...Array.from({ length: 20 }, (_, i) => row(i, false)),
        ];
        await db.store.bulkLoad('certificates', rows, fixtureEvent('storage.bulk-load', 'certs'));
        const listed = await storeCaRepository(db.store).listRevocations();
        expect(listed).toHaveLength(count);
        expect(new Set(listed.map((r) => r.serialHex))).toEqual(
          new Set(rows.filter((r) => r.status === 'revoked').map((r) => r.serial)),
        );
        const one = listed.find((r) => r.serialHex === (0x100000 + 3).toString(16));
        expect(one).toEqual({
          serialHex: '100003',
          reason: 'superseded',
          revokedAt: new Date('2026-02-01T00:00:00.000Z'),
        });
      });
    });
  });
}
