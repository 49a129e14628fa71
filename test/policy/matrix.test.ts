import { describe, expect, it } from 'vitest';
import {
  type ActivityId,
  activityIds,
  activityMatrix,
  activityRow,
  isActivityId,
  nationalPack,
  type RaRole,
  raRoles,
} from '../../src/policy/index.js';
import { readActivityTable } from '../support/spec.js';
import { actorWith, decideFor, rulesOf } from './helpers.js';

const spec = readActivityTable();

describe('ROLE-03/ROLE-04 the activity matrix is the table of ACTIVITIES.md, every row', () => {
  it('ROLE-03 has the same rows, in the same order, with the same titles and categories', () => {
    expect(activityMatrix.map((r) => r.id)).toEqual(spec.map((r) => r.id));
    for (const row of spec) {
      const ours = activityRow(row.id as ActivityId);
      expect(ours.title).toBe(row.title);
      expect(row.category.replace(' (+)', '')).toBe(ours.category);
    }
  });

  it('ROLE-03 gives each row exactly the roles and marks the table gives', () => {
    for (const row of spec) {
      const ours = activityRow(row.id as ActivityId);
      const cells: string[] = [];
      if (ours.allUsers) cells.push('ALL');
      for (const [role, grant] of Object.entries(ours.roles)) {
        cells.push(
          grant === 'via-request' ? `${role}*` : grant === 'assignable-only' ? `${role}**` : role,
        );
      }
      expect(cells.sort()).toEqual([...row.roles].sort());
    }
  });

  it('ROLE-04 exports the matrix as data with literal activity IDs', () => {
    expect(activityIds).toHaveLength(spec.length);
    expect(isActivityId('smartcard.unlock')).toBe(true);
    expect(isActivityId('smartcard.teleport')).toBe(false);
    // @ts-expect-error an unknown activity is a compile error
    const unknown: ActivityId = 'smartcard.teleport';
    expect(isActivityId(unknown)).toBe(false);
  });
});

describe('ROLE-03 every row and every role of ACTIVITIES.md decides as the table says', () => {
  for (const row of spec) {
    const activity = row.id as ActivityId;
    for (const role of raRoles) {
      const cell = row.roles.find((c) => c.replace(/\*+$/, '') === role);
      it(`${activity} for ${role}: ${cell ?? 'not in the row'}`, () => {
        const actor = actorWith([role as RaRole], 'QVV', { assignable: ['pos_a'] });
        const direct = decideFor(actor, activity, (r) => ({ ...r, route: 'direct' }));
        const any = decideFor(actor, activity);
        if (row.roles.includes('ALL')) {
          expect(any.allowed).toBe(true);
          expect(any.route).toBe('direct');
          return;
        }
        if (cell === undefined) {
          expect(any.allowed).toBe(false);
          expect(rulesOf(any)).toContain('ROLE-02');
          expect(any.wouldGrant.map((h) => h.role).sort()).toEqual(
            row.roles.map((c) => c.replace(/\*+$/, '')).sort(),
          );
        } else if (cell.endsWith('**')) {
          // S**: direct for an assignable position, by request for any other.
          expect(direct.allowed).toBe(true);
          const other = decideFor(actor, activity, (r) => ({
            ...r,
            target: { ...r.target, position: { id: 'pos_z', organisation: 'FA123' } },
          }));
          expect(other.route).toBe('via-request');
        } else if (cell.endsWith('*')) {
          expect(any.allowed).toBe(true);
          expect(any.route).toBe('via-request');
          expect(direct.allowed).toBe(false);
          expect(direct.reasons[0]?.code).toBe('VIA_REQUEST_ONLY');
        } else {
          expect(direct.allowed, JSON.stringify(direct.reasons)).toBe(true);
          expect(direct.route).toBe('direct');
          expect(direct.reasons[0]?.role).toBe(role);
        }
      });
    }
  }

  it('ROLE-01 "All users" rows: finding works on anyone, self-service only on your own profile', () => {
    const nobody = { uuid: '100000000009', assignments: [] };
    expect(decideFor(nobody, 'user.find').allowed).toBe(true);
    expect(decideFor(nobody, 'smartcard.self-unlock').allowed).toBe(true);
    const onSomeoneElse = decideFor(nobody, 'smartcard.self-unlock', (r) => ({
      ...r,
      target: {
        ...r.target,
        user: { uuid: '100000000002' },
        card: {
          serial: '2112345678',
          status: 'issued',
          holder: '100000000002',
          certificatesExpireOn: '2026-12-22',
        },
      },
    }));
    expect(onSomeoneElse.allowed).toBe(false);
    expect(onSomeoneElse.reasons[0]?.code).toBe('NOT_OWN_PROFILE');
  });

  it('ROLE-01 the national pack maps R5080, R5090, B0267 and B1300 to RAM, RAA, IDC and S', () => {
    expect(nationalPack.roleCodes.RAM).toContain('R5080');
    expect(nationalPack.roleCodes.RAA).toContain('R5090');
    expect(nationalPack.roleCodes.IDC).toContain('B0267');
    expect(nationalPack.roleCodes.S).toContain('B1300');
  });
});
