import type {
  IsoDateTime,
  Organisation,
  Position,
  PositionAssignment,
  UserProfile,
} from '../../src/domain/index.js';
import {
  type CommandPayload,
  type SeedData,
  seedAssignment,
  seedOrganisation,
  seedPosition,
  seedUser,
} from '../../src/ra/index.js';

export const NOW = new Date('2026-11-22T10:00:00.000Z');
export const AT = NOW.toISOString() as IsoDateTime;
export const ICB = 'QVV';
export const PHARMACY = 'FA123';
export const people = {
  ram: '555000000001',
  agent: '555000000002',
  sponsor: '555000000003',
  trainee: '555000000004',
};

const ctx = { at: AT, by: people.ram };
const org = (odsCode: string, kind: string, parent?: string): Organisation =>
  seedOrganisation({ odsCode, name: odsCode, kind, ...(parent ? { parent } : {}) });
const position = (
  id: string,
  organisation: string,
  jobRole: string,
  activities: string[],
  assignable: string[] = [],
): Position => seedPosition({ id, organisation, jobRole, activities, assignable }, ctx);
const user = (uuid: string, family: string, training = false): UserProfile =>
  seedUser({ uuid, given: 'Staff', family, training }, ctx);
const assignment = (id: string, u: string, p: Position): PositionAssignment =>
  seedAssignment({ id, user: u, position: p, start: '2026-01-01' }, ctx);

export const positions = {
  ram: position('pos-ram', ICB, 'R5080', []),
  agent: position('pos-raa', ICB, 'R5090', []),
  sponsor: position('pos-sponsor', PHARMACY, 'R8003', ['B1300'], ['pos-dispenser']),
  dispenser: position('pos-dispenser', PHARMACY, 'R8004', []),
  pharmacist: position('pos-pharmacist', PHARMACY, 'R8003', []),
};

/** An ICB and a pharmacy, their positions, an RA manager, an RA agent and a sponsor. */
export const seedData: SeedData = {
  organisations: [org(ICB, 'icb'), org(PHARMACY, 'pharmacy', ICB)],
  positions: Object.values(positions),
  users: [
    user(people.ram, 'Manager', true),
    user(people.agent, 'Agent', true),
    user(people.sponsor, 'Sponsor', true),
    user(people.trainee, 'Trainee'),
  ],
  assignments: [
    assignment('asg-ram', people.ram, positions.ram),
    assignment('asg-agent', people.agent, positions.agent),
    assignment('asg-sponsor', people.sponsor, positions.sponsor),
  ],
};

/** A complete identity check (ID-01..ID-04) as of 2026-11-22. */
export const goodCheck: CommandPayload<'user.create'>['identityCheck'] = {
  documents: [
    { kind: 'passport', country: 'GBR', number: '123456789', expiry: '2030-01-01' },
    { kind: 'driving-licence', number: 'SMITH751010AB9CD', expiry: '2030-01-01' },
    {
      kind: 'proof-of-address',
      documentType: 'council tax bill',
      issuer: 'Dorset Council',
      issuedOn: '2026-10-01',
    },
  ],
  photo: 'sha256:0f1e2d',
};

export const applicant: CommandPayload<'user.create'> = {
  organisation: PHARMACY,
  name: { given: 'Alex', family: 'Rivers' },
  dateOfBirth: '1995-05-05',
  niNumber: 'AB123456C',
  identityCheck: goodCheck,
};

/** The applicant with the NI number document the dorset pack requires (ID-03). */
export const applicantWithNiDocument: CommandPayload<'user.create'> = {
  ...applicant,
  identityCheck: {
    ...applicant.identityCheck,
    documents: [
      ...applicant.identityCheck.documents,
      { kind: 'ni-number', niNumber: 'AB123456C', seenOn: 'HMRC letter' },
    ],
  },
};
