import { z } from 'zod';
import type { PositionAssignment } from '../../domain/assignment.js';
import { authenticatorKinds } from '../../domain/authenticator.js';
import { addDays, daysBetween, type IsoDate, type IsoDateTime } from '../../domain/dates.js';
import type { OdsCode } from '../../domain/ods-code.js';
import { odsCodeSchema } from '../../domain/ods-code.js';
import { overdueLeaverAssignments, pharmaciesShortOfSponsors } from '../../domain/oversight.js';
import type { Position } from '../../domain/position.js';
import { requestKinds, requestStates } from '../../domain/request.js';
import { cardSeries, cardStatuses } from '../../domain/smartcard.js';
import { dateIn, startOfDateIn } from '../../domain/time-zone.js';
import type { Uuid } from '../../domain/uuid.js';
import { rolesOfPosition } from '../../policy/position-roles.js';
import type { RaRole } from '../../policy/roles.js';
import type { PageRequest } from '../../storage/paging.js';
import type { StoreTx } from '../../storage/ports.js';
import type { CertificateRecord } from '../../storage/records.js';
import { allPages } from '../context.js';
import { acrossOrganisations, defineReport, type ReportEnv, rowsOf } from './definition.js';

/** REP-01: the expiry windows the expiring reports offer, in days. */
export const EXPIRY_WINDOWS = [7, 30, 60, 90] as const;

const days = z
  .union(EXPIRY_WINDOWS.map((d) => z.literal(d)) as unknown as [z.ZodLiteral<7>, z.ZodLiteral<30>])
  .default(30);
const organisation = odsCodeSchema.optional();
const withOrWithout = z.enum(['with', 'without']).optional();

/**
 * REP-01: the certificates that expire from now to the end of the date `days` after today,
 * dates in the pack's time zone.
 */
const expiringWithin = (env: ReportEnv, days: number) => ({
  from: env.at,
  before: new Date(
    startOfDateIn(addDays(env.today, days + 1), env.pack.timeZone),
  ).toISOString() as IsoDateTime,
});

const ORGANISATION_HELP =
  'ODS code: only this organisation and those below it (default: your scope)';

/** A certificate row of the expiring reports. */
interface CertificateRow {
  readonly serial: string;
  readonly holder: string;
  readonly card: string;
  readonly cardStatus: string;
  readonly notAfter: string;
  readonly daysLeft: number;
}

/**
 * The holder of a card certificate, or `undefined` for one that has none (the PIV content
 * signer's, which no user's scope covers: the REP-01 reports are about users' cards).
 */
async function holderInScope(tx: StoreTx, env: ReportEnv, c: CertificateRecord) {
  if (c.holder === undefined || c.purpose === 'content-signer') return undefined;
  return (await env.userInScope(tx, c.holder)) ? c.holder : undefined;
}

function certificateRow(
  c: CertificateRecord,
  holder: string,
  env: ReportEnv,
  cardStatus = '',
): CertificateRow {
  return {
    serial: c.serial,
    holder,
    card: c.card ?? '',
    cardStatus,
    notAfter: c.notAfter,
    // Whole dates from today to the expiry date, both in the pack's time zone.
    daysLeft: daysBetween(env.today, dateIn(c.notAfter, env.pack.timeZone) as IsoDate),
  };
}

const certificateColumns = [
  { header: 'Certificate serial', value: (r: CertificateRow) => r.serial },
  { header: 'Holder UUID', value: (r: CertificateRow) => r.holder },
  { header: 'Card serial', value: (r: CertificateRow) => r.card },
  { header: 'Card status', value: (r: CertificateRow) => r.cardStatus },
  { header: 'Expires', value: (r: CertificateRow) => r.notAfter },
  { header: 'Days left', value: (r: CertificateRow) => r.daysLeft },
] as const;

const expiringFilters = z.strictObject({ days, organisation });

/** REP-01: certificates expiring within 7/30/60/90 days, of users in scope. */
const certificatesExpiring = defineReport({
  id: 'certificates-expiring',
  title: 'Certificates expiring',
  category: 'smartcard',
  rules: ['REP-01', 'CARD-04', 'CARD-05'],
  filters: expiringFilters,
  filterHelp: {
    days: 'expiring within 7, 30, 60 or 90 days (default 30)',
    organisation: ORGANISATION_HELP,
  },
  columns: certificateColumns,
  page: (tx, env, f, cursor, limit) =>
    rowsOf(
      (p) => tx.certificates.expiring(expiringWithin(env, f.days), p),
      cursor,
      limit,
      async (c) => {
        const holder = await holderInScope(tx, env, c);
        return holder === undefined ? [] : [certificateRow(c, holder, env)];
      },
    ),
});

