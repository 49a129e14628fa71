import { type RaRole, raRoleTitles } from './roles.js';

/** Whether a reason granted (`permit`), vetoed (`forbid`: beats every permit) or found no grant (`deny`). */
export type ReasonEffect = 'permit' | 'forbid' | 'deny';

/** The stable codes of decision reasons; the sentence may change, the code does not. */
export type ReasonCode =
  | 'ROLE_GRANTS'
  | 'ASSIGNABLE_POSITION'
  | 'ALL_USERS'
  | 'SELF_SERVICE'
  | 'NO_ROLE'
  | 'PROFILE_CLOSED'
  | 'NOT_OWN_PROFILE'
  | 'VIA_REQUEST_ONLY'
  | 'NOT_ASSIGNABLE'
  | 'LOCUM_NO_UNLOCK'
  | 'SPONSOR_IS_AGENT'
  | 'SPONSOR_AND_AGENT'
  | 'OWN_PROFILE'
  | 'NOT_IDENTITY_CHECKER'
  | 'OWN_REQUEST'
  | 'NO_TRAINING'
  | 'TARGET_CLOSED'
  | 'TARGET_NOT_CLOSED'
  | 'IDENTITY_UNCHECKED'
  | 'NI_NUMBER_MISSING'
  | 'USER_NOT_PRESENT'
  | 'CODE_NOT_VERIFIED'
  | 'CERTIFICATES_EXPIRED'
  | 'NO_CERTIFICATES'
  | 'NOT_IN_RENEWAL_WINDOW'
  | 'SELF_RENEWAL_LIMIT'
  | 'NOT_EXPIRED'
  | 'SERIES_NOT_RENEWABLE'
  | 'CARD_CANCELLED'
  | 'START_LOCKED'
  | 'BATCH_TOO_LARGE'
  | 'REQUEST_LOCKED'
  | 'REPORT_NOT_FOR_SPONSORS'
  | 'IG_APPROVAL_NEEDED'
  | 'RAM_ASSESSES_POSITION_CHANGE'
  | 'SUBJECT_OUT_OF_SCOPE'
  | 'PHARMACIST_OWN_PHARMACY';

/** The facts a reason's sentence is made from. */
export interface ReasonParams {
  readonly activity: string;
  readonly role?: RaRole;
  readonly organisation?: string;
  readonly date?: string;
  readonly detail?: string;
  readonly limit?: number;
}

/**
 * One reason of a decision: the rule ID that decided, a stable code, whether it granted
 * or refused, and a sentence a person can act on.
 */
export interface Reason {
  readonly rule: string;
  readonly code: ReasonCode;
  readonly effect: ReasonEffect;
  readonly message: string;
  /** The role the reason is about (the role that granted, or the one that was missing). */
  readonly role?: RaRole;
  /** The organisation the role is held at. */
  readonly organisation?: string;
}

const who = (role: RaRole | undefined) => (role ? `${raRoleTitles[role]} (${role})` : 'a role');
const at = (org: string | undefined) => (org ? ` at ${org}` : '');

