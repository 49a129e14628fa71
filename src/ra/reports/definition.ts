import type { z } from 'zod';
import type { IsoDate, IsoDateTime } from '../../domain/dates.js';
import type { OdsCode } from '../../domain/ods-code.js';
import type { Uuid } from '../../domain/uuid.js';
import type { RulePack } from '../../policy/packs/schema.js';
import { decodeCursor, encodeCursor, type Page, type PageRequest } from '../../storage/paging.js';
import type { StoreTx } from '../../storage/ports.js';
import type { CsvColumn } from './csv.js';

/** REP-02: the category of a report (sponsors see only `smartcard` and `position`). */
export type ReportCategory = 'smartcard' | 'position' | 'profile' | 'request' | 'organisation';

/** What one page of a report is read with: its scope and the instant it was asked. */
export interface ReportEnv {
  readonly pack: RulePack;
  readonly at: IsoDateTime;
  readonly today: IsoDate;
  /** ROLE-02: the organisations the report covers, in ODS code order. */
  readonly organisations: readonly OdsCode[];
  /** The same organisations, for membership tests. */
  readonly covered: ReadonlySet<OdsCode>;
  /** Whether a user holds or held a position at a covered organisation (cached per export). */
  readonly userInScope: (tx: StoreTx, user: Uuid) => Promise<boolean>;
}

/** One page of report rows; `nextCursor` when more follow. */
export interface RowPage<Row> {
  readonly rows: readonly Row[];
  readonly nextCursor?: string;
}

/** A named report (REP-01): its filters, its columns, and how to read a page of it. */
export interface ReportDefinition<F extends z.ZodType = z.ZodType, Row = unknown> {
  readonly id: string;
  readonly title: string;
  readonly category: ReportCategory;
  /** The rule IDs the report serves. */
  readonly rules: readonly string[];
  /** The report's filters: a strict object, so a wrong field is named. */
  readonly filters: F;
  /** What each filter means, for `report.list`. */
  readonly filterHelp: Readonly<Record<string, string>>;
  readonly columns: readonly CsvColumn<Row>[];
  /** Reads one page of rows in a transaction: about `limit` rows from `cursor` on. */
  page(
    tx: StoreTx,
    env: ReportEnv,
    filters: z.output<F>,
    cursor: string | undefined,
    limit: number,
  ): Promise<RowPage<Row>>;
}

/**
 * Defines a report with its filter and row types inferred.
 *
 * @example
 * ```ts
 * const report = defineReport({ id: 'x', title: 'X', category: 'position', rules: ['REP-01'], filters, filterHelp, columns, page });
 * ```
 */
export const defineReport = <F extends z.ZodType, Row>(
  definition: ReportDefinition<F, Row>,
): ReportDefinition<F, Row> => definition;

/** Store pages one report page may read before it returns what it has. */
const MAX_READS = 16;

/**
 * A page of rows from a store query read in its own order, with a row (or none, or a few)
 * made from each item; the cursor is the store's. Reads store pages of at most the room
 * left, so a page holds about `limit` rows.
 *
 * @example
 * ```ts
 * await rowsOf((p) => tx.certificates.expiring(q, p), cursor, 1000, async (c) => [row(c)]);
 * ```
 */
export async function rowsOf<T, Row>(
  read: (page: PageRequest) => Promise<Page<T>>,
  cursor: string | undefined,
  limit: number,
  toRows: (item: T) => Promise<readonly Row[]> | readonly Row[],
): Promise<RowPage<Row>> {
  const rows: Row[] = [];
  let next = cursor;
  let reads = 0;
  do {
    const page = await read({
      limit: Math.max(1, limit - rows.length),
      ...(next !== undefined ? { cursor: next } : {}),
    });
    for (const item of page.items) rows.push(...(await toRows(item)));
    next = page.nextCursor;
    reads++;
  } while (next !== undefined && rows.length < limit && reads < MAX_READS);
  return next === undefined ? { rows } : { rows, nextCursor: next };
}

/**
 * A page of rows read organisation by organisation (in ODS code order), each through its own
 * paged store query. The cursor holds the organisation and the store's cursor within it.
 *
 * @throws VALIDATION when the cursor is not this kind of report's.
 * @example
 * ```ts
 * await acrossOrganisations(env, cursor, 1000, (org, p) => tx.requests.list({ organisation: org }, p), toRows);
 * ```
 */
export async function acrossOrganisations<T, Row>(
  env: ReportEnv,
  cursor: string | undefined,
  limit: number,
  read: (organisation: OdsCode, page: PageRequest) => Promise<Page<T>>,
  toRows: (item: T, organisation: OdsCode) => Promise<readonly Row[]> | readonly Row[],
): Promise<RowPage<Row>> {
  const orgs = env.organisations;
  let index = 0;
  let inner: string | undefined;
  if (cursor !== undefined) {
    const [org, within] = decodeCursor(cursor, 2);
    index = orgs.indexOf(org as OdsCode);
    if (index < 0) index = orgs.findIndex((o) => o > String(org));
    if (index < 0) return { rows: [] };
    inner = within === '' ? undefined : String(within);
  }
  const rows: Row[] = [];
  let reads = 0;
  while (index < orgs.length) {
    const org = orgs[index] as OdsCode;
    const page = await read(org, {
      limit: Math.max(1, limit - rows.length),
      ...(inner !== undefined ? { cursor: inner } : {}),
    });
    for (const item of page.items) rows.push(...(await toRows(item, org)));
    reads++;
    inner = page.nextCursor;
    if (inner === undefined) index++;
    if (rows.length >= limit || reads >= MAX_READS) break;
  }
  if (index >= orgs.length) return { rows };
  return { rows, nextCursor: encodeCursor([orgs[index] as string, inner ?? '']) };
}
