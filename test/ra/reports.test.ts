import { afterEach, describe, expect, it } from 'vitest';
import { dorsetPack, PolicyDeniedError } from '../../src/policy/index.js';
import { createRegistrationAuthority, type ReportQuery, reportIds } from '../../src/ra/index.js';
import { type Store, verifyAudit } from '../../src/storage/index.js';
import { NOW, PHARMACY, people } from './fixtures.js';
import { EMPTY_PHARMACY, OTHER_ICB, readers, seedReadWorld } from './read-fixtures.js';
import { storeCases } from './stores.js';

async function lastAudit(store: Store) {
  const page = await store.transaction((tx) => tx.audit.read({ limit: 1000 }));
  return page.items.at(-1)?.event;
}

async function csvOf(chunks: AsyncIterable<string>) {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

for (const storeCase of storeCases) {
  describe.skipIf(storeCase.skip !== undefined)(
    `RA reports on ${storeCase.name}${storeCase.skip ? ` (skipped: ${storeCase.skip})` : ''}`,
    () => {
      let dispose: (() => Promise<void>) | undefined;
      afterEach(async () => {
        await dispose?.();
        dispose = undefined;
      });

      async function setUp(pack = {}) {
        const made = await storeCase.create();
        dispose = made.dispose;
        await seedReadWorld(made.store);
        return {
          store: made.store,
          ra: createRegistrationAuthority({ store: made.store, clock: () => NOW, ...pack }),
        };
      }

      it('REP-01 report.list names every report with its filters and columns; REP-02 a sponsor sees only smartcard and position reports', async () => {
        const { ra } = await setUp();
        const all = await ra.reports.list(people.ram);
        expect(all.map((r) => r.id)).toEqual([...reportIds]);
        expect(all.find((r) => r.id === 'cards-expiring')?.filters.map((f) => f.name)).toEqual([
          'days',
          'organisation',
        ]);
        const sponsor = await ra.reports.list(people.sponsor);
        expect(new Set(sponsor.map((r) => r.category))).toEqual(new Set(['smartcard', 'position']));
        const usual = await ra.reports.frequentlyUsed(people.sponsor);
        expect(usual.map((r) => r.report)).toEqual([
          'cards-expiring',
          'positions-expiring',
          'leavers-overdue',
        ]);
        await expect(ra.reports.list(readers.rivers)).rejects.toBeInstanceOf(PolicyDeniedError);
      });

      it('REP-02 a sponsor asking for a profile report is refused with the rule; the denial is audited', async () => {
        const { store, ra } = await setUp();
        const denied = ra.reports.view(people.sponsor, { report: 'profiles' });
        await expect(denied).rejects.toBeInstanceOf(PolicyDeniedError);
        await expect(denied).rejects.toMatchObject({ rules: ['REP-02'] });
        expect(await lastAudit(store)).toMatchObject({
          actor: people.sponsor,
          activity: 'report.view',
          outcome: 'denied',
        });
        await expect(
          ra.reports.export(people.sponsor, { report: 'request-source' }),
        ).rejects.toMatchObject({ rules: ['REP-02'] });
        expect(await lastAudit(store)).toMatchObject({
          activity: 'report.export',
          outcome: 'denied',
        });
        const cards = await ra.reports.view(people.sponsor, { report: 'cards-expiring' });
        expect(cards.rows.map((r) => r['serial'])).toEqual(['a1']);
      });

      it('REP-01 cards and certificates expiring in 7/30/60/90 days, only of users in scope (ROLE-02)', async () => {
        const { ra } = await setUp();
        const view = (report: ReportQuery['report'], days: number) =>
          ra.reports
            .view(people.agent, { report, filters: { days } })
            .then((p) => p.rows.map((r) => r['serial']));
        expect(await view('certificates-expiring', 7)).toEqual([]);
        expect(await view('certificates-expiring', 30)).toEqual(['a1']);
        expect(await view('certificates-expiring', 90)).toEqual(['a1', 'c1']);
        expect(await view('cards-expiring', 90)).toEqual(['a1']);
        const far = await ra.reports.view(readers.farManager, {
          report: 'cards-expiring',
          filters: { days: 7 },
        });
        expect(far.rows).toEqual([
          {
            serial: 'b1',
            holder: readers.farRivers,
            card: '0712345679',
            cardStatus: 'issued',
            notAfter: '2026-11-27T10:00:00.000Z',
            daysLeft: 5,
          },
        ]);
      });

      it('REP-01 a filter with a wrong field or value is a ValidationError naming the field, audited', async () => {
        const { store, ra } = await setUp();
        await expect(
          ra.reports.view(people.agent, { report: 'cards-expiring', filters: { dayz: 30 } }),
        ).rejects.toMatchObject({ code: 'VALIDATION', field: 'filters.dayz' });
        expect(await lastAudit(store)).toMatchObject({
          activity: 'report.view',
          outcome: 'failed',
          details: { field: 'filters.dayz' },
        });
        await expect(
          ra.reports.export(people.agent, { report: 'cards-expiring', filters: { days: 45 } }),
        ).rejects.toMatchObject({ code: 'VALIDATION', field: 'filters.days' });
        expect(await lastAudit(store)).toMatchObject({
          activity: 'report.export',
          outcome: 'failed',
        });
        await expect(
          ra.reports.view(people.agent, { report: 'no-such-report' as never }),
        ).rejects.toMatchObject({ code: 'VALIDATION', field: 'report' });
        expect(await verifyAudit(store)).toMatchObject({ ok: true });
      });

      it('REP-01 positions expiring, profiles with or without email or NI number, requests by source, card types', async () => {
        const { ra } = await setUp();
        const expiring = await ra.reports.view(people.agent, {
          report: 'positions-expiring',
          filters: { days: 30 },
        });
        expect(expiring.rows.map((r) => r['assignment'])).toEqual(['asg-rivers']);
        const withoutEmail = await ra.reports.view(people.agent, {
          report: 'profiles',
          filters: { email: 'without' },
        });
        expect(withoutEmail.rows.map((r) => r['uuid']).sort()).toEqual(
          [people.ram, people.agent, people.sponsor, readers.brook].sort(),
        );
        const withNi = await ra.reports.view(people.agent, {
          report: 'profiles',
          filters: { niNumber: 'with' },
        });
        expect(withNi.rows.map((r) => r['uuid'])).toEqual([readers.rivers]);
        const esr = await ra.reports.view(people.agent, {
          report: 'request-source',
          filters: { source: 'esr' },
        });
        expect(esr.rows.map((r) => r['id'])).toEqual(['req-leaver']);
        const byPerson = await ra.reports.view(people.agent, {
          report: 'request-source',
          filters: { source: 'person' },
        });
        expect(byPerson.rows.map((r) => r['id'])).toEqual(['req-person']);
        const types = await ra.reports.view(people.agent, { report: 'card-types' });
        expect(types.rows.map((r) => [r['type'], r['id']])).toEqual([
          ['smartcard', '0712345678'],
          ['security-key', 'auth-1'],
        ]);
      });

      it('ASG-03 the leavers report lists assignments still in force after the grace period', async () => {
        const { ra } = await setUp();
        const leavers = await ra.reports.view(people.sponsor, { report: 'leavers-overdue' });
        expect(leavers.rows).toEqual([
          expect.objectContaining({
            organisation: PHARMACY,
            assignment: 'asg-rivers',
            user: readers.rivers,
            leftOn: '2026-11-01',
            request: 'req-leaver',
          }),
        ]);
      });

      it('ORG-01 organisations without a sponsor (national) and pharmacies short of sponsors or agents (dorset)', async () => {
        const national = await setUp();
        const none = await national.ra.reports.view(people.ram, {
          report: 'organisations-without-sponsor',
        });
        expect(none.rows.map((r) => r['odsCode'])).toEqual(['FA456', 'QVV'].sort());
        await dispose?.();
        const dorset = await setUp({ pack: dorsetPack });
        const short = await dorset.ra.reports.view(people.ram, {
          report: 'organisations-without-sponsor',
          filters: { kind: 'pharmacy' },
        });
        expect(short.rows).toEqual([
          expect.objectContaining({ odsCode: PHARMACY, people: 1, hasSponsor: true, minimum: 2 }),
          expect.objectContaining({
            odsCode: EMPTY_PHARMACY,
            people: 0,
            hasSponsor: false,
            minimum: 2,
          }),
        ]);
      });

      it('REP-01 export: RFC 4180 CSV with a header row, formula-safe cells, the same rows as the pages; the export is audited', async () => {
        const { store, ra } = await setUp();
        const csv = await csvOf(
          await ra.reports.export(people.ram, { report: 'profiles', filters: {} }),
        );
        const lines = csv.split('\r\n');
        expect(lines[0]).toBe(
          'Organisation,UUID,Family name,Given name,Status,Has email,Has NI number',
        );
        expect(csv).toContain(`${PHARMACY},${readers.brook},'=Brook,Sam,open,false,false`);
        expect(csv).not.toMatch(/(^|,)=Brook/m);
        expect(await lastAudit(store)).toMatchObject({
          actor: people.ram,
          activity: 'report.export',
          outcome: 'allowed',
          target: 'profiles',
          details: { report: 'profiles' },
        });
        const paged: unknown[] = [];
        let cursor: string | undefined;
        do {
          const page = await ra.reports.view(people.ram, {
            report: 'profiles',
            page: { limit: 1, ...(cursor ? { cursor } : {}) },
          });
          paged.push(...page.rows);
          cursor = page.nextCursor;
        } while (cursor !== undefined);
        expect(paged).toHaveLength(lines.length - 2);
        expect(await verifyAudit(store)).toMatchObject({ ok: true });
      });

      it('REP-01 every report exports to CSV: a header row naming its columns, then the rows its pages hold, page size 1 or 100', async () => {
        const { ra } = await setUp();
        for (const report of reportIds) {
          const csv = await csvOf(await ra.reports.export(people.ram, { report, pageSize: 1 }));
          const lines = csv.split('\r\n').slice(0, -1);
          const pages = [];
          let cursor: string | undefined;
          do {
            const page = await ra.reports.view(people.ram, {
              report,
              page: { limit: 1, ...(cursor ? { cursor } : {}) },
            });
            pages.push(...page.rows);
            cursor = page.nextCursor;
          } while (cursor !== undefined);
          const all = await ra.reports.view(people.ram, { report, page: { limit: 100 } });
          expect(lines[0], report).toBe(all.columns.join(','));
          expect(lines.length - 1, report).toBe(all.rows.length);
          expect(pages, report).toEqual(all.rows);
          expect(all.nextCursor, report).toBeUndefined();
        }
      });

      it('ROLE-02 a report limited to an organisation outside the actor scope is refused', async () => {
        const { ra } = await setUp();
        await expect(
          ra.reports.view(people.agent, {
            report: 'cards-expiring',
            filters: { organisation: OTHER_ICB },
          }),
        ).rejects.toMatchObject({ rules: ['ROLE-02'] });
        const one = await ra.reports.view(people.ram, {
          report: 'organisations-without-sponsor',
          filters: { organisation: EMPTY_PHARMACY },
        });
        expect(one.rows.map((r) => r['odsCode'])).toEqual([EMPTY_PHARMACY]);
      });
    },
  );
}
