import { describe, expect, it } from 'vitest';
import {
  cancelCard,
  changeContact,
  changeDetails,
  clearCard,
  closeProfile,
  decideRequest,
  editAssignmentDates,
  isoDateSchema,
  isoDateTimeSchema,
  issueCard,
  lockCard,
  openForReview,
  removeAssignment,
  renewCard,
  reopenProfile,
  unlockCard,
} from '../../src/domain/index.js';
import {
  AGENT,
  AT,
  assignment,
  authenticator,
  card,
  request,
  user,
  workgroupAssignment,
} from './fixtures.js';

const at = isoDateTimeSchema.parse(AT);
const today = isoDateSchema.parse('2026-11-22');
const by = AGENT as never;

describe('profiles (PROF-01..PROF-04)', () => {
  it('PROF-01 closing needs a reason and cascades: requests closed, assignments ended, cards cancelled, authenticators removed', () => {
    const world = {
      user: user(),
      assignments: [
        assignment(),
        assignment({ id: 'asg_future', start: '2026-12-01' }),
        assignment({ id: 'asg_old', end: '2026-06-01' }),
      ],
      workgroupAssignments: [workgroupAssignment()],
      cards: [card()],
      authenticators: [authenticator()],
      requests: [request(), request({ id: 'req_done', state: 'accepted' })],
    };
    // The certificates repository's active records, as the caller reads them.
    const activeCertificates = [
      { serial: 'a1', card: card().serial },
      { serial: 'f9', card: undefined },
    ];
    expect(() => closeProfile(world, { by, at, today, reason: ' ', activeCertificates })).toThrow(
      /reason/,
    );
    const { state, events } = closeProfile(world, {
      by,
      at,
      today,
      reason: 'left the NHS',
      activeCertificates,
    });
    expect(state.user.status).toBe('closed');
    expect(state.user.closed).toEqual({ at, by, reason: 'left the NHS' });
    expect(state.assignments[0]?.end).toBe(today);
    expect(state.assignments[1]?.removed).toEqual({ at, by });
    expect(state.assignments[2]).toBe(world.assignments[2]); // already lapsed: untouched
    expect(state.workgroupAssignments[0]?.end).toBe(today);
    expect(state.cards[0]?.status).toBe('cancelled');
    expect(state.authenticators[0]?.removed).toEqual({ at, by });
    expect(state.requests.map((r) => r.state)).toEqual(['closed', 'accepted']);
    expect(events.map((e) => e.type)).toEqual([
      'user.closed',
      'request.decided',
      'assignment.ended',
      'assignment.removed',
      'assignment.ended',
      'card.cancelled',
      'authenticator.removed',
    ]);
    // CARD-10: the cancel event names what the card held, not the certificate on no card.
    expect(events.find((e) => e.type === 'card.cancelled')).toMatchObject({
      reason: 'profile-closed',
      revokedCertificates: ['a1'],
    });
    // The input is untouched and the output frozen (immer).
    expect(world.user.status).toBe('open');
    expect(Object.isFrozen(state.user)).toBe(true);
  });

  it('PROF-02 reopening brings a closed profile back with no access', () => {
    const closed = closeProfile(
      {
        user: user(),
        assignments: [assignment()],
        workgroupAssignments: [],
        cards: [card()],
        authenticators: [],
        requests: [],
      },
      { by, at, today, reason: 'left', activeCertificates: [] },
    ).state;
    const { state } = reopenProfile(closed.user);
    expect(state.status).toBe('open');
    expect(state.closed).toBeUndefined();
    expect(closed.assignments[0]?.end).toBe(today); // still ended
    expect(() => reopenProfile(state)).toThrow(
      expect.objectContaining({ code: 'INVALID_TRANSITION', rule: 'PROF-02' }),
    );
  });

  it('PROF-03 a change of name needs a reason; a local change to an ESR-mastered field is flagged, ESR clears it', () => {
    const linked = user({ esrLinked: true });
    const name = { given: 'Ada', family: 'King' };
    expect(() => changeDetails(linked, { name }, { by, at, source: 'local' })).toThrow(/reason/);
    const local = changeDetails(linked, { name }, { by, at, source: 'local', reason: 'marriage' });
    expect(local.state.locallyChangedEsrFields).toEqual(['name']);
    expect(local.events[0]).toMatchObject({
      type: 'user.details-changed',
      flaggedEsrFields: ['name'],
    });
    const esr = changeDetails(local.state, { name }, { by, at, source: 'esr', reason: 'ESR feed' });
    expect(esr.state.locallyChangedEsrFields).toEqual([]);
  });

  it('PROF-04 a user changes their own contact details; a new address is unverified', () => {
    const { state } = changeContact(user(), { email: 'ada.king@nhs.net' });
    expect(state.contact).toMatchObject({ email: 'ada.king@nhs.net', emailVerified: false });
  });
});

describe('assignments (ASG-01, ASG-04)', () => {
  it('ASG-01 once started, only the end date can be edited; the end stays after the start', () => {
    const started = assignment({ start: '2026-11-22' });
    expect(() =>
      editAssignmentDates(started, { start: isoDateSchema.parse('2026-11-01') }, today),
    ).toThrow(expect.objectContaining({ rule: 'ASG-01' }));
    expect(
      editAssignmentDates(started, { end: isoDateSchema.parse('2027-01-01') }, today).state.end,
    ).toBe('2027-01-01');
    expect(() =>
      editAssignmentDates(started, { end: isoDateSchema.parse('2026-11-22') }, today),
    ).toThrow(/after the start/);
    const future = assignment({ start: '2026-12-01' });
    expect(
      editAssignmentDates(future, { start: isoDateSchema.parse('2026-12-05') }, today).state.start,
    ).toBe('2026-12-05');
    expect(editAssignmentDates(future, { end: null }, today).state.end).toBeUndefined();
  });

  it('ASG-04 a removed assignment stays, marked removed, and cannot be removed or edited again', () => {
    const { state } = removeAssignment(assignment(), { by, at });
    expect(state.removed).toEqual({ at, by });
    expect(() => removeAssignment(state, { by, at })).toThrow(
      expect.objectContaining({ rule: 'ASG-04' }),
    );
    expect(() => editAssignmentDates(state, { end: today }, today)).toThrow(
      expect.objectContaining({ rule: 'ASG-04' }),
    );
  });
});

