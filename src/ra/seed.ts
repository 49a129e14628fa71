import type { PositionAssignment } from '../domain/assignment.js';
import type { Organisation } from '../domain/organisation.js';
import type { Position } from '../domain/position.js';
import type { UserProfile } from '../domain/user.js';
import type { Store } from '../storage/ports.js';
import { type SeedContext, seedInstant } from './seed-records.js';

/** The records a host loads before the RA runs: from ODS, and its first RA staff. */
export interface SeedData {
  readonly organisations?: readonly Organisation[];
  readonly positions?: readonly Position[];
  readonly users?: readonly UserProfile[];
  readonly assignments?: readonly PositionAssignment[];
}

/**
 * Loads a host's starting records in one transaction, with one audit record naming who
 * loaded them (AUD-01): the organisation hierarchy (from ODS), positions, and the first
 * RA staff who then do everything else through the RA. Every record is validated.
 *
 * @throws VALIDATION for a malformed record or `context.at`; DUPLICATE for a key already stored (nothing is written).
 * @example
 * ```ts
 * await seed(store, { organisations, positions, users, assignments }, { at, by: 'ods-import' });
 * ```
 */
export async function seed(store: Store, data: SeedData, context: SeedContext): Promise<void> {
  const at = seedInstant(context);
  await store.transaction(async (tx) => {
    for (const o of data.organisations ?? []) await tx.organisations.insert({ ...o, version: 0 });
    for (const p of data.positions ?? []) await tx.positions.insert(p);
    for (const u of data.users ?? []) await tx.users.insert(u);
    for (const a of data.assignments ?? []) await tx.positionAssignments.insert(a);
    await tx.audit.append({
      at,
      actor: context.by,
      activity: 'system.seed',
      target: '',
      outcome: 'allowed',
      reasons: [],
      details: {
        organisations: data.organisations?.length ?? 0,
        positions: data.positions?.length ?? 0,
        users: data.users?.length ?? 0,
        assignments: data.assignments?.length ?? 0,
      },
    });
  });
}
