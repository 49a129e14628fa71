import {
  type ActivityId,
  type ActorInput,
  type Decision,
  type DecisionInput,
  decide,
  type RaRole,
  type RulePack,
} from '../../src/policy/index.js';

export const AT = '2026-11-22T10:00:00.000Z';
export const TODAY = '2026-11-22';
export const ICB = 'QVV';
export const PHARMACY = 'FA123';
export const PRACTICE = 'A81001';
export const OTHER_ICB = 'QWW';
export const ME = '100000000001';
export const APPLICANT = '100000000002';
export const SOMEONE = '100000000003';

/** An actor holding `roles` at `organisation` since the start of the year. */
export function actorWith(
  roles: readonly RaRole[],
  organisation = ICB,
  extra: Partial<ActorInput['assignments'][number]> = {},
  uuid = ME,
): ActorInput {
  return { uuid, assignments: [{ organisation, roles, start: '2026-01-01', ...extra }] };
}

/** A request every condition is happy with, for an activity done on the applicant at the pharmacy. */
export function happyRequest(
  activity: ActivityId,
  actorUuid = ME,
): Omit<DecisionInput, 'actor' | 'pack'> {
  const self =
    activity === 'user.change-own-contact' ||
    activity.startsWith('smartcard.self-') ||
    activity.startsWith('authenticator.self-register');
  const subject = self ? actorUuid : APPLICANT;
  const expired = activity === 'smartcard.renew-after-expiry';
  return {
    activity,
    at: AT,
    target: {
      organisationPath: [PHARMACY, ICB],
      user: {
        uuid: subject,
        status: activity === 'user.reopen' ? 'closed' : 'open',
        identityChecked: true,
        hasNiNumber: true,
        raTraining: true,
      },
      position: { id: 'pos_a', organisation: PHARMACY },
      card: {
        serial: '2112345678',
        status: 'issued',
        holder: subject,
        certificatesExpireOn: expired ? '2026-11-01' : '2026-12-22',
      },
      assignment: { start: '2026-01-01' },
      request: { subject: APPLICANT },
      report: { category: 'smartcard' },
    },
    facts: { userPresent: true, oneTimeCodeVerified: true },
  };
}

/** Decides `activity` for `actor` with a happy request, changed by `change`. */
export function decideFor(
  actor: ActorInput,
  activity: ActivityId,
  change: (r: Omit<DecisionInput, 'actor' | 'pack'>) => Omit<DecisionInput, 'actor' | 'pack'> = (
    r,
  ) => r,
  pack?: RulePack,
): Decision {
  return decide({
    actor,
    ...change(happyRequest(activity, actor.uuid)),
    ...(pack ? { pack } : {}),
  });
}

/** The rule IDs of a decision's reasons. */
export const rulesOf = (d: Decision) => d.reasons.map((r) => r.rule);
