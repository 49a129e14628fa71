/**
 * A naive reference interpreter of the activity matrix and the rules, written for
 * clarity rather than speed, from ACTIVITIES.md and RULES.md directly. It shares no code
 * with src/policy: the property tests check that the two agree.
 */
import type { RulePack } from '../../src/policy/index.js';
import { readActivityTable } from '../support/spec.js';

type Grant = 'direct' | 'via-request' | 'assignable-only';
type Role = 'RAM' | 'RAAA' | 'RAA' | 'S' | 'IDC' | 'LSA';

interface Assignment {
  organisation: string;
  roles: readonly Role[];
  start: string;
  end?: string;
  removed?: boolean;
  assignable?: readonly string[];
  locum?: boolean;
}
interface Actor {
  uuid: string;
  status?: 'open' | 'closed';
  assignments: readonly Assignment[];
}
// biome-ignore lint/suspicious/noExplicitAny: the reference reads the request loosely, as a person would.
type Loose = any;

export interface ReferenceAnswer {
  readonly allowed: boolean;
  readonly route: 'direct' | 'via-request' | null;
  readonly rules: readonly string[];
}

const table = readActivityTable();

function grantsOf(
  activity: string,
  pack: RulePack,
): { all?: 'any' | 'own'; grants: Map<Role, Grant> } {
  const row = table.find((r) => r.id === activity);
  if (!row) throw new Error(`unknown activity ${activity}`);
  const grants = new Map<Role, Grant>();
  let all: 'any' | 'own' | undefined;
  for (const cell of row.roles) {
    if (cell === 'ALL')
      all = activity === 'user.find' || activity === 'organisation.find' ? 'any' : 'own';
    else if (cell === 'S*') grants.set('S', 'via-request');
    else if (cell === 'S**') grants.set('S', 'assignable-only');
    else grants.set(cell as Role, 'direct');
  }
  const changes =
    (pack.grants as Record<string, Record<string, Grant | null> | undefined>)[activity] ?? {};
  for (const [role, grant] of Object.entries(changes)) {
    if (grant === null) grants.delete(role as Role);
    else grants.set(role as Role, grant);
  }
  return all ? { all, grants } : { grants };
}

const isActive = (a: Assignment, date: string) =>
  !a.removed && a.start <= date && (a.end === undefined || date < a.end);

const ACCESS_CHANGING = [
  'assignment.assign',
  'assignment.edit-dates',
  'assignment.remove',
  'assignment.manage-multiple',
  'batch.manage-assignments',
  'workgroup.assign',
  'workgroup.edit-dates',
  'workgroup.remove',
  'request.decide-esr-create',
  'request.decide-esr-modify',
  'authenticator.manage-ipad',
  'authenticator.manage-windows-hello',
  'authenticator.manage-ms-authenticator',
  'authenticator.manage-security-key',
  'authenticator.manage-nhsnet-connect',
  'smartcard.issue',
  'smartcard.unlock',
  'smartcard.repair',
  'smartcard.renew-before-expiry',
  'smartcard.renew-after-expiry',
  'user.change-details',
  'user.close',
  'user.reopen',
];
const AGENT_WORK = [
  'user.create',
  'user.change-details',
  'smartcard.issue',
  'assignment.assign',
  'assignment.edit-dates',
  'assignment.remove',
  'assignment.manage-multiple',
  'workgroup.assign',
  'workgroup.edit-dates',
  'workgroup.remove',
  'request.decide-esr-create',
  'request.decide-esr-modify',
];
const NEEDS_OPEN = [
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
  'authenticator.manage-ipad',
  'authenticator.manage-windows-hello',
  'authenticator.manage-ms-authenticator',
  'authenticator.manage-security-key',
  'authenticator.manage-nhsnet-connect',
];
const PREFERENCE: readonly Role[] = ['RAM', 'RAAA', 'RAA', 'IDC', 'LSA', 'S'];

