import { describe, expect, it } from 'vitest';
import {
  closePosition,
  closeWorkgroup,
  inDefaultListing,
  isoDateSchema,
  isoDateTimeSchema,
  organisationSchema,
  overdueLeaverAssignments,
  pharmaciesShortOfSponsors,
  positionSchema,
  repairCard,
  requestKinds,
  requestSchema,
  workgroupSchema,
} from '../../src/domain/index.js';
import { AGENT, AT, assignment, card, request, workgroupAssignment } from './fixtures.js';

const at = isoDateTimeSchema.parse(AT);
const today = isoDateSchema.parse(AT.slice(0, 10));
const by = AGENT as never;
const LONDON = 'Europe/London';

describe('positions, workgroups, cards', () => {
  const position = positionSchema.parse({
    id: 'pos_1',
    name: 'Dispenser',
    organisation: 'FA123',
    jobRole: 'R8003',
    activities: [],
    status: 'open',
    version: 0,
    approval: { method: 'local-policy', approvedBy: [AGENT], at: AT },
  });

  it('POS-04 closing a position ends its assignments; future ones are removed', () => {
    const { state, events } = closePosition(
      { position, assignments: [assignment(), assignment({ id: 'asg_2', start: '2027-01-01' })] },
      { by, at, today },
    );
    expect(state.position).toMatchObject({ status: 'closed', closedAt: at });
    expect(state.assignments[0]?.end).toBe('2026-11-22');
    expect(state.assignments[1]?.removed).toEqual({ at, by });
    expect(events.map((e) => e.type)).toEqual(['assignment.ended', 'assignment.removed']);
    expect(() => closePosition(state, { by, at, today })).toThrow(
      expect.objectContaining({ rule: 'POS-04' }),
    );
  });

  it('WG-01 closing a workgroup needs an explicit confirmation and records its approval', () => {
    const workgroup = workgroupSchema.parse({
      id: 'wg_1',
      name: 'Dispensers',
      organisation: 'FA123',
      status: 'open',
      version: 0,
    });
    const world = { workgroup, assignments: [workgroupAssignment()] };
    expect(() => closeWorkgroup(world, { by, at, today, confirm: false, approval: 'RAM' })).toThrow(
      /confirmation/,
    );
    expect(() => closeWorkgroup(world, { by, at, today, confirm: true, approval: ' ' })).toThrow(
      /approved/,
    );
    const { state } = closeWorkgroup(world, {
      by,
      at,
      today,
      confirm: true,
      approval: 'RAM approval, ticket 4411',
    });
    expect(state.workgroup.closed).toEqual({ at, by, approval: 'RAM approval, ticket 4411' });
    expect(state.assignments[0]?.end).toBe('2026-11-22');
  });

  it('CARD-08 repair returns the card to issued without changing the owner', () => {
    const { state, events } = repairCard(card({ status: 'needs-repair' }));
    expect(state).toMatchObject({ status: 'issued', holder: '100000000001' });
    expect(events).toEqual([{ type: 'card.repaired', serial: state.serial }]);
    expect(() => repairCard(card({ status: 'stock', holder: undefined }))).toThrow(
      expect.objectContaining({ rule: 'CARD-08' }),
    );
  });
});

