import {
  type ActorInput,
  type Decision,
  type DecisionInput,
  decide,
  diffPacks,
  dorsetPack,
  nationalPack,
  type RulePack,
  whatCan,
} from '../policy/index.js';
import { runCardDemo } from './demo-card.js';
import { runRaDemo } from './demo-ra.js';
import type { CliIo } from './io.js';

const AT = '2026-11-22T10:00:00.000Z';
const ICB = 'QVV';
const PHARMACY = 'FA123';
const PRACTICE = 'J81001';
const PHARMACY_PATH = [PHARMACY, ICB];

const people = {
  priya: {
    uuid: '555000000001',
    assignments: [{ organisation: ICB, roles: ['RAA'], start: '2025-04-01' }],
  },
  lee: {
    uuid: '555000000002',
    assignments: [{ organisation: ICB, roles: ['RAM'], start: '2024-01-01' }],
  },
  sam: {
    uuid: '555000000003',
    assignments: [
      { organisation: PHARMACY, roles: ['S'], start: '2025-09-01', assignable: ['pos-dispenser'] },
    ],
  },
  jo: {
    uuid: '555000000004',
    assignments: [{ organisation: PHARMACY, roles: ['LSA'], start: '2026-11-01', locum: true }],
  },
  morgan: {
    uuid: '555000000005',
    assignments: [
      { organisation: PRACTICE, roles: ['RAA'], start: '2026-01-01' },
      { organisation: PRACTICE, roles: ['S'], start: '2026-03-01' },
    ],
  },
  alex: { uuid: '555000000006', assignments: [] },
} satisfies Record<string, ActorInput>;

const names: Record<string, string> = {
  [people.priya.uuid]: 'Priya (RA Agent, Dorset ICB)',
  [people.lee.uuid]: 'Lee (RA Manager, Dorset ICB)',
  [people.sam.uuid]: 'Sam (Sponsor, Boots FA123)',
  [people.jo.uuid]: 'Jo (locum pharmacist, LSA at FA123)',
  [people.morgan.uuid]: 'Morgan (RA Agent and Sponsor, practice J81001)',
  [people.alex.uuid]: 'Alex (dispenser, applicant)',
};

const alexAtPharmacy = {
  organisationPath: PHARMACY_PATH,
  user: { uuid: people.alex.uuid, identityChecked: true, hasNiNumber: true, raTraining: false },
} as const;

type Step = Omit<DecisionInput, 'actor' | 'pack' | 'at'> & { readonly at?: string };

/** Alex renews their own card, 40 days before it expires, after three self-renewals. */
const alexSelfRenews: Step = {
  activity: 'smartcard.self-renew',
  target: {
    user: { uuid: people.alex.uuid },
    card: {
      serial: '2112345678',
      status: 'issued',
      holder: people.alex.uuid,
      certificatesExpireOn: '2027-01-01',
      selfRenewalCount: 3,
    },
  },
};

function ask(io: CliIo, pack: RulePack, actor: ActorInput, question: string, step: Step): Decision {
  const decision = decide({ pack, actor, at: AT, ...step });
  const verdict = decision.allowed
    ? `YES${decision.route === 'via-request' ? ', by raising a request an RA agent accepts' : ''}`
    : 'NO';
  io.out(`  ${names[actor.uuid]}: ${question}`);
  io.out(`    -> ${verdict}`);
  for (const r of decision.reasons) io.out(`       ${r.rule} ${r.code}: ${r.message}`);
  if (decision.wouldGrant.length > 0) {
    const roles = decision.wouldGrant
      .map((h) => h.role + (h.route === 'via-request' ? ' (by request)' : ''))
      .join(', ');
    io.out(
      `       would be granted by: ${roles} at ${decision.wouldGrant[0]?.organisation ?? 'any organisation'} or above`,
    );
  }
  return decision;
}

/**
 * The README's demo: a narrated scenario of the policy engine on the national and dorset
 * packs (who may do what, and why not), then the RA on the in-memory store and a smartcard
 * on the virtual card. Returns the process exit code.
 *
 * @example
 * ```ts
 * await runDemo(processIo);
 * ```
 */
