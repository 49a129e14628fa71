import type { Arbitrary } from 'fast-check';
import { addDays, type IsoDate } from '../domain/dates.js';
import type { NiNumber } from '../domain/ni-number.js';
import type { OdsCode } from '../domain/ods-code.js';
import type { OrganisationKind } from '../domain/organisation.js';
import type { Uuid } from '../domain/uuid.js';
import { ValidationError } from '../errors/validation-error.js';
import type { ActorInput, DecisionRequestInput, FactsInput, TargetInput } from '../policy/input.js';
import { type ActivityId, activityIds } from '../policy/matrix.js';
import { derivePack } from '../policy/packs/derive.js';
import { dorsetPack } from '../policy/packs/dorset.js';
import { nationalPack } from '../policy/packs/national.js';
import type { RulePack } from '../policy/packs/schema.js';
import { type RaRole, raRoles } from '../policy/roles.js';
import fc from './fast-check.js';

/**
 * A 12-digit UUID (ID-05).
 *
 * @example
 * ```ts
 * fc.assert(fc.property(uuidArb(), (uuid) => uuidSchema.safeParse(uuid).success));
 * ```
 */
export function uuidArb(): Arbitrary<Uuid> {
  return fc.stringMatching(/^[1-9]\d{11}$/).map((s) => s as Uuid);
}

const FIRST = 'ABCEGHJKLMNOPRSTWXYZ'.split('');
const SECOND = 'ABCEGHJKLMNPRSTWXYZ'.split('');
const NEVER_ISSUED = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);

/**
 * A valid National Insurance number in HMRC's format.
 *
 * @example
 * ```ts
 * fc.sample(niNumberArb(), 1) // ['AB123456C']
 * ```
 */
export function niNumberArb(): Arbitrary<NiNumber> {
  return fc
    .tuple(
      fc.constantFrom(...FIRST),
      fc.constantFrom(...SECOND),
      fc.stringMatching(/^\d{6}$/),
      fc.constantFrom('A', 'B', 'C', 'D'),
    )
    .filter(([a, b]) => !NEVER_ISSUED.has(a + b))
    .map(([a, b, digits, suffix]) => `${a}${b}${digits}${suffix}` as NiNumber);
}

/**
 * An ODS organisation code.
 *
 * @example
 * ```ts
 * fc.sample(odsCodeArb(), 1) // ['FA1X3']
 * ```
 */
export function odsCodeArb(): Arbitrary<OdsCode> {
  return fc.stringMatching(/^[A-Z][A-Z0-9]{2,5}$/).map((s) => s as OdsCode);
}

/**
 * A calendar date between two dates (inclusive), `YYYY-MM-DD`.
 *
 * @example
 * ```ts
 * isoDateArb('2026-01-01', '2026-12-31')
 * ```
 */
export function isoDateArb(min = '2024-01-01', max = '2030-12-31'): Arbitrary<IsoDate> {
  return fc
    .date({
      min: new Date(`${min}T00:00:00Z`),
      max: new Date(`${max}T00:00:00Z`),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10) as IsoDate);
}

/** An organisation of a generated tree, with its ancestors nearest first. */
export interface TreeOrganisation {
  readonly odsCode: OdsCode;
  readonly kind: OrganisationKind;
  readonly parent?: OdsCode;
  /** The organisation and its ancestors, nearest first (ROLE-02 scope). */
  readonly path: readonly OdsCode[];
}

/**
 * An organisation hierarchy: ICBs with practices and pharmacies below, sometimes a level
 * deeper. Codes are unique.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(orgTreeArb(), (orgs) => orgs.every((o) => o.path[0] === o.odsCode)));
 * ```
 */
