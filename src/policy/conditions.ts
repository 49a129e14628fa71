import type { IsoDate } from '../domain/dates.js';
import type { Facts, Target } from './input.js';
import type { ActivityId } from './matrix.js';
import type { RulePack } from './packs/schema.js';
import { dayNumber } from './primitives.js';
import { type Reason, reason } from './reasons.js';
import { identityCheckerRoles, maskOf, type RaRole, raAgentRoles, roleBit } from './roles.js';

/** A field of a request that names a person, compared with the actor (separation of duties). */
export type PersonField =
  | 'target.user'
  | 'target.card.holder'
  | 'target.request.subject'
  | 'target.request.lock.by'
  | 'facts.sponsoredBy'
  | 'facts.identityCheckedBy'
  | 'facts.requestedBy';

/** What a condition may read about the actor: whether they are a person the request names, or the roles they hold. */
export type ActorFact = PersonField | 'rolesHeld';

/** The UUID (or `ESR`) at each person field of a request. */
export const personAt: Readonly<
  Record<PersonField, (target: Target, facts: Facts) => string | undefined>
> = {
  'target.user': (t) => t.user?.uuid,
  'target.card.holder': (t) => t.card?.holder,
  'target.request.subject': (t) => t.request?.subject,
  'target.request.lock.by': (t) => t.request?.lock?.by,
  'facts.sponsoredBy': (_, f) => f.sponsoredBy,
  'facts.identityCheckedBy': (_, f) => f.identityCheckedBy,
  'facts.requestedBy': (_, f) => f.requestedBy,
};

/** The activity a condition is checked for: its ID and how a sentence says it. */
export interface ConditionActivity {
  readonly id: ActivityId;
  /** The activity as a sentence says it ("unlock a smartcard"). */
  readonly action: string;
}

/**
 * What a condition sees of a decision in progress. It sees the actor only through
 * `actorIs` and `rolesHeld`, and only what its `reads` declares: the engine shares a
 * decision between every actor alike in those facts, so an undeclared read throws.
 */
export interface ConditionContext {
  readonly pack: RulePack;
  readonly activity: ConditionActivity;
  readonly date: IsoDate;
  /** The decision date as days since 1970-01-01. */
  readonly day: number;
  readonly at: string;
  readonly target: Target;
  readonly facts: Facts;
  /** The role the permit acts through (an RA role before the sponsor's); undefined when none. */
  readonly actingRole: RaRole | undefined;
  /**
   * Whether the actor is the person the request names at `field`.
   *
   * @throws Error when the condition's `reads` does not declare `field` (a bug in the rule).
   */
  actorIs(field: PersonField): boolean;
  /**
   * The RA roles the actor holds on the decision date, anywhere, as a bit mask (ROLE-02).
   *
   * @throws Error when the condition's `reads` does not declare `rolesHeld` (a bug in the rule).
   */
  rolesHeld(): number;
}

/**
 * A rule as data: its ID, the activities it applies to, what it reads about the actor, and
 * the check that returns a `forbid` reason when it is broken. Forbids beat every permit.
 */
export interface Condition {
  /** The rule ID in RULES.md. */
  readonly rule: string;
  /** The rule in one sentence. */
  readonly summary: string;
  /** The activities it applies to; `role-granted`: every activity granted by a role. */
  readonly activities: readonly ActivityId[] | 'role-granted';
  /**
   * What the check reads about the actor under a pack. A decision is kept and shared under
   * a key made of exactly these facts (with how it was granted), so it is all the check may read.
   */
  readonly reads: (pack: RulePack) => readonly ActorFact[];
  /** The `forbid` reason when the rule is broken, `undefined` when it holds. */
  readonly check: (ctx: ConditionContext) => Reason | undefined;
}

const NOTHING: readonly ActorFact[] = Object.freeze([]);
const readsNothing = () => NOTHING;

const AGENT = maskOf(raAgentRoles);
const SPONSOR = roleBit.S;