/** REP-01: cards whose certificates expire within 7/30/60/90 days, with the card's state. */
const cardsExpiring = defineReport({
  id: 'cards-expiring',
  title: 'Smartcards expiring',
  category: 'smartcard',
  rules: ['REP-01', 'CARD-05'],
  filters: expiringFilters,
  filterHelp: certificatesExpiring.filterHelp,
  columns: certificateColumns,
  page: (tx, env, f, cursor, limit) =>
    rowsOf(
      (p) => tx.certificates.expiring(expiringWithin(env, f.days), p),
      cursor,
      limit,
      async (c) => {
        if (c.card === undefined) return [];
        const holder = await holderInScope(tx, env, c);
        if (holder === undefined) return [];
        const card = await tx.smartcards.get(c.card);
        return card && card.status !== 'cancelled'
          ? [certificateRow(c, holder, env, card.status)]
          : [];
      },
    ),
});

/**
 * The users holding a position at an organisation on a day, each once: an assignment
 * stands for its user only if it is the user's first one there in force that day (so the
 * answer does not depend on where a page ends).
 */
async function firstAtOrganisation(
  tx: StoreTx,
  a: PositionAssignment,
  organisation: OdsCode,
  today: IsoDate,
): Promise<boolean> {
  const active = await tx.positionAssignments.activeForUser(a.user, today);
  const here = active.filter((x) => x.organisation === organisation).map((x) => x.id);
  return here.length === 0 || here.sort()[0] === a.id;
}

const activeAt = (tx: StoreTx, env: ReportEnv) => (org: OdsCode, p: PageRequest) =>
  tx.positionAssignments.atOrganisation(org, { activeOn: env.today }, p);

/** A smartcard or authenticator row of the card-type report. */
interface CardTypeRow {
  readonly organisation: string;
  readonly user: string;
  readonly type: string;
  readonly id: string;
  readonly status: string;
  readonly series: string;
}

/** REP-01: smartcards and non-smartcard authenticators held by users in scope, by type. */
const cardTypes = defineReport({
  id: 'card-types',
  title: 'Smartcards and authenticators by type',
  category: 'smartcard',
  rules: ['REP-01', 'AUTH-01', 'AUTH-02', 'CARD-02'],
  filters: z.strictObject({
    type: z.enum(['smartcard', ...authenticatorKinds]).optional(),
    /** CARD-02: only smartcards in this state (locked cards, cards needing repair). */
    status: z.enum(cardStatuses).optional(),
    organisation,
  }),
  filterHelp: {
    type: `smartcard or an authenticator kind (${authenticatorKinds.join(', ')})`,
    status: `only smartcards in this state (${cardStatuses.join(', ')})`,
    organisation: ORGANISATION_HELP,
  },
  columns: [
    { header: 'Organisation', value: (r: CardTypeRow) => r.organisation },
    { header: 'User UUID', value: (r: CardTypeRow) => r.user },
    { header: 'Type', value: (r: CardTypeRow) => r.type },
    { header: 'Card serial or authenticator', value: (r: CardTypeRow) => r.id },
    { header: 'Series', value: (r: CardTypeRow) => r.series },
    { header: 'Status', value: (r: CardTypeRow) => r.status },
  ],
  page: (tx, env, f, cursor, limit) =>
    acrossOrganisations(env, cursor, limit, activeAt(tx, env), async (a, org) => {
      if (!(await firstAtOrganisation(tx, a, org, env.today))) return [];
      const rows: CardTypeRow[] = [];
      if (f.type === undefined || f.type === 'smartcard') {
        for (const card of await tx.smartcards.byHolder(a.user)) {
          if (f.status !== undefined && card.status !== f.status) continue;
          rows.push({
            organisation: org,
            user: a.user,
            type: 'smartcard',
            id: card.serial,
            status: card.status,
            series: cardSeries(card.serial),
          });
        }
      }
      if (f.type !== 'smartcard' && f.status === undefined) {
        for (const auth of await tx.authenticators.byUser(a.user)) {
          if (auth.removed !== undefined || (f.type !== undefined && auth.kind !== f.type))
            continue;
          rows.push({
            organisation: org,
            user: a.user,
            type: auth.kind,
            id: auth.id,
            status: 'registered',
            series: '',
          });
        }
      }
      return rows;
    }),
});