describe('requests, leavers, organisations', () => {
  it('REQ-01 the request kinds: ESR create and modify, sponsor create, position change and assignment', () => {
    for (const kind of [
      'esr-create-user',
      'esr-modify-user',
      'sponsor-create-user',
      'position-change',
      'position-assignment',
    ]) {
      expect(requestKinds).toContain(kind);
      expect(requestSchema.safeParse({ ...request(), kind }).success).toBe(true);
    }
    expect(requestSchema.safeParse({ ...request(), kind: 'fax' }).success).toBe(false);
    expect(requestSchema.safeParse({ ...request(), requestedBy: 'ESR' }).success).toBe(true);
  });

  it('REQ-04 closed requests stay in the default listing for 30 days, then only in history', () => {
    const today = isoDateSchema.parse('2026-11-22');
    const closedOn = (date: string) =>
      request({
        state: 'accepted',
        decision: { by: AGENT, at: `${date}T09:00:00.000Z`, outcome: 'accepted' },
      });
    expect(inDefaultListing(request(), today, 30, LONDON)).toBe(true);
    expect(inDefaultListing(closedOn('2026-10-23'), today, 30, LONDON)).toBe(true);
    expect(inDefaultListing(closedOn('2026-10-22'), today, 30, LONDON)).toBe(false);
  });

  it('REQ-04 the 30 days count dates in the pack time zone: 00:30 BST belongs to the next date', () => {
    const decided = (instant: string) =>
      request({ state: 'accepted', decision: { by: AGENT, at: instant, outcome: 'accepted' } });
    const august = isoDateSchema.parse('2026-08-22');
    // 2026-07-22T23:30Z is 00:30 BST on 23 July: 30 days before 22 August, still listed.
    expect(inDefaultListing(decided('2026-07-22T23:30:00.000Z'), august, 30, LONDON)).toBe(true);
    expect(inDefaultListing(decided('2026-07-22T23:30:00.000Z'), august, 30, 'UTC')).toBe(false);
    expect(inDefaultListing(decided('2026-07-22T22:59:59.000Z'), august, 30, LONDON)).toBe(false);
  });

  it("ASG-03 a leaver's assignments still in force 24 hours after leaving are overdue", () => {
    const leaver = {
      organisation: 'FA123' as never,
      leftOn: isoDateSchema.parse('2026-11-20'),
      graceHours: 24,
      timeZone: LONDON,
    };
    const assignments = [
      assignment(),
      assignment({ id: 'asg_ended', end: '2026-11-20' }),
      assignment({ id: 'asg_elsewhere', organisation: 'FA999' }),
    ];
    expect(
      overdueLeaverAssignments(assignments, {
        ...leaver,
        now: isoDateTimeSchema.parse('2026-11-20T23:59:59.000Z'),
      }),
    ).toEqual([]);
    const overdue = overdueLeaverAssignments(assignments, {
      ...leaver,
      now: isoDateTimeSchema.parse('2026-11-21T00:00:00.000Z'),
    });
    expect(overdue.map((a) => a.id)).toEqual(['asg_1']);
  });

  it("ASG-03 the leavers' 24 hours run from midnight BST of the leaving date in summer", () => {
    const summer = {
      organisation: 'FA123' as never,
      leftOn: isoDateSchema.parse('2026-06-10'),
      graceHours: 24,
      timeZone: LONDON,
    };
    const assignments = [assignment()];
    const at = (instant: string) =>
      overdueLeaverAssignments(assignments, { ...summer, now: isoDateTimeSchema.parse(instant) });
    // 10 June starts at 2026-06-09T23:00Z (BST); 24 hours later is 2026-06-10T23:00Z.
    expect(at('2026-06-10T22:59:59.000Z')).toEqual([]);
    expect(at('2026-06-10T23:00:00.000Z').map((a) => a.id)).toEqual(['asg_1']);
  });

  it('ORG-01 (dorset) every pharmacy has a sponsor and two people acting as sponsor or RA agent', () => {
    const orgs = ['FA001', 'FA002', 'FA003'].map((odsCode) =>
      organisationSchema.parse({ odsCode, name: odsCode, kind: 'pharmacy', parent: 'QVV' }),
    );
    const holders = [
      { uuid: '100000000001', organisation: 'FA001', sponsor: true, agent: false },
      { uuid: '100000000002', organisation: 'FA001', sponsor: false, agent: true },
      { uuid: '100000000003', organisation: 'FA002', sponsor: true, agent: false },
      { uuid: '100000000004', organisation: 'FA003', sponsor: false, agent: true },
      { uuid: '100000000005', organisation: 'FA003', sponsor: false, agent: true },
    ] as never[];
    expect(pharmaciesShortOfSponsors(orgs, holders, 2)).toEqual([
      { odsCode: 'FA002', people: 1, hasSponsor: true },
      { odsCode: 'FA003', people: 2, hasSponsor: false },
    ]);
  });
});
