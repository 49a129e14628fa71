/**
 * Several app servers on one database, as separate OS processes: each runs its commands
 * through `createRegistrationAuthority({ store }).execute` with several concurrent callers,
 * on one PostgreSQL schema or one SQLite file.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/index.js';
import { seed, seedAssignment, seedUser } from '../../src/ra/index.js';
import { type Store, verifyAudit } from '../../src/storage/index.js';
import { postgresStore } from '../../src/storage/postgres/index.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import { fixtureAssignment, fixtureEvent, fixtureUser } from '../../src/storage/testing/index.js';
import { AT, applicant, NOW, people, positions, seedData } from '../ra/fixtures.js';
import { POSTGRES_URL, postgresUp } from '../support/postgres.js';
import type { WorkerJob } from './processes/ra-worker.js';
import { runWorkers } from './processes/spawn.js';

const PROCESSES = 3;
const CALLERS = 4;
const dir = mkdtempSync(join(tmpdir(), 'careid-procs-'));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (!postgresUp) return;
  const client = new pg.Client(POSTGRES_URL);
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

/** A name of letters only, different for each number. */
const letters = (n: number) =>
  Array.from({ length: 4 }, (_, i) => String.fromCharCode(97 + (Math.floor(n / 26 ** i) % 26)))
    .join('')
    .replace(/^./, (c) => c.toUpperCase());
const targetUuid = (n: number) => `7770000${String(n).padStart(5, '0')}`;
const ctx = { at: AT, by: people.ram };

interface Target {
  readonly open: () => Store;
  readonly job: (commands: readonly unknown[]) => WorkerJob;
}

async function allAudit(store: Store): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.transaction((tx) => tx.audit.read({ limit: 1000, cursor }));
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return out;
}

/** Splits commands round-robin over the processes. */
const share = <T>(items: readonly T[], p: number) => items.filter((_, i) => i % PROCESSES === p);