export function orgTreeArb(
  options: { readonly maxIcbs?: number; readonly maxChildren?: number } = {},
): Arbitrary<readonly TreeOrganisation[]> {
  const maxIcbs = options.maxIcbs ?? 2;
  const maxChildren = options.maxChildren ?? 3;
  const shape = fc.array(
    fc.array(
      fc.record({
        kind: fc.constantFrom<OrganisationKind>('practice', 'pharmacy'),
        sites: fc.nat(1),
      }),
      { maxLength: maxChildren },
    ),
    { minLength: 1, maxLength: maxIcbs },
  );
  return shape.map((icbs) => {
    const orgs: TreeOrganisation[] = [];
    icbs.forEach((children, i) => {
      const icb = `Q${String(i).padStart(2, '0')}` as OdsCode;
      orgs.push({ odsCode: icb, kind: 'icb', path: [icb] });
      children.forEach((child, j) => {
        const code =
          `${child.kind === 'pharmacy' ? 'F' : 'A'}${i}${String(j).padStart(3, '0')}` as OdsCode;
        orgs.push({ odsCode: code, kind: child.kind, parent: icb, path: [code, icb] });
        for (let k = 0; k < child.sites; k++) {
          const site = `${code}${k}` as OdsCode;
          orgs.push({ odsCode: site, kind: 'other', parent: code, path: [site, code, icb] });
        }
      });
    });
    return orgs;
  });
}

/** The dates a generated world turns on; generators pick around them to hit the boundaries. */
export const worldDates = {
  start: '2026-01-01' as IsoDate,
  today: '2026-11-22' as IsoDate,
} as const;

/**
 * A date biased to the edges of a world: today, the day before and after, and a spread.
 *
 * @example
 * ```ts
 * edgeDateArb(worldDates.today)
 * ```
 */
export function edgeDateArb(pivot: IsoDate = worldDates.today): Arbitrary<IsoDate> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(pivot, addDays(pivot, -1), addDays(pivot, 1)) },
    { weight: 1, arbitrary: fc.integer({ min: -400, max: 400 }).map((d) => addDays(pivot, d)) },
  );
}

/**
 * An assignment of an actor at one of `orgs`, with RA roles and dates biased to the
 * boundaries (start today, end today, end tomorrow, removed).
 *
 * @example
 * ```ts
 * actorAssignmentArb(orgs)
 * ```
 */