describe('smartcards (CARD-01..CARD-10)', () => {
  it('CARD-01 a blank card is issued to its holder; only stock can be issued', () => {
    const { state, events } = issueCard(card({ status: 'stock', holder: undefined }), {
      holder: '100000000001' as never,
      at,
    });
    expect(state).toMatchObject({ status: 'issued', holder: '100000000001', renewalCount: 0 });
    expect(events[0]).toMatchObject({ type: 'card.issued', locked: false });
    expect(() => issueCard(state, { holder: '100000000001' as never, at })).toThrow(
      /not blank stock/,
    );
  });

  it('CARD-10 a replacement card is issued locked', () => {
    const { state } = issueCard(card({ status: 'stock', holder: undefined }), {
      holder: '100000000001' as never,
      at,
      locked: true,
      replaces: '2199999999' as never,
    });
    expect(state.status).toBe('locked');
    expect(state.replaces).toBe('2199999999');
  });

  it('CARD-02/CARD-03 a card locks and unlocks', () => {
    const locked = lockCard(card()).state;
    expect(locked.status).toBe('locked');
    expect(unlockCard(locked).state.status).toBe('issued');
  });

  it('CARD-05 renewal names the superseded certificates and counts self-renewals apart', () => {
    const { state, events } = renewCard(card(), { self: true, supersededCertificates: ['a1'] });
    expect([state.renewalCount, state.selfRenewalCount]).toEqual([1, 1]);
    expect(events[0]).toMatchObject({ type: 'card.renewed', supersededCertificates: ['a1'] });
    const again = renewCard(state, { self: false, supersededCertificates: [] });
    expect([again.state.renewalCount, again.state.selfRenewalCount]).toEqual([2, 1]);
  });

  it('CARD-09 clearing names the revoked certificates and returns the card to stock', () => {
    const renewed = renewCard(card(), { self: true, supersededCertificates: [] }).state;
    const { state, events } = clearCard(renewed, { revokedCertificates: ['a1'] });
    expect(state).toMatchObject({ status: 'stock', renewalCount: 0, selfRenewalCount: 0 });
    expect(state.holder).toBeUndefined();
    expect(state.issuedAt).toBeUndefined();
    expect(events[0]).toMatchObject({ type: 'card.cleared', revokedCertificates: ['a1'] });
  });

  it('CARD-10 cancelling records the reason and names the revoked certificates; a cancelled card never becomes active again', () => {
    const { state, events } = cancelCard(card(), {
      by,
      at,
      reason: 'lost',
      revokedCertificates: ['a1'],
    });
    expect(state.cancelled).toEqual({ at, by, reason: 'lost' });
    expect(events[0]).toMatchObject({
      type: 'card.cancelled',
      reason: 'lost',
      revokedCertificates: ['a1'],
    });
    for (const again of [
      () => unlockCard(state),
      () => renewCard(state, { self: false, supersededCertificates: [] }),
      () => clearCard(state, { revokedCertificates: [] }),
      () => cancelCard(state, { by, at, reason: 'lost', revokedCertificates: [] }),
    ]) {
      expect(again).toThrow(
        expect.objectContaining({ code: 'INVALID_TRANSITION', rule: 'CARD-10' }),
      );
    }
  });

  it('a card record an older careid stored with certificates parses without them', () => {
    const legacy = card({
      certificates: [
        { serial: 'a1', notBefore: AT, notAfter: '2029-01-01T00:00:00.000Z', status: 'active' },
      ],
    });
    expect(legacy).not.toHaveProperty('certificates');
    expect(legacy.status).toBe('issued');
  });
});

describe('requests (REQ-02)', () => {
  const reviewer = '100000000007' as never;
  const other = '100000000008' as never;

  it('REQ-02 opening for review locks the request to the reviewer for 15 minutes', () => {
    const { state } = openForReview(request(), { by: reviewer, at, lockMinutes: 15 });
    expect(state.lock).toEqual({ by: reviewer, until: '2026-11-22T10:15:00.000Z' });
    expect(() =>
      openForReview(state, {
        by: other,
        at: isoDateTimeSchema.parse('2026-11-22T10:14:59.000Z'),
        lockMinutes: 15,
      }),
    ).toThrow(/being reviewed/);
    expect(
      openForReview(state, {
        by: other,
        at: isoDateTimeSchema.parse('2026-11-22T10:15:00.000Z'),
        lockMinutes: 15,
      }).state.lock?.by,
    ).toBe(other);
  });

  it('REQ-02 a rejection needs a reason; a decided request is closed to further decisions', () => {
    expect(() => decideRequest(request(), { by: reviewer, at, outcome: 'rejected' })).toThrow(
      /reason/,
    );
    const { state } = decideRequest(request(), {
      by: reviewer,
      at,
      outcome: 'rejected',
      reason: 'not our staff',
    });
    expect(state.decision).toEqual({
      by: reviewer,
      at,
      outcome: 'rejected',
      reason: 'not our staff',
    });
    expect(() => decideRequest(state, { by: reviewer, at, outcome: 'accepted' })).toThrow(
      /no longer open/,
    );
  });
});