/** An assignment row of the position reports. */
interface AssignmentRow {
  readonly organisation: string;
  readonly assignment: string;
  readonly user: string;
  readonly position: string;
  readonly start: string;
  readonly end: string;
  readonly leftOn: string;
  readonly request: string;
}

const assignmentRow = (a: PositionAssignment, extra: Partial<AssignmentRow> = {}) => ({
  organisation: a.organisation,
  assignment: a.id,
  user: a.user,
  position: a.position,
  start: a.start,
  end: a.end ?? '',
  leftOn: '',
  request: '',
  ...extra,
});

const assignmentColumns = [
  { header: 'Organisation', value: (r: AssignmentRow) => r.organisation },
  { header: 'Assignment', value: (r: AssignmentRow) => r.assignment },
  { header: 'User UUID', value: (r: AssignmentRow) => r.user },
  { header: 'Position', value: (r: AssignmentRow) => r.position },
  { header: 'Start', value: (r: AssignmentRow) => r.start },
  { header: 'End', value: (r: AssignmentRow) => r.end },
] as const;

/** REP-01: position assignments in force today that end within 7/30/60/90 days. */
const positionsExpiring = defineReport({
  id: 'positions-expiring',
  title: 'Position assignments expiring',
  category: 'position',
  rules: ['REP-01', 'ASG-01', 'ASG-02'],
  filters: expiringFilters,
  filterHelp: {
    days: 'ending within 7, 30, 60 or 90 days (default 30)',
    organisation: ORGANISATION_HELP,
  },
  columns: assignmentColumns,
  page: (tx, env, f, cursor, limit) => {
    const until = addDays(env.today, f.days);
    return acrossOrganisations(env, cursor, limit, activeAt(tx, env), (a) =>
      a.end !== undefined && a.end <= until ? [assignmentRow(a)] : [],
    );
  },
});

/**
 * The ESR feed's leaver notice that the leavers report reads: an `esr-modify-user`
 * request about a user (`subject`) at its organisation whose payload carries `leftOn`.
 */
const leaverNoticeSchema = z.object({ leftOn: z.iso.date() }).loose();

/** ASG-03: leavers whose assignments at the organisation were not end-dated in time. */
const leaversOverdue = defineReport({
  id: 'leavers-overdue',
  title: 'Leavers overdue',
  category: 'position',
  rules: ['REP-01', 'ASG-03'],
  filters: z.strictObject({ organisation }),
  filterHelp: { organisation: ORGANISATION_HELP },
  columns: [
    ...assignmentColumns,
    { header: 'Left on', value: (r: AssignmentRow) => r.leftOn },
    { header: 'ESR request', value: (r: AssignmentRow) => r.request },
  ],
  page: (tx, env, _f, cursor, limit) =>
    acrossOrganisations(
      env,
      cursor,
      limit,
      (org, p) => tx.requests.list({ kind: 'esr-modify-user', organisation: org }, p),
      async (request, org) => {
        const notice = leaverNoticeSchema.safeParse(request.payload);
        if (!notice.success || request.subject === undefined) return [];
        const leftOn = notice.data.leftOn as IsoDate;
        const history = await allPages((p) =>
          tx.positionAssignments.historyForUser(request.subject as Uuid, p),
        );
        const overdue = overdueLeaverAssignments(history, {
          organisation: org,
          leftOn,
          now: env.at,
          graceHours: env.pack.leaverEndDateHours,
          timeZone: env.pack.timeZone,
        });
        return overdue.map((a) => assignmentRow(a, { leftOn, request: request.id }));
      },
    ),
});

/** A profile row. */
interface ProfileRow {
  readonly organisation: string;
  readonly uuid: string;
  readonly family: string;
  readonly given: string;
  readonly status: string;
  readonly email: boolean;
  readonly niNumber: boolean;
}