const ASSIGNMENT_WRITES: readonly ActivityId[] = [
  'assignment.assign',
  'assignment.edit-dates',
  'assignment.remove',
  'assignment.manage-multiple',
];
const WORKGROUP_WRITES: readonly ActivityId[] = [
  'workgroup.assign',
  'workgroup.edit-dates',
  'workgroup.remove',
];
const REQUEST_DECISIONS: readonly ActivityId[] = [
  'request.decide-esr-create',
  'request.decide-esr-modify',
];
const AUTHENTICATOR_MANAGEMENT: readonly ActivityId[] = [
  'authenticator.manage-ipad',
  'authenticator.manage-windows-hello',
  'authenticator.manage-ms-authenticator',
  'authenticator.manage-security-key',
  'authenticator.manage-nhsnet-connect',
];
const RENEWALS: readonly ActivityId[] = [
  'smartcard.renew-before-expiry',
  'smartcard.renew-after-expiry',
  'smartcard.self-renew',
];
const REPORTS: readonly ActivityId[] = [
  'report.list',
  'report.view',
  'report.export',
  'report.frequently-used',
];

/** SOD-03: the access-changing activities nobody performs on their own profile. */
export const accessChangingActivities: readonly ActivityId[] = [
  ...ASSIGNMENT_WRITES,
  'batch.manage-assignments',
  ...WORKGROUP_WRITES,
  ...REQUEST_DECISIONS,
  ...AUTHENTICATOR_MANAGEMENT,
  'smartcard.issue',
  'smartcard.unlock',
  'smartcard.repair',
  'smartcard.renew-before-expiry',
  'smartcard.renew-after-expiry',
  'user.change-details',
  'user.close',
  'user.reopen',
];

/** SOD-01: what an RA agent does for an applicant, which their sponsor may not do. */
const AGENT_WORK_ON_APPLICANT: readonly ActivityId[] = [
  'user.create',
  'user.change-details',
  'smartcard.issue',
  ...ASSIGNMENT_WRITES,
  ...WORKGROUP_WRITES,
  ...REQUEST_DECISIONS,
];

/** Activities on a user that need the user's profile open (PROF-01/PROF-02). */
const NEEDS_OPEN_TARGET: readonly ActivityId[] = [
  'user.change-details',
  'user.close',
  'smartcard.issue',
  'smartcard.unlock',
  'smartcard.repair',
  'smartcard.renew-before-expiry',
  'smartcard.renew-after-expiry',
  'assignment.assign',
  'assignment.edit-dates',
  'workgroup.assign',
  'workgroup.edit-dates',
  ...AUTHENTICATOR_MANAGEMENT,
];

const OWNER_FIELDS: readonly PersonField[] = [
  'target.user',
  'target.card.holder',
  'target.request.subject',
];
const ownsTarget = (ctx: ConditionContext) => OWNER_FIELDS.some((field) => ctx.actorIs(field));

const forbid = (
  ctx: ConditionContext,
  rule: string,
  code: Parameters<typeof reason>[1],
  extra = {},
) => reason(rule, code, 'forbid', { activity: ctx.activity.action, date: ctx.date, ...extra });

function expiryProblem(ctx: ConditionContext): Reason | undefined {
  const expiry = ctx.target.card?.certificatesExpireOn;
  if (expiry === undefined) return forbid(ctx, 'CARD-05', 'NO_CERTIFICATES');
  if (ctx.date >= expiry) return forbid(ctx, 'CARD-05', 'CERTIFICATES_EXPIRED', { detail: expiry });
  if (ctx.day < dayNumber(expiry) - ctx.pack.renewalWindowDays) {
    return forbid(ctx, 'CARD-05', 'NOT_IN_RENEWAL_WINDOW', {
      detail: expiry,
      limit: ctx.pack.renewalWindowDays,
    });
  }
  return undefined;
}

/**
 * Every rule the engine checks beyond the matrix, as data. Each names its rule ID; a
 * decision lists the ones that refused.
 */
