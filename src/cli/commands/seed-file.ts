import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  type IsoDateTime,
  type Position,
  parseWith,
  type SeedData,
  seedAssignment,
  seedOrganisation,
  seedPosition,
  seedUser,
  ValidationError,
} from '../../index.js';

/**
 * The seed file `careid seed` loads (documented in docs/seed-file.md): the organisations
 * (from ODS), the positions, the first users and their assignments. Each record is checked
 * here for its shape, then by the domain schemas.
 */
export const seedFileSchema = z
  .object({
    by: z.string().regex(/^\d{12}$/, 'the 12-digit UUID recorded as creator and approver'),
    organisations: z
      .array(
        z
          .object({
            odsCode: z.string(),
            name: z.string(),
            kind: z.string(),
            parent: z.string().optional(),
          })
          .strict(),
      )
      .default([]),
    positions: z
      .array(
        z
          .object({
            id: z.string(),
            name: z.string().optional(),
            organisation: z.string(),
            jobRole: z.string(),
            activities: z.array(z.string()).default([]),
            assignable: z.array(z.string()).optional(),
          })
          .strict(),
      )
      .default([]),
    users: z
      .array(
        z
          .object({
            uuid: z.string(),
            given: z.string(),
            family: z.string(),
            dateOfBirth: z.string().optional(),
            training: z.boolean().optional(),
          })
          .strict(),
      )
      .default([]),
    assignments: z
      .array(
        z
          .object({
            id: z.string(),
            user: z.string(),
            position: z.string(),
            start: z.string(),
            end: z.string().optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

/** A seed file as written. */
export type SeedFile = z.input<typeof seedFileSchema>;

/** The record without its absent optional fields (zod gives them as `undefined`). */
function present<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}

function within<T>(prefix: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof ValidationError) throw error.within(prefix, 'seed file');
    throw error;
  }
}

/**
 * Reads and checks a seed file, returning the records `seed` stores. `storedPosition`
 * finds a position an assignment names that the file does not hold.
 *
 * @throws VALIDATION naming the first bad field (e.g. `positions.2.jobRole`).
 */
export async function readSeedFile(
  path: string,
  at: IsoDateTime,
  storedPosition: (id: string) => Promise<Position | undefined>,
): Promise<{ readonly by: string; readonly data: SeedData }> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new ValidationError(
      'seed file',
      [
        {
          field: '',
          message: `${path} is not readable JSON (${cause instanceof Error ? cause.message : cause})`,
        },
      ],
      { cause },
    );
  }
  const file = parseWith(seedFileSchema, raw, 'seed file');
  const context = { at, by: file.by };
  const organisations = file.organisations.map((o, i) =>
    within(`organisations.${i}`, () =>
      seedOrganisation(present(o) as Parameters<typeof seedOrganisation>[0]),
    ),
  );
  const positions = file.positions.map((p, i) =>
    within(`positions.${i}`, () =>
      seedPosition(present(p) as Parameters<typeof seedPosition>[0], context),
    ),
  );
  const users = file.users.map((u, i) =>
    within(`users.${i}`, () => seedUser(present(u) as Parameters<typeof seedUser>[0], context)),
  );
  const byId = new Map(positions.map((p) => [p.id as string, p]));
  const assignments = [];
  for (const [i, a] of file.assignments.entries()) {
    const position = byId.get(a.position) ?? (await storedPosition(a.position));
    if (position === undefined) {
      throw new ValidationError('seed file', [
        {
          field: `assignments.${i}.position`,
          message: `no position ${a.position} in the file or the store`,
        },
      ]);
    }
    assignments.push(
      within(`assignments.${i}`, () =>
        seedAssignment(
          present({ ...a, position }) as Parameters<typeof seedAssignment>[0],
          context,
        ),
      ),
    );
  }
  return { by: file.by, data: { organisations, positions, users, assignments } };
}
