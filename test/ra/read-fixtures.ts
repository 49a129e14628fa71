import type { Request } from '../../src/domain/index.js';
import { organisationSchema, positionSchema } from '../../src/domain/index.js';
import { seed } from '../../src/ra/index.js';
import type { Store } from '../../src/storage/index.js';
import {
  fixtureAssignment,
  fixtureAuthenticator,
  fixtureCard,
  fixtureCertificate,
  fixtureRequest,
  fixtureUser,
  fixtureWorkgroup,
  fixtureWorkgroupAssignment,
} from '../../src/storage/testing/index.js';
import { AT, ICB, PHARMACY, people, positions, seedData } from './fixtures.js';

/** A second ICB with a practice, outside the first ICB's RA scope (ROLE-02). */
export const OTHER_ICB = 'QWW';
export const PRACTICE = 'A81001';
/** A pharmacy under the first ICB with nobody in post (ORG-01). */
export const EMPTY_PHARMACY = 'FA456';

export const readers = {
  /** At the pharmacy: email and NI number; dispenser ending 2026-12-10; an ESR leaver. */
  rivers: '555000000010',
  /** At the other ICB's practice: out of the first ICB's scope. */
  farRivers: '555000000011',
  /** At the pharmacy: one expired and one removed assignment, no email. */
  brook: '555000000012',
  /** An RA manager advanced (RAAA) at the other ICB. */
  farManager: '555000000013',
  /** A profile with no position anywhere yet. */
  newcomer: '555000000014',
};

const practicePosition = positionSchema.parse({
  ...positions.dispenser,
  id: 'pos-practice',
  name: 'Receptionist',
  organisation: PRACTICE,
});
const farRaPosition = positionSchema.parse({
  ...positions.ram,
  id: 'pos-far-raaa',
  name: 'RA manager advanced',
  organisation: OTHER_ICB,
  jobRole: 'R5085',
});

const withContact = (uuid: string, family: string, email?: string, ni?: string) => {
  const base = fixtureUser(uuid, { family, given: 'Sam', ...(ni ? { niNumber: ni } : {}) });
  return { ...base, contact: { ...base.contact, ...(email ? { email } : {}) } };
};

/**
 * The RA world of the read-side scenarios: the shared seed plus a second ICB, users in and
 * out of scope, expired and removed assignments, cards and certificates, workgroups,
 * authenticators and requests (an ESR leaver notice among them).
 */
export async function seedReadWorld(store: Store): Promise<void> {
  await seed(
    store,
    {
      ...seedData,
      organisations: [
        ...(seedData.organisations ?? []),
        organisationSchema.parse({ odsCode: OTHER_ICB, name: 'Wessex ICB', kind: 'icb' }),
        organisationSchema.parse({
          odsCode: PRACTICE,
          name: 'Harbour Surgery',
          kind: 'practice',
          parent: OTHER_ICB,
        }),
        organisationSchema.parse({
          odsCode: EMPTY_PHARMACY,
          name: 'Quay Pharmacy',
          kind: 'pharmacy',
          parent: ICB,
        }),
      ],
      positions: [...(seedData.positions ?? []), practicePosition, farRaPosition],
    },
    { at: AT, by: 'test-seed' },
  );
  await store.transaction(async (tx) => {
    await tx.users.insert(withContact(readers.rivers, 'Rivers', 'sam@nhs.net', 'AB123456C'));
    await tx.users.insert(withContact(readers.farRivers, 'Rivers'));
    await tx.users.insert(withContact(readers.brook, '=Brook'));
    await tx.users.insert(withContact(readers.farManager, 'Manager'));
    await tx.users.insert(withContact(readers.newcomer, 'Newcomer'));
    const at = (org: string, position: string) => ({ organisation: org, position });
    await tx.positionAssignments.insert(
      fixtureAssignment('asg-rivers', readers.rivers, {
        ...at(PHARMACY, 'pos-dispenser'),
        end: '2026-12-10',
      }),
    );
    await tx.positionAssignments.insert(
      fixtureAssignment('asg-far', readers.farRivers, at(PRACTICE, 'pos-practice')),
    );
    await tx.positionAssignments.insert(
      fixtureAssignment('asg-far-raaa', readers.farManager, at(OTHER_ICB, 'pos-far-raaa')),
    );
    await tx.positionAssignments.insert(
      fixtureAssignment('asg-brook-old', readers.brook, {
        ...at(PHARMACY, 'pos-dispenser'),
        start: '2025-01-01',
        end: '2026-06-01',
      }),
    );
    await tx.positionAssignments.insert(
      fixtureAssignment('asg-brook-removed', readers.brook, {
        ...at(PHARMACY, 'pos-pharmacist'),
        removed: true,
      }),
    );
    await tx.positionAssignments.insert(
      fixtureAssignment('asg-brook-now', readers.brook, at(PHARMACY, 'pos-pharmacist')),
    );
    await tx.smartcards.insert(fixtureCard('0712345678', readers.rivers));
    await tx.smartcards.insert(fixtureCard('0712345679', readers.farRivers));
    // Rivers' expires in 10 days, the far user's in 5, Brook's in 80 (no card).
    await tx.certificates.insert(
      fixtureCertificate('a1', readers.rivers, '2026-12-02T10:00:00.000Z', '0712345678'),
    );
    await tx.certificates.insert(
      fixtureCertificate('b1', readers.farRivers, '2026-11-27T10:00:00.000Z', '0712345679'),
    );
    await tx.certificates.insert(
      fixtureCertificate('c1', readers.brook, '2027-02-10T10:00:00.000Z'),
    );
    await tx.authenticators.insert(fixtureAuthenticator('auth-1', readers.rivers));
    await tx.workgroups.insert(fixtureWorkgroup('wg-pharmacy', PHARMACY));
    await tx.workgroups.insert(fixtureWorkgroup('wg-practice', PRACTICE));
    await tx.workgroupAssignments.insert(
      fixtureWorkgroupAssignment('wga-1', readers.rivers, 'wg-pharmacy'),
    );
    await tx.workgroupAssignments.insert(
      fixtureWorkgroupAssignment('wga-2', readers.rivers, 'wg-pharmacy', {
        start: '2025-01-01',
        end: '2025-06-01',
      }),
    );
    await tx.workgroupAssignments.insert(
      fixtureWorkgroupAssignment('wga-3', readers.farRivers, 'wg-practice'),
    );
    const leaver: Request = {
      ...fixtureRequest('req-leaver', {
        kind: 'esr-modify-user',
        organisation: PHARMACY,
        requestedBy: 'ESR',
      }),
      subject: readers.rivers as Request['subject'] & string,
      payload: { leftOn: '2026-11-01' },
    };
    await tx.requests.insert(leaver);
    await tx.requests.insert(
      fixtureRequest('req-person', {
        kind: 'sponsor-create-user',
        organisation: PHARMACY,
        requestedBy: people.sponsor,
      }),
    );
    await tx.requests.insert(
      fixtureRequest('req-far', { kind: 'esr-create-user', organisation: PRACTICE }),
    );
  });
}