export const conditions: readonly Condition[] = [
  {
    rule: 'SOD-01',
    summary:
      "An applicant's sponsor is never the RA agent who checks identity, creates the profile, issues the card or changes access.",
    activities: AGENT_WORK_ON_APPLICANT,
    reads: () => ['facts.sponsoredBy', 'facts.identityCheckedBy'],
    check: (ctx) => {
      if (ctx.actingRole === undefined) return undefined;
      if (ctx.actingRole !== 'S' && ctx.actorIs('facts.sponsoredBy')) {
        return forbid(ctx, 'SOD-01', 'SPONSOR_IS_AGENT', { detail: 'sponsored the application' });
      }
      if (ctx.actingRole === 'S' && ctx.actorIs('facts.identityCheckedBy')) {
        return forbid(ctx, 'SOD-01', 'SPONSOR_IS_AGENT', {
          detail: "checked the applicant's identity",
        });
      }
      return undefined;
    },
  },
  {
    rule: 'SOD-02',
    summary: 'One person cannot hold a sponsor role and an RA agent role at once (pack switch).',
    activities: 'role-granted',
    reads: (pack) => (pack.sponsorAgentExclusive ? ['rolesHeld'] : NOTHING),
    check: (ctx) => {
      if (!ctx.pack.sponsorAgentExclusive) return undefined;
      const held = ctx.rolesHeld();
      if (held & SPONSOR && held & AGENT) {
        return forbid(ctx, 'SOD-02', 'SPONSOR_AND_AGENT', {
          detail: 'you hold both; give up one of them',
        });
      }
      const a = ctx.activity.id;
      if (
        a === 'assignment.assign' ||
        a === 'assignment.edit-dates' ||
        a === 'batch.manage-assignments'
      ) {
        const gives = maskOf(ctx.target.position?.roles ?? []);
        const has = maskOf(ctx.target.user?.roles ?? []);
        if ((gives & SPONSOR && has & AGENT) || (gives & AGENT && has & SPONSOR)) {
          return forbid(ctx, 'SOD-02', 'SPONSOR_AND_AGENT', {
            detail: 'the position would give the user the other of the two',
          });
        }
      }
      return undefined;
    },
  },
  {
    rule: 'SOD-03',
    summary: 'Nobody performs an access-changing activity on their own profile.',
    activities: accessChangingActivities,
    reads: () => OWNER_FIELDS,
    check: (ctx) => (ownsTarget(ctx) ? forbid(ctx, 'SOD-03', 'OWN_PROFILE') : undefined),
  },
  {
    rule: 'SOD-04',
    summary: 'Only RAM, RAA(A), RAA and IDC perform identity checks.',
    activities: ['user.create'],
    reads: readsNothing,
    check: (ctx) => {
      if (ctx.actingRole === undefined || identityCheckerRoles.includes(ctx.actingRole))
        return undefined;
      return forbid(ctx, 'SOD-04', 'NOT_IDENTITY_CHECKER', { role: ctx.actingRole });
    },
  },
  {
    rule: 'SOD-05',
    summary: 'The requester of a request never accepts or rejects it.',
    activities: 'role-granted',
    reads: () => ['facts.requestedBy'],
    check: (ctx) =>
      ctx.actorIs('facts.requestedBy') ? forbid(ctx, 'SOD-05', 'OWN_REQUEST') : undefined,
  },
  {
    rule: 'SOD-06',
    summary:
      'An RA or sponsor position is assigned only to a user whose training certificate is on record.',
    activities: ['assignment.assign', 'batch.manage-assignments'],
    reads: readsNothing,
    check: (ctx) => {
      if (!ctx.pack.trainingCertificateRequired) return undefined;
      const gives = maskOf(ctx.target.position?.roles ?? []);
      if (gives === 0 || ctx.target.user?.raTraining) return undefined;
      return forbid(ctx, 'SOD-06', 'NO_TRAINING');
    },
  },
  {
    rule: 'PROF-02',
    summary: 'Only a closed profile is reopened; a closed profile is changed only by reopening it.',
    activities: [...NEEDS_OPEN_TARGET, 'user.reopen'],
    reads: readsNothing,
    check: (ctx) => {
      const user = ctx.target.user;
      if (!user) return undefined;
      if (ctx.activity.id === 'user.reopen') {
        return user.status === 'closed' ? undefined : forbid(ctx, 'PROF-02', 'TARGET_NOT_CLOSED');
      }
      return user.status === 'closed' ? forbid(ctx, 'PROF-02', 'TARGET_CLOSED') : undefined;
    },
  },
  {
    rule: 'CARD-01',
    summary:
      'A card is issued only to an open profile with a completed identity check, the user present.',
    activities: ['smartcard.issue'],
    reads: readsNothing,
    check: (ctx) => {
      if (!ctx.target.user?.identityChecked) return forbid(ctx, 'CARD-01', 'IDENTITY_UNCHECKED');
      if (!ctx.facts.userPresent) return forbid(ctx, 'CARD-01', 'USER_NOT_PRESENT');
      return undefined;
    },
  },
  {
    rule: 'ID-03',
    summary: 'Where the pack requires it (dorset), no card is issued without an NI number.',
    activities: ['smartcard.issue'],
    reads: readsNothing,
    check: (ctx) =>
      ctx.pack.niNumberRequired && !ctx.target.user?.hasNiNumber
        ? forbid(ctx, 'ID-03', 'NI_NUMBER_MISSING')
        : undefined,
  },
  {
    rule: 'CARD-10',
    summary: 'A cancelled card never becomes active again.',
    activities: [
      'smartcard.unlock',
      'smartcard.self-unlock',
      'smartcard.repair',
      'smartcard.clear',
      'smartcard.cancel',
      ...RENEWALS,
    ],
    reads: readsNothing,
    check: (ctx) =>
      ctx.target.card?.status === 'cancelled'
        ? forbid(ctx, 'CARD-10', 'CARD_CANCELLED')
        : undefined,
  },
  {
    rule: 'CARD-03',
    summary:
      'Unlock needs the user present; self-service unlock needs a verified one-time code and unexpired certificates.',
    activities: ['smartcard.unlock', 'smartcard.self-unlock'],
    reads: readsNothing,
    check: (ctx) => {
      if (ctx.activity.id === 'smartcard.unlock') {
        return ctx.facts.userPresent ? undefined : forbid(ctx, 'CARD-03', 'USER_NOT_PRESENT');
      }
      const expiry = ctx.target.card?.certificatesExpireOn;
      if (expiry === undefined || ctx.date >= expiry) {
        return forbid(ctx, 'CARD-03', 'CERTIFICATES_EXPIRED', {
          detail: expiry ?? 'an unknown date',
        });
      }
      return ctx.facts.oneTimeCodeVerified
        ? undefined
        : forbid(ctx, 'CARD-03', 'CODE_NOT_VERIFIED');
    },
  },
  {
    rule: 'CARD-05',
    summary:
      'Renewal before expiry within the window; at most the pack limit of self-renewals per card.',
    activities: ['smartcard.renew-before-expiry', 'smartcard.self-renew'],
    reads: readsNothing,
    check: (ctx) => {
      const problem = expiryProblem(ctx);
      if (problem) return problem;
      const limit = ctx.pack.selfRenewalLimit;
      if (
        ctx.activity.id === 'smartcard.self-renew' &&
        limit !== null &&
        (ctx.target.card?.selfRenewalCount ?? 0) >= limit
      ) {
        return forbid(ctx, 'CARD-05', 'SELF_RENEWAL_LIMIT', { limit });
      }
      return undefined;
    },
  },
  {
    rule: 'CARD-06',
    summary: 'Renewal after expiry only once expired, with the user present.',
    activities: ['smartcard.renew-after-expiry'],
    reads: readsNothing,
    check: (ctx) => {
      const expiry = ctx.target.card?.certificatesExpireOn;
      if (expiry !== undefined && ctx.date < expiry)
        return forbid(ctx, 'CARD-06', 'NOT_EXPIRED', { detail: expiry });
      return ctx.facts.userPresent ? undefined : forbid(ctx, 'CARD-06', 'USER_NOT_PRESENT');
    },
  },
  {
    rule: 'CARD-07',
    summary: 'Cards of series 01 to 05 cannot be renewed; they are replaced.',
    activities: RENEWALS,
    reads: readsNothing,
    check: (ctx) => {
      const series = ctx.target.card?.serial.slice(0, 2);
      return series !== undefined && ctx.pack.nonRenewableSeries.includes(series)
        ? forbid(ctx, 'CARD-07', 'SERIES_NOT_RENEWABLE', { detail: series })
        : undefined;
    },
  },
  {
    rule: 'AUTH-02',
    summary:
      "RA agents issue and remove authenticators on other users' profiles with the user present.",
    activities: AUTHENTICATOR_MANAGEMENT,
    reads: readsNothing,
    check: (ctx) =>
      ctx.facts.userPresent ? undefined : forbid(ctx, 'AUTH-02', 'USER_NOT_PRESENT'),
  },
  {
    rule: 'ASG-01',
    summary: 'Once an assignment has started, only its end date can be edited.',
    activities: ['assignment.edit-dates', 'workgroup.edit-dates'],
    reads: readsNothing,
    check: (ctx) => {
      const start = ctx.target.assignment?.start;
      return start !== undefined && start <= ctx.date && ctx.facts.changesStart
        ? forbid(ctx, 'ASG-01', 'START_LOCKED', { detail: start })
        : undefined;
    },
  },
  {
    rule: 'BATCH-01',
    summary: 'A batch changes assignments for at most the pack limit of UUIDs.',
    activities: ['batch.manage-assignments'],
    reads: readsNothing,
    check: (ctx) => {
      const size = ctx.facts.batchSize;
      return size !== undefined && size > ctx.pack.batchLimit
        ? forbid(ctx, 'BATCH-01', 'BATCH_TOO_LARGE', {
            limit: ctx.pack.batchLimit,
            detail: String(size),
          })
        : undefined;
    },
  },
  {
    rule: 'REQ-02',
    summary: 'A request under review is locked to its reviewer until the lock lapses.',
    activities: REQUEST_DECISIONS,
    reads: () => ['target.request.lock.by'],
    check: (ctx) => {
      const lock = ctx.target.request?.lock;
      return lock && !ctx.actorIs('target.request.lock.by') && lock.until > ctx.at
        ? forbid(ctx, 'REQ-02', 'REQUEST_LOCKED', { detail: lock.by })
        : undefined;
    },
  },
  {
    rule: 'REP-02',
    summary: 'Sponsors see only smartcard and position reports.',
    activities: REPORTS,
    reads: readsNothing,
    check: (ctx) => {
      const category = ctx.target.report?.category;
      if (ctx.actingRole !== 'S' || category === undefined) return undefined;
      return category === 'smartcard' || category === 'position'
        ? undefined
        : forbid(ctx, 'REP-02', 'REPORT_NOT_FOR_SPONSORS');
    },
  },
  {
    rule: 'POS-03',
    summary: 'A position change request is assessed by an RA Manager.',
    activities: ['position.edit'],
    reads: readsNothing,
    check: (ctx) =>
      ctx.facts.positionChangeRequest && ctx.actingRole !== 'RAM'
        ? forbid(ctx, 'POS-03', 'RAM_ASSESSES_POSITION_CHANGE')
        : undefined,
  },
  {
    rule: 'POS-03',
    summary: 'A change that adds a sensitive activity needs Information Governance approval first.',
    activities: ['position.create', 'position.copy', 'position.edit'],
    reads: readsNothing,
    check: (ctx) => {
      if (ctx.facts.igApproved) return undefined;
      const sensitive = (ctx.target.position?.addsActivities ?? []).filter((code) =>
        ctx.pack.igApprovalActivities.includes(code),
      );
      return sensitive.length > 0
        ? forbid(ctx, 'POS-03', 'IG_APPROVAL_NEEDED', { detail: sensitive.join(', ') })
        : undefined;
    },
  },
];