/** REP-01: profiles of users in scope with or without an email address or NI number. */
const profiles = defineReport({
  id: 'profiles',
  title: 'Profiles with or without email or NI number',
  category: 'profile',
  rules: ['REP-01', 'ID-03'],
  filters: z.strictObject({ email: withOrWithout, niNumber: withOrWithout, organisation }),
  filterHelp: {
    email: 'with or without an email address',
    niNumber: 'with or without an NI number',
    organisation: ORGANISATION_HELP,
  },
  columns: [
    { header: 'Organisation', value: (r: ProfileRow) => r.organisation },
    { header: 'UUID', value: (r: ProfileRow) => r.uuid },
    { header: 'Family name', value: (r: ProfileRow) => r.family },
    { header: 'Given name', value: (r: ProfileRow) => r.given },
    { header: 'Status', value: (r: ProfileRow) => r.status },
    { header: 'Has email', value: (r: ProfileRow) => r.email },
    { header: 'Has NI number', value: (r: ProfileRow) => r.niNumber },
  ],
  page: (tx, env, f, cursor, limit) =>
    acrossOrganisations(env, cursor, limit, activeAt(tx, env), async (a, org) => {
      if (!(await firstAtOrganisation(tx, a, org, env.today))) return [];
      const user = await tx.users.get(a.user);
      if (user === undefined) return [];
      const email = user.contact.email !== undefined;
      const ni = user.niNumber !== undefined;
      if (f.email !== undefined && email !== (f.email === 'with')) return [];
      if (f.niNumber !== undefined && ni !== (f.niNumber === 'with')) return [];
      return [
        {
          organisation: org,
          uuid: user.uuid,
          family: user.name.family,
          given: user.name.given,
          status: user.status,
          email,
          niNumber: ni,
        },
      ];
    }),
});

/** A request row. */
interface RequestRow {
  readonly id: string;
  readonly kind: string;
  readonly state: string;
  readonly source: string;
  readonly requestedBy: string;
  readonly organisation: string;
  readonly subject: string;
  readonly createdAt: string;
}

/** REP-01: requests by source (the ESR feed or a person), kind and state. */
const requestSource = defineReport({
  id: 'request-source',
  title: 'Requests by source',
  category: 'request',
  rules: ['REP-01', 'REQ-01'],
  filters: z.strictObject({
    source: z.enum(['esr', 'person']).optional(),
    kind: z.enum(requestKinds).optional(),
    state: z.enum(requestStates).optional(),
    organisation,
  }),
  filterHelp: {
    source: 'esr (the ESR feed) or person (raised by a user)',
    kind: requestKinds.join(', '),
    state: requestStates.join(', '),
    organisation: ORGANISATION_HELP,
  },
  columns: [
    { header: 'Request', value: (r: RequestRow) => r.id },
    { header: 'Kind', value: (r: RequestRow) => r.kind },
    { header: 'State', value: (r: RequestRow) => r.state },
    { header: 'Source', value: (r: RequestRow) => r.source },
    { header: 'Requested by', value: (r: RequestRow) => r.requestedBy },
    { header: 'Organisation', value: (r: RequestRow) => r.organisation },
    { header: 'Subject UUID', value: (r: RequestRow) => r.subject },
    { header: 'Created', value: (r: RequestRow) => r.createdAt },
  ],
  page: (tx, env, f, cursor, limit) =>
    acrossOrganisations(
      env,
      cursor,
      limit,
      (org, p) =>
        tx.requests.list(
          {
            organisation: org,
            ...(f.kind !== undefined ? { kind: f.kind } : {}),
            ...(f.state !== undefined ? { state: f.state } : {}),
            ...(f.source === 'esr' ? { requestedBy: 'ESR' as const } : {}),
          },
          p,
        ),
      (r) => {
        const source = r.requestedBy === 'ESR' ? 'esr' : 'person';
        if (f.source !== undefined && source !== f.source) return [];
        return [
          {
            id: r.id,
            kind: r.kind,
            state: r.state,
            source,
            requestedBy: r.requestedBy,
            organisation: r.organisation,
            subject: r.subject ?? '',
            createdAt: r.createdAt,
          },
        ];
      },
    ),
});

/** An organisation row of the sponsor report. */
interface ShortfallRow {
  readonly odsCode: string;
  readonly name: string;
  readonly kind: string;
  readonly people: number;
  readonly hasSponsor: boolean;
  readonly minimum: number | null;
}