export function actorAssignmentArb(
  orgs: readonly TreeOrganisation[],
  positions: readonly string[] = ['pos_a', 'pos_b', 'pos_c'],
) {
  return fc
    .record({
      org: fc.constantFrom(...orgs),
      roles: fc.uniqueArray(fc.constantFrom<RaRole>(...raRoles), { minLength: 1, maxLength: 3 }),
      start: edgeDateArb(),
      length: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
      removed: fc.oneof(
        { weight: 5, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
      assignable: fc.subarray([...positions]),
      locum: fc.boolean(),
    })
    .map(({ org, roles, start, length, removed, assignable, locum }) => ({
      organisation: org.odsCode,
      roles,
      start,
      ...(length !== undefined ? { end: addDays(start, length) } : {}),
      removed,
      assignable,
      locum,
    }));
}

/**
 * An actor: a UUID, an open (mostly) or closed profile, and 0 to 4 assignments.
 *
 * @example
 * ```ts
 * fc.sample(actorArb(orgs), 1)
 * ```
 */
export function actorArb(
  orgs: readonly TreeOrganisation[],
  uuid: Arbitrary<Uuid> = uuidArb(),
): Arbitrary<ActorInput> {
  return fc.record({
    uuid,
    status: fc.oneof(
      { weight: 9, arbitrary: fc.constant('open' as const) },
      { weight: 1, arbitrary: fc.constant('closed' as const) },
    ),
    assignments: fc.array(actorAssignmentArb(orgs), { maxLength: 4 }),
  });
}

/** A generated world: an organisation tree and a few people who act on each other. */
export interface World {
  readonly organisations: readonly TreeOrganisation[];
  readonly actors: readonly ActorInput[];
}

/**
 * A world: an org tree and 2 to 5 actors with distinct UUIDs, some holding two roles.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(worldArb(), (world) => world.actors.length >= 2));
 * ```
 */
export function worldArb(): Arbitrary<World> {
  return orgTreeArb().chain((organisations) =>
    fc
      .uniqueArray(uuidArb(), { minLength: 2, maxLength: 5 })
      .chain((uuids) => fc.tuple(...uuids.map((u) => actorArb(organisations, fc.constant(u)))))
      .map((actors) => ({ organisations, actors })),
  );
}

/**
 * A decision request in a world: any activity, an instant near the world's today, a target
 * drawn from the world (often another actor, sometimes the actor's own profile or card),
 * facts that sometimes name the actor (to exercise separation of duties). Aim it at the
 * activities a property is about with `options.activities`.
 *
 * @throws VALIDATION when `options.activities` is empty.
 * @example
 * ```ts
 * worldArb().chain((w) => fc.tuple(fc.constant(w), decisionRequestArb(w, w.actors[0]!.uuid)))
 * ```
 */
export function decisionRequestArb(
  world: World,
  actorUuid: string,
  options: { readonly activities?: readonly ActivityId[] } = {},
): Arbitrary<DecisionRequestInput> {
  const activities = options.activities ?? activityIds;
  if (activities.length === 0) {
    throw new ValidationError('decisionRequestArb options', [
      { field: 'activities', message: 'must name at least one activity' },
    ]);
  }
  const people = world.actors.map((a) => a.uuid);
  const person = fc.constantFrom(actorUuid, ...people);
  const org = fc.constantFrom(...world.organisations);
  const target: Arbitrary<TargetInput> = fc.record(
    {
      organisationPath: org.map((o) => o.path),
      user: fc.record({
        uuid: person,
        status: fc.constantFrom('open' as const, 'closed' as const),
        identityChecked: fc.boolean(),
        hasNiNumber: fc.boolean(),
        raTraining: fc.boolean(),
        roles: fc.subarray([...raRoles]),
      }),
      position: fc.record({
        id: fc.constantFrom('pos_a', 'pos_b', 'pos_c'),
        organisation: org.map((o) => o.odsCode),
        roles: fc.subarray([...raRoles]),
        addsActivities: fc.subarray(['B0100', 'B0200']),
      }),
      card: fc.record({
        serial: fc.constantFrom('0412345678', '2112345678', '7712345678'),
        status: fc.constantFrom('issued' as const, 'locked' as const, 'cancelled' as const),
        holder: person,
        certificatesExpireOn: edgeDateArb(addDays(worldDates.today, 30)),
        selfRenewalCount: fc.nat(4),
      }),
      assignment: fc.record({ start: edgeDateArb() }),
      request: fc.record(
        {
          subject: person,
          lock: fc.record({
            by: person,
            until: fc.constantFrom('2026-11-22T09:55:00.000Z', '2026-11-22T10:05:00.000Z'),
          }),
        },
        { requiredKeys: ['subject'] },
      ),
      report: fc.record({
        category: fc.constantFrom(
          'smartcard' as const,
          'position' as const,
          'profile' as const,
          'request' as const,
          'organisation' as const,
        ),
      }),
    },
    { requiredKeys: [] },
  );
  const facts: Arbitrary<FactsInput> = fc.record(
    {
      sponsoredBy: person,
      identityCheckedBy: person,
      requestedBy: person,
      userPresent: fc.boolean(),
      oneTimeCodeVerified: fc.boolean(),
      changesStart: fc.boolean(),
      batchSize: fc.oneof(fc.integer({ min: 0, max: 150 }), fc.constantFrom(99, 100, 101)),
      igApproved: fc.boolean(),
    },
    { requiredKeys: [] },
  );
  return fc
    .record({
      activity: fc.constantFrom<ActivityId>(...activities),
      at: edgeDateArb().map((d) => `${d}T10:00:00.000Z`),
      route: fc.option(fc.constantFrom('direct' as const, 'via-request' as const), {
        nil: undefined,
      }),
      target,
      facts,
    })
    .map((r) => {
      const { route, ...rest } = r;
      return route === undefined ? rest : { ...rest, route };
    });
}

/**
 * A rule pack: national or dorset with random switches and limits, for property tests of
 * host packs.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(rulePackArb(), (pack) => pack.batchLimit > 0));
 * ```
 */
export function rulePackArb(): Arbitrary<RulePack> {
  return fc
    .record({
      base: fc.constantFrom(nationalPack, dorsetPack),
      sponsorAgentExclusive: fc.boolean(),
      selfRenewalLimit: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
      batchLimit: fc.integer({ min: 1, max: 200 }),
      niNumberRequired: fc.boolean(),
      igApprovalActivities: fc.subarray(['B0100', 'B0200']),
    })
    .map(({ base, ...changes }) => derivePack(base, { ...changes, id: `${base.id}-variant` }));
}
