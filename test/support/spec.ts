import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The shared spec folder beside the repository (CI and developers have it), or where
 * CAREID_SPEC_DIR says (a git worktree sits deeper than the repository).
 */
export const specDir =
  process.env['CAREID_SPEC_DIR'] ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'spec');

/** One row of ACTIVITIES.md's table, as written there. */
export interface SpecRow {
  readonly category: string;
  readonly id: string;
  readonly title: string;
  /** The role cells as written: RAM, RAAA, RAA, S, S*, S**, IDC, LSA, ALL. */
  readonly roles: readonly string[];
}

/** Reads the activity table of ACTIVITIES.md. Throws when the spec is missing. */
export function readActivityTable(): readonly SpecRow[] {
  const file = join(specDir, 'ACTIVITIES.md');
  if (!existsSync(file)) throw new Error(`the spec is missing: ${file}`);
  const rows: SpecRow[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 6) continue;
    const [, category, id, title, roles] = cells as [string, string, string, string, string];
    if (!/^[a-z-]+\.[a-z-]+$/.test(id)) continue;
    rows.push({ category, id, title, roles: roles.split(',').map((r) => r.trim()) });
  }
  return rows;
}