const AGENT_ROLES: readonly RaRole[] = ['RAM', 'RAAA', 'RAA'];

/**
 * ORG-01: open organisations with no sponsor in force today, and (where the pack sets a
 * minimum, dorset) pharmacies with fewer people acting as sponsor or RA agent than it.
 */
const organisationsWithoutSponsor = defineReport({
  id: 'organisations-without-sponsor',
  title: 'Organisations without a sponsor or short of sponsors',
  category: 'organisation',
  rules: ['REP-01', 'ORG-01'],
  filters: z.strictObject({
    kind: z.enum(['icb', 'trust', 'practice', 'pharmacy', 'other']).optional(),
    organisation,
  }),
  filterHelp: { kind: 'icb, trust, practice, pharmacy or other', organisation: ORGANISATION_HELP },
  columns: [
    { header: 'ODS code', value: (r: ShortfallRow) => r.odsCode },
    { header: 'Name', value: (r: ShortfallRow) => r.name },
    { header: 'Kind', value: (r: ShortfallRow) => r.kind },
    { header: 'Sponsors and RA agents', value: (r: ShortfallRow) => r.people },
    { header: 'Has sponsor', value: (r: ShortfallRow) => r.hasSponsor },
    { header: 'Minimum', value: (r: ShortfallRow) => r.minimum },
  ],
  page: async (tx, env, f, cursor, limit) => {
    const positions = new Map<string, Position | undefined>();
    const rolesOf = async (id: Position['id']) => {
      if (!positions.has(id)) positions.set(id, await tx.positions.get(id));
      const p = positions.get(id);
      return p ? rolesOfPosition(p, env.pack) : [];
    };
    const one = async (org: OdsCode) => {
      const found = await tx.organisations.get(org);
      if (found === undefined || found.status !== 'open') return [];
      if (f.kind !== undefined && found.kind !== f.kind) return [];
      const active = await allPages((p) =>
        tx.positionAssignments.atOrganisation(org, { activeOn: env.today }, p),
      );
      const holders = [];
      for (const a of active) {
        const roles = await rolesOf(a.position);
        holders.push({
          uuid: a.user,
          organisation: org,
          sponsor: roles.includes('S'),
          agent: roles.some((r) => AGENT_ROLES.includes(r)),
        });
      }
      const minimum = found.kind === 'pharmacy' ? env.pack.pharmacyMinimumSponsorsOrAgents : null;
      const [short] = pharmaciesShortOfSponsors(
        [{ ...found, kind: 'pharmacy' }],
        holders,
        minimum ?? 1,
      );
      if (short === undefined) return [];
      if (minimum === null && short.hasSponsor) return [];
      return [
        {
          odsCode: org,
          name: found.name,
          kind: found.kind,
          people: short.people,
          hasSponsor: short.hasSponsor,
          minimum,
        },
      ];
    };
    return acrossOrganisations(
      env,
      cursor,
      limit,
      async (org) => ({ items: [org] }),
      (org) => one(org),
    );
  },
});

/** Every report the RA offers (REP-01), in the order `report.list` shows them. */
export const reportCatalogue = [
  cardsExpiring,
  certificatesExpiring,
  cardTypes,
  positionsExpiring,
  leaversOverdue,
  profiles,
  requestSource,
  organisationsWithoutSponsor,
] as const;

/** The ids of the reports, in catalogue order. */
export const reportIds = [
  'cards-expiring',
  'certificates-expiring',
  'card-types',
  'positions-expiring',
  'leavers-overdue',
  'profiles',
  'request-source',
  'organisations-without-sponsor',
] as const;
/** The id of a report. */
export type ReportId = (typeof reportIds)[number];

/** `report.frequently-used`: the reports most asked for, with their usual filters. */
export const frequentlyUsedReports: readonly {
  readonly report: ReportId;
  readonly filters: Readonly<Record<string, unknown>>;
}[] = [
  { report: 'cards-expiring', filters: { days: 30 } },
  { report: 'positions-expiring', filters: { days: 30 } },
  { report: 'leavers-overdue', filters: {} },
  { report: 'profiles', filters: { niNumber: 'without' } },
  { report: 'organisations-without-sponsor', filters: {} },
];
