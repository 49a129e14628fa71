import {
  organisationSchema,
  positionAssignmentSchema,
  positionSchema,
  userProfileSchema,
} from '../domain/index.js';
import { CareIdError } from '../errors/care-id-error.js';
import { PolicyDeniedError } from '../policy/policy-denied-error.js';
import { createRegistrationAuthority } from '../ra/registration-authority.js';
import { csvStream } from '../ra/reports/csv.js';
import { seed } from '../ra/seed.js';
import { verifyAudit } from '../storage/audit-chain.js';
import { memoryStore } from '../storage/memory/memory-store.js';
import type { CliIo } from './io.js';

const NOW = new Date('2026-11-22T10:00:00.000Z');
const AT = NOW.toISOString();
const AGENT = '555000000001';
const SPONSOR = '555000000003';

const staff = (uuid: string, family: string) =>
  userProfileSchema.parse({
    uuid,
    name: { given: family === 'Agent' ? 'Priya' : 'Sam', family },
    dateOfBirth: '1980-01-01',
    contact: {},
    status: 'open',
    trainingCertificates: [{ kind: 'ra-sponsor', receivedOn: '2025-12-01', reference: 'eLfH' }],
    createdAt: AT,
    createdBy: AGENT,
    version: 0,
  });
const position = (
  id: string,
  organisation: string,
  jobRole: string,
  activities: string[],
  assignable: string[] = [],
) =>
  positionSchema.parse({
    id,
    name: id,
    organisation,
    jobRole,
    activities,
    assignable,
    approval: { method: 'local-policy', approvedBy: [AGENT], at: AT },
    status: 'open',
    version: 0,
  });

/**
 * The RA part of the demo: on the in-memory store, an RA agent checks an applicant's
 * identity and creates the profile, a sponsor assigns positions (one refused, with its
 * reason), a report is exported as CSV and the audit chain is verified.
 *
 * @example
 * ```ts
 * await runRaDemo(processIo);
 * ```
 */
export async function runRaDemo(io: CliIo): Promise<void> {
  const store = memoryStore();
  const positions = {
    agent: position('pos-raa', 'QVV', 'R5090', []),
    sponsor: position('pos-sponsor', 'FA123', 'R8003', ['B1300'], ['pos-dispenser']),
    dispenser: position('pos-dispenser', 'FA123', 'R8004', []),
    pharmacist: position('pos-pharmacist', 'FA123', 'R8003', []),
  };
  await seed(
    store,
    {
      organisations: [
        organisationSchema.parse({ odsCode: 'QVV', name: 'NHS Dorset ICB', kind: 'icb' }),
        organisationSchema.parse({
          odsCode: 'FA123',
          name: 'Boots, Dorchester',
          kind: 'pharmacy',
          parent: 'QVV',
        }),
      ],
      positions: Object.values(positions),
      users: [staff(AGENT, 'Agent'), staff(SPONSOR, 'Sponsor')],
      assignments: [
        positionAssignmentSchema.parse({
          id: 'asg-1',
          user: AGENT,
          position: 'pos-raa',
          organisation: 'QVV',
          start: '2025-04-01',
          createdBy: AGENT,
          version: 0,
        }),
        positionAssignmentSchema.parse({
          id: 'asg-2',
          user: SPONSOR,
          position: 'pos-sponsor',
          organisation: 'FA123',
          start: '2025-09-01',
          createdBy: AGENT,
          version: 0,
        }),
      ],
    },
    { at: AT as never, by: 'demo-seed' },
  );
  const ra = createRegistrationAuthority({ store, clock: () => NOW });
  io.out('5. The RegistrationAuthority on the in-memory store');
  io.out(
    '  seeded: NHS Dorset ICB (QVV) > Boots FA123; Priya (RA Agent at QVV), Sam (Sponsor at FA123)',
  );

  const { uuid } = await ra.users.create(AGENT, {
    organisation: 'FA123',
    name: { given: 'Alex', family: 'Rivers' },
    dateOfBirth: '1995-05-05',
    niNumber: 'AB123456C',
    sponsoredBy: SPONSOR,
    identityCheck: {
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
    },
  });
  io.out(
    `  Priya checks Alex's identity (passport, driving licence, council tax bill) and creates profile ${uuid}`,
  );
  const dispenser = await ra.assignments.assign(SPONSOR, {
    user: uuid,
    position: 'pos-dispenser',
    start: '2026-11-22',
  });
  io.out(
    `  Sam assigns Alex the Dispenser position: ${dispenser.decision.reasons[0]?.rule} ${dispenser.decision.reasons[0]?.code}`,
  );
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
  try {
    await ra.users.create(AGENT, {
      organisation: 'FA123',
      name: { given: 'Alex', family: 'RIVERS' },
      dateOfBirth: '1995-05-05',
      identityCheck: {
        documents: [
          { kind: 'passport', country: 'GBR', number: '123456789', expiry: '2030-01-01' },
        ],
        photo: 'sha256:x',
      },
    });
  } catch (error) {
    if (!(error instanceof CareIdError)) throw error;
    io.out(`  a second profile for Alex with one document: ${error.code}: ${error.message}`);
  }
  io.out('  the audit log as CSV (REP-01 export, formula-injection safe):');
  const audit = await store.transaction((tx) => tx.audit.read({ limit: 100 }));
  for await (const chunk of csvStream(audit.items, [
    { header: 'seq', value: (r) => r.seq },
    { header: 'actor', value: (r) => r.event.actor },
    { header: 'activity', value: (r) => r.event.activity },
    { header: 'outcome', value: (r) => r.event.outcome },
    { header: 'rule', value: (r) => r.event.reasons[0]?.rule ?? '' },
  ])) {
    for (const line of chunk.trimEnd().split('\r\n')) io.out(`    ${line}`);
  }
  const verified = await verifyAudit(store);
  io.out(
    `  audit chain: ${verified.ok ? `verified, ${verified.count} records hash-chained` : `BROKEN at ${verified.seq}`}`,
  );
}
