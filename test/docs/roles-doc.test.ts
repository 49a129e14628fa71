import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  activityMatrix,
  dorsetPack,
  type Grant,
  nationalPack,
  type RaRole,
  type RulePack,
  raRoles,
  raRoleTitles,
} from '../../src/policy/index.js';

// docs/roles.md's tables are derived from the matrix and the packs, never typed by hand:
// this test fails when they differ, and `UPDATE_DOCS=1 npx vitest run test/docs/roles-doc.test.ts`
// writes them.
const file = join(import.meta.dirname, '..', '..', 'docs', 'roles.md');
const START = '<!-- generated from the matrix and the packs: do not edit by hand -->';
const END = '<!-- end of generated tables -->';

const mark: Record<Grant, string> = { direct: 'yes', 'via-request': '*', 'assignable-only': '**' };

function grantOf(pack: RulePack, activity: string, role: RaRole): Grant | undefined {
  const override = (pack.grants as Record<string, Partial<Record<RaRole, Grant | null>>>)[activity];
  if (override && role in override) return override[role] ?? undefined;
  const row = activityMatrix.find((r) => r.id === activity)!;
  return (row.roles as Partial<Record<RaRole, Grant>>)[role];
}

function generated(): string {
  const codes = (pack: RulePack, role: RaRole) => pack.roleCodes[role]?.join(', ') || '(none)';
  const jobRoles = (pack: RulePack) => pack.pharmacistJobRoles.join(', ') || '(none)';
  const lines = [
    START,
    '',
    '| role | national pack codes | dorset pack codes |',
    '|---|---|---|',
    ...raRoles.map(
      (role) =>
        `| ${raRoleTitles[role]} (\`${role}\`) | ${codes(nationalPack, role)} | ${codes(dorsetPack, role)} |`,
    ),
    `| Pharmacist (a job role, not an RA role: \`pharmacistJobRoles\`) | ${jobRoles(nationalPack)} | ${jobRoles(dorsetPack)} |`,
    '',
    'A pharmacist position unlocks (`smartcard.unlock`) and renews before expiry',
    '(`smartcard.renew-before-expiry`) the cards of staff at its own pharmacy, never as a locum',
    '(CARD-03, CARD-05), in the packs that name its job role.',
    '',
    `| activity | ${raRoles.join(' | ')} | all users |`,
    `|---|${raRoles.map(() => '---').join('|')}|---|`,
    ...activityMatrix.map((row) => {
      const cells = raRoles.map((role) => {
        const national = grantOf(nationalPack, row.id, role);
        const dorset = grantOf(dorsetPack, row.id, role);
        const n = national ? mark[national] : '';
        return dorset === national ? n : `${n || '-'} (dorset: ${dorset ? mark[dorset] : 'no'})`;
      });
      const all = 'allUsers' in row ? (row.allUsers === 'own' ? 'own profile' : 'yes') : '';
      return `| ${row.title} (\`${row.id}\`) | ${cells.join(' | ')} | ${all} |`;
    }),
    '',
    END,
  ];
  return lines.join('\n');
}

describe('docs/roles.md', () => {
  it('ROLE-01 ROLE-03 CARD-03 lists every role code and what each role may do, as the matrix and packs say', () => {
    const text = readFileSync(file, 'utf8');
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    expect(start).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(start);
    const current = text.slice(start, end + END.length);
    if (process.env['UPDATE_DOCS'] === '1' && current !== generated()) {
      writeFileSync(file, text.replace(current, generated()));
      return;
    }
    expect(current).toBe(generated());
  });
});