const sentences: Readonly<Record<ReasonCode, (p: ReasonParams) => string>> = {
  ROLE_GRANTS: (p) => `${who(p.role)}${at(p.organisation)} may ${p.activity}, on ${p.date}.`,
  ASSIGNABLE_POSITION: (p) =>
    `The position is on the assignable list of the sponsor position held${at(p.organisation)}, so the sponsor may ${p.activity} directly.`,
  ALL_USERS: (p) => `Every user with an open profile may ${p.activity}.`,
  SELF_SERVICE: (p) =>
    `Self-service on your own profile: every user with an open profile may ${p.activity}.`,
  NO_ROLE: (p) =>
    `No position assignment active on ${p.date} gives a role that may ${p.activity}${p.organisation ? ` at ${p.organisation} or an organisation above it` : ''}; ${p.detail} would grant it.`,
  PROFILE_CLOSED: () =>
    'Your profile is closed; a closed profile may do nothing until it is reopened.',
  NOT_OWN_PROFILE: (p) =>
    `"${p.activity}" is self-service: only the profile's own user may do it, on their own profile and card.`,
  VIA_REQUEST_ONLY: (p) =>
    `A ${who(p.role)} may ${p.activity} only by raising a request that an RA agent accepts, not directly.`,
  NOT_ASSIGNABLE: (p) =>
    `The position is not on the assignable list of your sponsor position${at(p.organisation)}; raise a request for an RA agent instead.`,
  LOCUM_NO_UNLOCK: (p) =>
    `A locum holds no unlock right at the organisation they work at as a locum${p.organisation ? ` (${p.organisation})` : ''}; a permanent RA agent, sponsor or pharmacist there can unlock.`,
  SPONSOR_IS_AGENT: (p) =>
    `You ${p.detail} for this applicant; the sponsor and the RA agent must be different people, so you may not ${p.activity}.`,
  SPONSOR_AND_AGENT: (p) =>
    `One person cannot hold a sponsor role and an RA agent role at once (${p.detail}).`,
  OWN_PROFILE: (p) => `Nobody may ${p.activity} on their own profile; ask another RA agent.`,
  NOT_IDENTITY_CHECKER: (p) =>
    `Only an RA Manager, RA Agent (Advanced), RA Agent or ID Checker checks identity, so ${who(p.role)} may not ${p.activity}.`,
  OWN_REQUEST: () => 'You raised this request; someone else must accept or reject it.',
  NO_TRAINING: () =>
    'The user has no RA/sponsor training certificate on record; record it before assigning an RA or sponsor position.',
  TARGET_CLOSED: (p) => `The user's profile is closed; reopen it before you ${p.activity}.`,
  TARGET_NOT_CLOSED: () => 'The profile is open; only a closed profile can be reopened.',
  IDENTITY_UNCHECKED: () =>
    "The user's identity check is not complete; complete it before a card is issued.",
  NI_NUMBER_MISSING: () =>
    'This rule pack requires an NI number on the profile before a card is issued.',
  USER_NOT_PRESENT: (p) =>
    `The user must be present at the reader to ${p.activity}; it is never done remotely.`,
  CODE_NOT_VERIFIED: () =>
    'The one-time code sent to your verified email or mobile has not been verified; enter it first.',
  CERTIFICATES_EXPIRED: (p) =>
    `The card's certificates expired on ${p.detail}; an RA agent must renew them with you present.`,
  NO_CERTIFICATES: () => 'The card holds no active certificate to renew; repair or re-issue it.',
  NOT_IN_RENEWAL_WINDOW: (p) =>
    `The certificates expire on ${p.detail}; renewal opens ${p.limit} days before, so not yet on ${p.date}.`,
  SELF_RENEWAL_LIMIT: (p) =>
    `The card has been self-renewed ${p.limit} times, the most this rule pack allows; a new card is needed.`,
  NOT_EXPIRED: (p) =>
    `The certificates are still valid until ${p.detail}; use renewal before expiry instead.`,
  SERIES_NOT_RENEWABLE: (p) =>
    `Cards of series ${p.detail} cannot be renewed; cancel it as replaced and issue a new card.`,
  CARD_CANCELLED: () => 'The card was cancelled and can never be active again; issue a new card.',
  START_LOCKED: (p) =>
    `The assignment started on ${p.detail}; once started only its end date can be edited.`,
  BATCH_TOO_LARGE: (p) => `A batch holds at most ${p.limit} UUIDs; split it (it has ${p.detail}).`,
  REQUEST_LOCKED: (p) =>
    `The request is under review by ${p.detail}; try again when the lock lapses.`,
  REPORT_NOT_FOR_SPONSORS: () => 'Sponsors see only smartcard and position reports.',
  IG_APPROVAL_NEEDED: (p) =>
    `The change adds sensitive activities (${p.detail}); record Information Governance approval first.`,
  RAM_ASSESSES_POSITION_CHANGE: () =>
    'A position change request is assessed by an RA Manager; ask one to accept or reject it.',
  PHARMACIST_OWN_PHARMACY: (p) =>
    `A pharmacist${at(p.organisation)} may ${p.activity} for staff of that pharmacy (not as a locum), on ${p.date}.`,
  SUBJECT_OUT_OF_SCOPE: (p) =>
    `User ${p.detail} holds no position at any organisation, so no sponsor's scope covers them and you may not ${p.activity} for them; an RA agent can act on a profile with no position.`,
};

/**
 * A reason whose sentence is rendered on first read, so a decision costs no string
 * building unless someone reads it. Serialises to plain JSON with the message.
 */
class PolicyReason implements Reason {
  readonly rule: string;
  readonly code: ReasonCode;
  readonly effect: ReasonEffect;
  readonly role?: RaRole;
  readonly organisation?: string;
  #params: ReasonParams;
  #message: string | undefined;

  constructor(rule: string, code: ReasonCode, effect: ReasonEffect, params: ReasonParams) {
    this.rule = rule;
    this.code = code;
    this.effect = effect;
    if (params.role !== undefined) this.role = params.role;
    if (params.organisation !== undefined) this.organisation = params.organisation;
    this.#params = params;
  }

  get message(): string {
    this.#message ??= sentences[this.code](this.#params);
    return this.#message;
  }

  toJSON(): Reason {
    return {
      rule: this.rule,
      code: this.code,
      effect: this.effect,
      message: this.message,
      ...(this.role !== undefined ? { role: this.role } : {}),
      ...(this.organisation !== undefined ? { organisation: this.organisation } : {}),
    };
  }
}

/**
 * Builds a decision reason.
 *
 * @example
 * ```ts
 * reason('SOD-05', 'OWN_REQUEST', 'forbid', { activity: 'accept a request' })
 * ```
 */
export function reason(
  rule: string,
  code: ReasonCode,
  effect: ReasonEffect,
  params: ReasonParams,
): Reason {
  return new PolicyReason(rule, code, effect, params);
}
