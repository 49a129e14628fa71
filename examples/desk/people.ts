import {
  type RegistrationAuthority,
  type Store,
  seed,
  seedAssignment,
  seedOrganisation,
  seedPosition,
  seedUser,
} from 'careid';

/** The demo's people (`npm run demo`), as the desk's sign-in list shows them. */
export const people = [
  { uuid: '555000000000', name: 'Morgan Manager', role: 'RA Manager, NHS Dorset ICB (QVV)' },
  { uuid: '555000000001', name: 'Priya Agent', role: 'RA Agent, NHS Dorset ICB (QVV)' },
  { uuid: '555000000003', name: 'Sam Sponsor', role: 'Sponsor, Boots Dorchester (FA123)' },
  {
    uuid: '555000000004',
    name: 'Jo Locum',
    role: 'Local Smartcard Administrator (locum), FA123',
  },
] as const;

export type Person = (typeof people)[number];

const [MORGAN, PRIYA, SAM, JO] = people.map((p) => p.uuid) as [string, string, string, string];

/**
 * Seeds an empty store with the demo's organisations, positions and staff, then has Priya
 * create Alex Rivers's profile through the RA, after an identity check, as a dispenser at
 * the pharmacy: the applicant the desk issues a card to. Does nothing when the staff are
 * already on record (a lasting store started before).
 */
export async function seedDemo(store: Store, ra: RegistrationAuthority, now: Date): Promise<void> {
  const known = await store.transaction((tx) => tx.users.get(PRIYA as never));
  if (known !== undefined) return;
  const at = now.toISOString();
  const ctx = { at, by: MORGAN };
  const staff = (uuid: string, given: string, family: string) =>
    seedUser({ uuid, given, family, training: true }, ctx);
  const position = (
    id: string,
    name: string,
    organisation: string,
    jobRole: string,
    extra: { activities?: string[]; assignable?: string[] } = {},
  ) => ({
    ...seedPosition({ id, organisation, jobRole, activities: [], ...extra }, ctx),
    name,
  });
  const positions = {
    manager: position('pos-ram', 'RA Manager', 'QVV', 'R5080'),
    agent: position('pos-raa', 'RA Agent', 'QVV', 'R5090'),
    sponsor: position('pos-sponsor', 'Pharmacy Sponsor', 'FA123', 'R8003', {
      activities: ['B1300'],
      assignable: ['pos-dispenser', 'pos-counter'],
    }),
    lsa: position('pos-lsa', 'Local Smartcard Administrator', 'FA123', 'R8003', {
      activities: ['B0570'],
    }),
    dispenser: position('pos-dispenser', 'Dispenser', 'FA123', 'R8004'),
    counter: position('pos-counter', 'Counter Assistant', 'FA123', 'R8004'),
    pharmacist: position('pos-pharmacist', 'Pharmacist', 'FA123', 'R8003'),
  };
  const assigned = (id: string, user: string, post: (typeof positions)[keyof typeof positions]) =>
    seedAssignment({ id, user, position: post, start: '2025-04-01' }, ctx);
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
        staff(MORGAN, 'Morgan', 'Manager'),
        staff(PRIYA, 'Priya', 'Agent'),
        staff(SAM, 'Sam', 'Sponsor'),
        staff(JO, 'Jo', 'Locum'),
      ],
      assignments: [
        assigned('asg-morgan', MORGAN, positions.manager),
        assigned('asg-priya', PRIYA, positions.agent),
        assigned('asg-sam', SAM, positions.sponsor),
        { ...assigned('asg-jo', JO, positions.lsa), locum: true },
      ],
    },
    ctx,
  );
  const monthAgo = new Date(now.getTime() - 30 * 86_400_000).toISOString().slice(0, 10);
  const { uuid } = await ra.users.create(PRIYA, {
    organisation: 'FA123',
    name: { given: 'Alex', family: 'Rivers' },
    dateOfBirth: '1995-05-05',
    niNumber: 'AB123456C',
    identityCheck: {
      documents: [
        { kind: 'passport', country: 'GBR', number: '123456789', expiry: '2035-01-01' },
        { kind: 'driving-licence', number: 'RIVER905055AB9CD', expiry: '2036-01-01' },
        {
          kind: 'proof-of-address',
          documentType: 'council tax bill',
          issuer: 'Dorset Council',
          issuedOn: monthAgo,
        },
      ],
      photo: 'sha256:desk-demo',
    },
  });
  await ra.assignments.assign(PRIYA, {
    user: uuid,
    position: 'pos-dispenser',
    start: at.slice(0, 10),
  });
}