export async function runDemo(io: CliIo): Promise<number> {
  io.out('careid demo: the RA rules engine, the RA and a smartcard, on 22 November 2026');
  io.out('');
  io.out('NHS Dorset ICB (QVV) runs the RA for Boots pharmacy FA123 and practice J81001.');
  for (const uuid of Object.keys(names)) io.out(`  ${uuid}  ${names[uuid]}`);

  io.out('');
  io.out('1. National pack: who may do what');
  const n = nationalPack;
  ask(io, n, people.priya, 'issue Alex a smartcard at FA123, with Alex at the reader?', {
    activity: 'smartcard.issue',
    target: alexAtPharmacy,
    facts: { userPresent: true, sponsoredBy: people.sam.uuid },
  });
  ask(io, n, people.sam, 'issue Alex a smartcard?', {
    activity: 'smartcard.issue',
    target: alexAtPharmacy,
    facts: { userPresent: true },
  });
  ask(io, n, people.sam, "assign Alex the Dispenser position (on Sam's assignable list)?", {
    activity: 'assignment.assign',
    target: { ...alexAtPharmacy, position: { id: 'pos-dispenser', organisation: PHARMACY } },
  });
  ask(io, n, people.sam, 'assign Alex the Pharmacist position directly (not on the list)?', {
    activity: 'assignment.assign',
    route: 'direct',
    target: { ...alexAtPharmacy, position: { id: 'pos-pharmacist', organisation: PHARMACY } },
  });
  ask(io, n, people.sam, "close Alex's profile?", {
    activity: 'user.close',
    target: alexAtPharmacy,
  });
  ask(io, n, people.jo, "unlock Alex's card, Alex present?", {
    activity: 'smartcard.unlock',
    target: {
      ...alexAtPharmacy,
      card: {
        serial: '2112345678',
        status: 'locked',
        holder: people.alex.uuid,
        certificatesExpireOn: '2028-05-01',
      },
    },
    facts: { userPresent: true },
  });
  ask(io, n, people.priya, "renew Alex's series-05 card before it expires?", {
    activity: 'smartcard.renew-before-expiry',
    target: {
      ...alexAtPharmacy,
      card: {
        serial: '0512345678',
        status: 'issued',
        holder: people.alex.uuid,
        certificatesExpireOn: '2027-01-15',
      },
    },
  });
  ask(
    io,
    n,
    people.alex,
    'self-renew their own card (renewed 3 times), 40 days before expiry?',
    alexSelfRenews,
  );

  io.out('');
  io.out('2. Separation of duties beats every permit');
  ask(io, n, people.morgan, 'create the profile of an applicant Morgan sponsored?', {
    activity: 'user.create',
    target: { organisationPath: [PRACTICE, ICB] },
    facts: { sponsoredBy: people.morgan.uuid },
  });
  ask(io, n, people.lee, 'give Lee their own RA Manager workgroup?', {
    activity: 'workgroup.assign',
    target: { organisationPath: [ICB], user: { uuid: people.lee.uuid } },
  });
  ask(io, n, people.priya, 'accept the ESR request Priya raised herself?', {
    activity: 'request.decide-esr-create',
    target: { organisationPath: PHARMACY_PATH },
    facts: { requestedBy: people.priya.uuid },
  });

  io.out('');
  io.out('3. The dorset pack: what changes');
  const diff = diffPacks(nationalPack, dorsetPack);
  for (const g of diff.grants)
    io.out(
      `  ${g.role} ${g.to === null ? 'loses' : 'gains'} ${g.activity} (${g.from ?? '-'} -> ${g.to ?? '-'})`,
    );
  for (const s of diff.settings)
    io.out(`  ${s.setting}: ${JSON.stringify(s.from)} -> ${JSON.stringify(s.to)}`);
  const d = dorsetPack;
  ask(
    io,
    d,
    people.morgan,
    'unlock a card at J81001 (dorset: nobody is both sponsor and RA agent)?',
    {
      activity: 'smartcard.unlock',
      target: {
        organisationPath: [PRACTICE, ICB],
        card: { serial: '2112345678', status: 'locked', holder: people.alex.uuid },
      },
      facts: { userPresent: true },
    },
  );
  ask(io, d, people.priya, 'issue a card to Alex, whose profile has no NI number?', {
    activity: 'smartcard.issue',
    target: { ...alexAtPharmacy, user: { ...alexAtPharmacy.user, hasNiNumber: false } },
    facts: { userPresent: true },
  });
  ask(io, d, people.alex, 'self-renew a fourth time?', alexSelfRenews);

  io.out('');
  io.out("4. What Sam's screen shows at FA123 (whatCan, for front ends)");
  for (const c of whatCan(people.sam, { organisationPath: PHARMACY_PATH }, { at: AT })) {
    io.out(`  ${c.activity}${c.route === 'via-request' ? '  (by request)' : ''}`);
  }
  io.out('');
  await runRaDemo(io);
  io.out('');
  await runCardDemo((line) => io.out(line));
  io.out('');
  io.out(
    'Every answer above came from decide(): pure, no I/O, each reason naming its rule in RULES.md.',
  );
  return 0;
}