function scenarios(name: string, target: () => Promise<Target>) {
  describe(`${name}: ${PROCESSES} processes x ${CALLERS} callers on one database`, () => {
    it('commands on different aggregates all land (none fails for want of retries); the chain records each exactly once', async () => {
      const { open, job } = await target();
      const store = open();
      const users = Array.from({ length: 45 }, (_, n) =>
        seedUser({ uuid: targetUuid(n), given: 'Target', family: letters(n) }, ctx),
      );
      await seed(store, { ...seedData, users: [...(seedData.users ?? []), ...users] }, ctx);
      const assigns = users.map((u) => ({
        type: 'assignment.assign',
        user: u.uuid,
        position: 'pos-dispenser',
        start: '2026-11-22',
      }));
      const creates = Array.from({ length: 24 }, (_, n) => ({
        type: 'user.create',
        ...applicant,
        name: { given: 'Alex', family: letters(1000 + n) },
        niNumber: `AB${String(200000 + n)}C`,
      }));
      const reports = await runWorkers(
        Array.from({ length: PROCESSES }, (_, p) =>
          job([...share(assigns, p), ...share(creates, p)]),
        ),
      );
      const failed = reports.flatMap((r) => r.outcomes.filter((o) => !o.ok));
      expect(failed).toEqual([]);
      const log = await allAudit(store);
      const allowed = (activity: string) =>
        log.filter((r) => r.event.activity === activity && r.event.outcome === 'allowed');
      expect(allowed('assignment.assign')).toHaveLength(45);
      expect(allowed('user.create')).toHaveLength(24);
      expect(new Set(allowed('user.create').map((r) => r.event.target)).size).toBe(24);
      expect(log).toHaveLength(1 + 45 + 24);
      for (const u of users) {
        const active = await store.transaction((tx) =>
          tx.positionAssignments.activeForUser(u.uuid, '2026-11-22' as never),
        );
        expect(active, u.uuid).toHaveLength(1);
      }
      expect(await verifyAudit(store)).toMatchObject({ ok: true, count: 70 });
      await store.close();
    });

    it('commands on one aggregate land in one serial order: each edit of one assignment moves its version on by one, the last audited edit is the one stored', async () => {
      const { open, job } = await target();
      const store = open();
      const shared = seedAssignment(
        {
          id: 'asg-shared',
          user: people.trainee,
          position: positions.dispenser,
          start: '2026-01-01',
        },
        ctx,
      );
      await seed(
        store,
        { ...seedData, assignments: [...(seedData.assignments ?? []), shared] },
        ctx,
      );
      const edits = Array.from({ length: 36 }, (_, n) => ({
        type: 'assignment.edit-dates',
        assignment: 'asg-shared',
        end: new Date(Date.UTC(2027, 0, 1 + n)).toISOString().slice(0, 10),
      }));
      const reports = await runWorkers(
        Array.from({ length: PROCESSES }, (_, p) => job(share(edits, p))),
      );
      expect(reports.flatMap((r) => r.outcomes.filter((o) => !o.ok))).toEqual([]);
      const stored = await store.transaction((tx) =>
        tx.positionAssignments.get('asg-shared' as never),
      );
      expect(stored?.version).toBe(36);
      const log = (await allAudit(store)).filter(
        (r) => r.event.activity === 'assignment.edit-dates',
      );
      expect(log).toHaveLength(36);
      expect(JSON.stringify(log.at(-1)?.event.details)).toContain(stored?.end as string);
      expect(await verifyAudit(store)).toMatchObject({ ok: true, count: 37 });
      await store.close();
    });

    it('stale writes from several processes fail with a CONFLICT naming the stale version; none is lost, and retried they all land', async () => {
      const { open, job } = await target();
      const store = open();
      await store.transaction(async (tx) => {
        await tx.users.insert(fixtureUser(people.trainee));
        await tx.positionAssignments.insert(
          fixtureAssignment('asg-shared', people.trainee, { start: '2026-01-01' }),
        );
        await tx.audit.append(fixtureEvent('setup', 'asg-shared'));
      });
      const EDITS = 5;
      const reports = await runWorkers(
        Array.from({ length: PROCESSES }, (_, writer) => ({ ...job([]), writer, edits: EDITS })),
        join(import.meta.dirname, 'processes', 'stale-worker.ts'),
      );
      const conflicts = reports.flatMap((r) => r.outcomes.filter((o) => !o.ok));
      // Three processes reading, pausing and writing one record do collide.
      expect(conflicts.length).toBeGreaterThan(0);
      for (const c of conflicts) {
        expect(c).toMatchObject({
          code: 'CONFLICT',
          message: expect.stringMatching(/stored version \d+, written from version \d+/),
        });
      }
      const landed = PROCESSES * EDITS;
      expect(reports.flatMap((r) => r.outcomes.filter((o) => o.ok))).toHaveLength(landed);
      const stored = await store.transaction((tx) =>
        tx.positionAssignments.get('asg-shared' as never),
      );
      // No lost update: every landed write moved the version on by one, from the version it read.
      expect(stored?.version).toBe(landed);
      const edits = (await allAudit(store)).filter(
        (r) => r.event.activity === 'assignment.edit-dates',
      );
      expect(edits.map((r) => r.event.details['from'])).toEqual(
        Array.from({ length: landed }, (_, i) => i),
      );
      expect(edits.at(-1)?.event.details['end']).toBe(stored?.end);
      expect(await verifyAudit(store)).toMatchObject({ ok: true, count: landed + 1 });
      await store.close();
    });
  });
}

scenarios('sqlite', async () => {
  const file = join(dir, `${randomBytes(4).toString('hex')}.sqlite`);
  return {
    open: () => sqliteStore(file),
    job: (commands) => ({
      adapter: 'sqlite',
      location: file,
      actor: people.agent,
      commands,
      callers: CALLERS,
      now: NOW.toISOString(),
    }),
  };
});

describe.skipIf(!postgresUp)('postgres', () => {
  scenarios('postgres', async () => {
    const schema = `careid_t_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    return {
      open: () => postgresStore(POSTGRES_URL, { schema }),
      job: (commands) => ({
        adapter: 'postgres',
        location: POSTGRES_URL,
        schema,
        actor: people.agent,
        commands,
        callers: CALLERS,
        now: NOW.toISOString(),
      }),
    };
  });
});
