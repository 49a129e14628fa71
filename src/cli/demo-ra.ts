import type { Position } from '../domain/position.js';
import { CareIdError } from '../errors/care-id-error.js';
import { PolicyDeniedError } from '../policy/policy-denied-error.js';
import { type CommandPayload, createRegistrationAuthority } from '../ra/registration-authority.js';
import { seed } from '../ra/seed.js';
import { seedAssignment, seedOrganisation, seedPosition, seedUser } from '../ra/seed-records.js';
import { verifyAudit } from '../storage/audit-chain.js';
import { memoryStore } from '../storage/memory/memory-store.js';
import type { CliIo } from './io.js';

const NOW = new Date('2026-11-22T10:00:00.000Z');
const AT = NOW.toISOString();
const MANAGER = '555000000000';
const AGENT = '555000000001';
const SPONSOR = '555000000003';

const ctx = { at: AT, by: AGENT };
const givenNames: Record<string, string> = { Manager: 'Morgan', Agent: 'Priya', Sponsor: 'Sam' };
const staff = (uuid: string, family: string) =>
  seedUser({ uuid, given: givenNames[family] ?? 'Jo', family, training: true }, ctx);
const position = (
  id: string,
  organisation: string,
  jobRole: string,
  activities: string[],
  assignable: string[] = [],
) => seedPosition({ id, organisation, jobRole, activities, assignable }, ctx);

const applicantCheck: CommandPayload<'user.create'>['identityCheck'] = {
  documents: [
    { kind: 'passport', country: 'GBR', number: '123456789', expiry: '2030-01-01' },
    { kind: 'driving-licence', number: 'RIVER905055AB9CD', expiry: '2031-01-01' },
    {
      kind: 'proof-of-address',
      documentType: 'council tax bill',
      issuer: 'Dorset Council',
      issuedOn: '2026-10-01',
    },
  ],
  photo: 'sha256:demo',
};

/** 96 pharmacy staff already on record, for the batch. */
const batchStaff = Array.from({ length: 96 }, (_, i) =>
  staff(String(556_000_000_000 + i), `Staff${i}`),
);

/**
 * The RA part of the demo: on the in-memory store, a sponsor raises a create-user request
 * that an RA agent accepts after checking identity, a sponsor is refused outside its
 * assignable list, an RA manager previews then applies a batch of 100 UUIDs and exports a
 * report as CSV, and the audit chain is verified.
 *
 * @example
 * ```ts
 * await runRaDemo(processIo);
 * ```
 */