function daysBefore(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

/** What the rules say about one request, by rule ID. */
export function referenceDecide(pack: RulePack, actor: Actor, request: Loose): ReferenceAnswer {
  const activity: string = request.activity;
  const at: string = request.at;
  // RULES.md "Dates": the date on the pack's clocks (en-CA writes YYYY-MM-DD).
  const date = new Date(at).toLocaleDateString('en-CA', { timeZone: pack.timeZone });
  const target: Loose = request.target ?? {};
  const facts: Loose = request.facts ?? {};
  const me = actor.uuid;
  const { all, grants } = grantsOf(activity, pack);

  // Who may, and by which route (ROLE-01..ROLE-03, CARD-03 locum).
  let route: 'direct' | 'via-request' | null = null;
  let acting: Role | undefined;
  const refusals: string[] = [];
  if (actor.status === 'closed') {
    refusals.push('ROLE-01');
  } else if (all === 'any') {
    route = 'direct';
  } else if (all === 'own') {
    const subject = target.user?.uuid ?? target.card?.holder;
    const cardIsMine = target.card?.holder === undefined || target.card.holder === me;
    if (subject === me && cardIsMine) route = 'direct';
    else refusals.push('ROLE-01');
  } else {
    const scope: string[] | undefined =
      target.organisationPath ??
      (target.organisation
        ? [target.organisation]
        : target.position
          ? [target.position.organisation]
          : undefined);
    const direct = new Set<Role>();
    const byRequest = new Set<Role>();
    let locumOnly = false;
    for (const a of actor.assignments) {
      if (!isActive(a, date)) continue;
      if (scope && !scope.includes(a.organisation)) continue;
      for (const role of a.roles) {
        const grant = grants.get(role);
        if (!grant) continue;
        if (a.locum && activity === 'smartcard.unlock') {
          locumOnly = true;
          continue;
        }
        if (grant === 'direct') direct.add(role);
        else if (grant === 'via-request') byRequest.add(role);
        else if (target.position && (a.assignable ?? []).includes(target.position.id))
          direct.add(role);
        else byRequest.add(role);
      }
    }
    if (direct.size > 0) {
      acting = PREFERENCE.find((r) => direct.has(r));
      route = request.route === 'via-request' ? 'via-request' : 'direct';
    } else if (byRequest.size > 0) {
      if (request.route === 'direct') refusals.push('ROLE-03');
      else {
        acting = PREFERENCE.find((r) => byRequest.has(r));
        route = 'via-request';
      }
    } else if (locumOnly) refusals.push('CARD-03');
    else refusals.push('ROLE-02');
  }

  // The rules that forbid whatever the matrix grants.
  const forbids = new Set<string>();
  const byRoles = all === undefined;
  const ownTarget =
    target.user?.uuid === me || target.card?.holder === me || target.request?.subject === me;
  const heldNow = new Set(
    actor.assignments.filter((a) => isActive(a, date)).flatMap((a) => a.roles),
  );
  const agent = (roles: Iterable<Role>) =>
    [...roles].some((r) => r === 'RAM' || r === 'RAAA' || r === 'RAA');
  const sponsor = (roles: Iterable<Role>) => [...roles].includes('S');

  if (AGENT_WORK.includes(activity) && acting !== undefined) {
    if (facts.sponsoredBy === me && acting !== 'S') forbids.add('SOD-01');
    if (facts.identityCheckedBy === me && acting === 'S') forbids.add('SOD-01');
  }
  if (byRoles && pack.sponsorAgentExclusive) {
    if (agent(heldNow) && sponsor(heldNow)) forbids.add('SOD-02');
    else if (
      ['assignment.assign', 'assignment.edit-dates', 'batch.manage-assignments'].includes(activity)
    ) {
      const gives: Role[] = target.position?.roles ?? [];
      const has: Role[] = target.user?.roles ?? [];
      if ((sponsor(gives) && agent(has)) || (agent(gives) && sponsor(has))) forbids.add('SOD-02');
    }
  }
  if (ACCESS_CHANGING.includes(activity) && ownTarget) forbids.add('SOD-03');
  if (activity === 'user.create' && acting && !['RAM', 'RAAA', 'RAA', 'IDC'].includes(acting))
    forbids.add('SOD-04');
  if (byRoles && facts.requestedBy === me) forbids.add('SOD-05');
  if (
    ['assignment.assign', 'batch.manage-assignments'].includes(activity) &&
    pack.trainingCertificateRequired
  ) {
    if ((target.position?.roles ?? []).length > 0 && !target.user?.raTraining)
      forbids.add('SOD-06');
  }
  if (target.user) {
    if (activity === 'user.reopen' && target.user.status !== 'closed') forbids.add('PROF-02');
    if (NEEDS_OPEN.includes(activity) && target.user.status === 'closed') forbids.add('PROF-02');
  }
  if (activity === 'smartcard.issue') {
    if (!target.user?.identityChecked || !facts.userPresent) forbids.add('CARD-01');
    if (pack.niNumberRequired && !target.user?.hasNiNumber) forbids.add('ID-03');
  }
  const card = target.card;
  const cardWork = [
    'smartcard.unlock',
    'smartcard.self-unlock',
    'smartcard.repair',
    'smartcard.clear',
    'smartcard.cancel',
    'smartcard.renew-before-expiry',
    'smartcard.renew-after-expiry',
    'smartcard.self-renew',
  ];
  if (cardWork.includes(activity) && card?.status === 'cancelled') forbids.add('CARD-10');
  if (activity === 'smartcard.unlock' && !facts.userPresent) forbids.add('CARD-03');
  if (activity === 'smartcard.self-unlock') {
    const expiry = card?.certificatesExpireOn;
    if (expiry === undefined || date >= expiry || !facts.oneTimeCodeVerified)
      forbids.add('CARD-03');
  }
  if (activity === 'smartcard.renew-before-expiry' || activity === 'smartcard.self-renew') {
    const expiry = card?.certificatesExpireOn;
    if (expiry === undefined || date >= expiry || date < daysBefore(expiry, pack.renewalWindowDays))
      forbids.add('CARD-05');
    else if (
      activity === 'smartcard.self-renew' &&
      pack.selfRenewalLimit !== null &&
      (card?.selfRenewalCount ?? 0) >= pack.selfRenewalLimit
    )
      forbids.add('CARD-05');
  }
  if (activity === 'smartcard.renew-after-expiry') {
    const expiry = card?.certificatesExpireOn;
    if ((expiry !== undefined && date < expiry) || !facts.userPresent) forbids.add('CARD-06');
  }
  if (
    activity.startsWith('smartcard.') &&
    activity.includes('renew') &&
    card &&
    pack.nonRenewableSeries.includes(card.serial.slice(0, 2))
  )
    forbids.add('CARD-07');
  if (activity.startsWith('authenticator.manage-') && !facts.userPresent) forbids.add('AUTH-02');
  if (
    (activity === 'assignment.edit-dates' || activity === 'workgroup.edit-dates') &&
    target.assignment &&
    target.assignment.start <= date &&
    facts.changesStart
  )
    forbids.add('ASG-01');
  if (
    activity === 'batch.manage-assignments' &&
    facts.batchSize !== undefined &&
    facts.batchSize > pack.batchLimit
  )
    forbids.add('BATCH-01');
  if (
    activity.startsWith('request.decide-') &&
    target.request?.lock &&
    target.request.lock.by !== me &&
    target.request.lock.until > at
  )
    forbids.add('REQ-02');
  if (
    activity.startsWith('report.') &&
    acting === 'S' &&
    target.report &&
    !['smartcard', 'position'].includes(target.report.category)
  )
    forbids.add('REP-02');
  if (
    ['position.create', 'position.copy', 'position.edit'].includes(activity) &&
    !facts.igApproved
  ) {
    if (
      (target.position?.addsActivities ?? []).some((c: string) =>
        pack.igApprovalActivities.includes(c as never),
      )
    )
      forbids.add('POS-03');
  }

  // The rules that decided: the refusal when no role grants; the forbids when a permit is vetoed.
  const allowed = route !== null && forbids.size === 0;
  if (route === null) return { allowed: false, route: null, rules: [...new Set(refusals)].sort() };
  return {
    allowed,
    route: allowed ? route : null,
    rules: allowed ? [] : [...new Set([...refusals, ...forbids])].sort(),
  };
}