export async function runRaDemo(io: CliIo): Promise<void> {
  const store = memoryStore();
  const positions = {
    manager: position('pos-ram', 'QVV', 'R5080', []),
    agent: position('pos-raa', 'QVV', 'R5090', []),
    sponsor: position('pos-sponsor', 'FA123', 'R8003', ['B1300'], ['pos-dispenser']),
    dispenser: position('pos-dispenser', 'FA123', 'R8004', []),
    pharmacist: position('pos-pharmacist', 'FA123', 'R8003', []),
    flu: position('pos-flu-clinic', 'FA123', 'R8004', []),
  };
  const seeded = (id: string, user: string, pos: Position) =>
    seedAssignment({ id, user, position: pos, start: '2025-04-01' }, ctx);
  await seed(
    store,
    {
      organisations: [
        seedOrganisation({ odsCode: 'QVV', name: 'NHS Dorset ICB', kind: 'icb' }),
        seedOrganisation({
          odsCode: 'FA123',
          name: 'Boots, Dorchester',
          kind: 'pharmacy',
          parent: 'QVV',
        }),
      ],
      positions: Object.values(positions),
      users: [
        staff(MANAGER, 'Manager'),
        staff(AGENT, 'Agent'),
        staff(SPONSOR, 'Sponsor'),
        ...batchStaff,
      ],
      assignments: [
        seeded('asg-0', MANAGER, positions.manager),
        seeded('asg-1', AGENT, positions.agent),
        seeded('asg-2', SPONSOR, positions.sponsor),
      ],
    },
    { at: AT as never, by: 'demo-seed' },
  );
  const ra = createRegistrationAuthority({ store, clock: () => NOW });
  io.out('5. The RegistrationAuthority on the in-memory store');
  io.out('  seeded: NHS Dorset ICB (QVV) > Boots, Dorchester (FA123)');
  io.out(
    '          Morgan (RA Manager, QVV), Priya (RA Agent, QVV), Sam (Sponsor, FA123), 96 staff',
  );

  const raised = await ra.requests.raise(SPONSOR, {
    request: {
      kind: 'sponsor-create-user',
      organisation: 'FA123',
      person: {
        name: { given: 'Alex', family: 'Rivers' },
        dateOfBirth: '1995-05-05',
        niNumber: 'AB123456C',
      },
      position: 'pos-dispenser',
      start: '2026-11-22',
    },
    reason: 'new dispenser starting Monday',
  });
  io.out(`  Sam raises request ${raised.request.id}: create a profile for Alex Rivers (REQ-01)`);
  try {
    await ra.requests.accept(SPONSOR, { request: raised.request.id });
  } catch (error) {
    if (!(error instanceof CareIdError)) throw error;
    io.out(`  Sam tries to accept his own request: ${error.code}: ${error.message}`);
  }
  const opened = await ra.requests.open(AGENT, { request: raised.request.id });
  io.out(`  Priya opens it; it is locked to her until ${opened.request.lock?.until} (REQ-02)`);
  const accepted = await ra.requests.accept(AGENT, {
    request: raised.request.id,
    identityCheck: applicantCheck,
  });
  const uuid = accepted.user!;
  io.out(
    `  Priya checks Alex's identity (passport, driving licence, council tax bill) and accepts: profile ${uuid}, Dispenser assigned`,
  );
  io.out(`    ${accepted.changed.map((c) => `${c.op} ${c.kind} ${c.key}`).join('; ')}`);
  try {
    await ra.assignments.assign(SPONSOR, {
      user: uuid,
      position: 'pos-pharmacist',
      start: '2026-11-22',
    });
  } catch (error) {
    if (!(error instanceof PolicyDeniedError)) throw error;
    const r = error.decision.reasons[0];
    io.out(`  Sam tries the Pharmacist position: refused, ${r?.rule} ${r?.code}: ${r?.message}`);
  }

  const uuids = [...batchStaff.map((u) => u.uuid), uuid, '999999999999', 'AB-1', MANAGER];
  const batch = {
    action: 'assign' as const,
    position: 'pos-flu-clinic',
    uuids,
    start: '2026-11-22',
  };
  const preview = await ra.batch.preview(MANAGER, batch);
  io.out(
    `  Morgan previews a batch of ${uuids.length} UUIDs for the Flu clinic position (BATCH-01):`,
  );
  io.out(
    `    would change ${preview.counts.changed}, unmatched ${preview.counts.unmatched}, denied ${preview.counts.denied}`,
  );
  for (const item of preview.items.filter((i) => i.outcome !== 'changed')) {
    const rule = item.reasons?.[0]?.rule;
    io.out(`    ${item.uuid}: ${item.outcome}: ${rule ? `${rule} ` : ''}${item.message}`);
  }
  const marks: string[] = [];
  const applied = await ra.batch.apply(MANAGER, batch, {
    onProgress: (done, total) => {
      if (done % 25 === 0 || done === total) marks.push(`${done}/${total}`);
    },
  });
  io.out(
    `    applied: ${marks.join(' ')}; ${applied.changed.length} assignments written in one transaction`,
  );

  const report = await ra.reports.export(MANAGER, {
    report: 'profiles',
    filters: { email: 'without', organisation: 'FA123' },
  });
  const lines: string[] = [];
  for await (const chunk of report) lines.push(...chunk.split('\r\n').filter((l) => l !== ''));
  io.out(
    `  Morgan exports the profiles at FA123 with no email address (REP-01), streamed as CSV: ${lines.length - 1} rows`,
  );
  for (const line of lines.slice(0, 4)) io.out(`    ${line}`);
  io.out('    ...');
  const verified = await verifyAudit(store);
  io.out(
    `  audit chain: ${verified.ok ? `verified, ${verified.count} records hash-chained` : `BROKEN at ${verified.seq}`}`,
  );
}
