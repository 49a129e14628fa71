import { z } from 'zod';
import type { OdsCode } from '../../domain/ods-code.js';
import type { Uuid } from '../../domain/uuid.js';
import type { ActivityId } from '../../policy/matrix.js';
import { MAX_PAGE_SIZE, pageRequestSchema } from '../../storage/paging.js';
import type { StoreTx } from '../../storage/ports.js';
import { allAssignmentsOf } from '../context.js';
import type { ReadContext, Reader } from '../queries/reader.js';
import { allowedAt, subtree } from '../queries/scope.js';
import { frequentlyUsedReports, type ReportId, reportCatalogue } from './catalogue.js';
import { csvStream } from './csv.js';
import type { ReportCategory, ReportDefinition, ReportEnv } from './definition.js';

/** A report as `report.list` describes it: what it shows and which filters it takes. */
export interface ReportSummary {
  readonly id: ReportId;
  readonly title: string;
  readonly category: ReportCategory;
  readonly rules: readonly string[];
  readonly filters: readonly { readonly name: string; readonly help: string }[];
  readonly columns: readonly string[];
}

/** One page of a report (`report.view`): its columns and rows as plain JSON. */
export interface ReportPage {
  readonly report: ReportId;
  readonly columns: readonly string[];
  readonly rows: readonly Readonly<Record<string, unknown>>[];
  /** Pass as `page.cursor` to read on; absent on the last page. */
  readonly nextCursor?: string;
}

/** A report asked for with its filters (`report.view`, `report.export`). */
export interface ReportQuery {
  readonly report: ReportId;
  readonly filters?: Readonly<Record<string, unknown>>;
  readonly page?: { readonly limit?: number; readonly cursor?: string };
}

/** How an export reads the store: rows per page (default 1000). */
export interface ReportExportQuery {
  readonly report: ReportId;
  readonly filters?: Readonly<Record<string, unknown>>;
  readonly pageSize?: number;
}

/** A usual report with its usual filters (`report.frequently-used`). */
export interface FrequentReport {
  readonly report: ReportId;
  readonly title: string;
  readonly filters: Readonly<Record<string, unknown>>;
}

/**
 * Reports (REP-01, REP-02). Every call is policy-checked; a sponsor sees only smartcard and
 * position reports; a report covers the organisations the actor's roles cover (ROLE-02),
 * or one of them and what lies below it (`filters.organisation`). A wrong filter is a
 * ValidationError naming the field, audited. Exports are audited when they start (they
 * take personal data out of the RA); views and lists are not.
 */
export interface RegistrationAuthorityReports {
  /**
   * `report.list`: the reports the actor may view, with their filters and columns.
   *
   * @throws VALIDATION for a malformed actor; POLICY_DENIED (audited) for an actor with no report role.
   */
  list(actor: string): Promise<readonly ReportSummary[]>;
  /**
   * `report.frequently-used`: the usual reports with their usual filters, as far as the actor may view them.
   *
   * @throws POLICY_DENIED (audited) for an actor with no report role.
   */
  frequentlyUsed(actor: string): Promise<readonly FrequentReport[]>;
  /**
   * `report.view`: one page of a report.
   *
   * @throws VALIDATION naming the field (audited); POLICY_DENIED carrying the decision (audited).
   */
  view(actor: string, query: ReportQuery): Promise<ReportPage>;
  /**
   * `report.export`: the whole report as RFC 4180 CSV with a header row, formula-safe,
   * streamed: the promise settles once the export is allowed; the iterable then reads the
   * store a page at a time (each page in its own transaction) as the consumer pulls, so a
   * million-row export never holds its rows in memory. Rows changed during a long export
   * are seen as of the page that reads them.
   *
   * @throws VALIDATION naming the field (audited); POLICY_DENIED carrying the decision (audited).
   */
  export(actor: string, query: ReportExportQuery): Promise<AsyncIterable<string>>;
}

// The catalogue's reports with their filter types erased: every page call passes filters
// parsed by the same report's own schema.
const catalogue = reportCatalogue as unknown as readonly ReportDefinition<z.ZodType, object>[];
const byId = new Map(catalogue.map((r) => [r.id, r]));

const reportField = z.enum(catalogue.map((r) => r.id) as [ReportId, ...ReportId[]], {
  message: `is not a report (${catalogue.map((r) => r.id).join(', ')})`,
});

const viewSchema = z.discriminatedUnion(
  'report',
  catalogue.map((r) =>
    z.strictObject({
      report: z.literal(r.id),
      filters: r.filters.optional(),
      page: pageRequestSchema,
    }),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
);

const exportSchema = z.discriminatedUnion(
  'report',
  catalogue.map((r) =>
    z.strictObject({
      report: z.literal(r.id),
      filters: r.filters.optional(),
      pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
    }),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
);

/** A query whose `report` is checked first, so an unknown report is named as such. */
const withReport = <S extends z.ZodType>(schema: S) =>
  z
    .looseObject({ report: reportField })
    .pipe(schema as unknown as z.ZodType<z.output<S>, { report: ReportId }>)
    .transform(
      (q) => q as { report: ReportId; filters?: object; page?: object; pageSize?: number },
    );

const viewQuery = withReport(viewSchema);
const exportQuery = withReport(exportSchema);

/** Users whose scope was worked out, at most this many at a time (an export's memory bound). */
const SCOPE_CACHE_LIMIT = 10_000;

/** ROLE-02, REP-02: the organisations a report covers for this actor, decided per organisation. */
async function reportScope(
  ctx: ReadContext,
  activity: ActivityId,
  report: ReportDefinition<z.ZodType, object>,
  organisation: OdsCode | undefined,
) {
  const roots =
    organisation !== undefined
      ? [organisation]
      : ctx.actor.assignments
          .filter(
            (a) =>
              a.roles.length > 0 &&
              !a.removed &&
              a.start <= ctx.today &&
              (a.end === undefined || ctx.today < a.end),
          )
          .map((a) => a.organisation as OdsCode);
  const { allowed, decision } = await allowedAt(ctx, activity, roots, {
    report: { category: report.category },
  });
  const covered = new Set<OdsCode>();
  for (const root of allowed) {
    if (covered.has(root)) continue;
    for (const code of await subtree(ctx.tx, root)) covered.add(code);
  }
  const known = new Map<Uuid, boolean>();
  const env: ReportEnv = {
    pack: ctx.pack,
    at: ctx.at,
    today: ctx.today,
    organisations: [...covered].sort(),
    covered,
    async userInScope(tx: StoreTx, user: Uuid) {
      let inScope = known.get(user);
      if (inScope === undefined) {
        const history = await allAssignmentsOf(tx, user);
        inScope = history.some((a) => covered.has(a.organisation));
        if (known.size >= SCOPE_CACHE_LIMIT) known.clear();
        known.set(user, inScope);
      }
      return inScope;
    },
  };
  return { env, decision };
}

const organisationOf = (filters: object) => (filters as { organisation?: OdsCode }).organisation;

function summaryOf(r: ReportDefinition<z.ZodType, object>): ReportSummary {
  return {
    id: r.id as ReportId,
    title: r.title,
    category: r.category,
    rules: r.rules,
    filters: Object.entries(r.filterHelp).map(([name, help]) => ({ name, help })),
    columns: r.columns.map((c) => c.header),
  };
}

/**
 * The RA's reports over a reader (see {@link RegistrationAuthorityReports}).
 *
 * @example
 * ```ts
 * const reports = createReports(createReader(createActivityPipeline({ store, pack, clock })));
 * for await (const chunk of await reports.export(agent, { report: 'cards-expiring', filters: { days: 30 } })) out.write(chunk);
 * ```
 */
export function createReports(reader: Reader): RegistrationAuthorityReports {
  const visible = (ctx: ReadContext) =>
    catalogue.filter((r) => ctx.check('report.view', { report: { category: r.category } }).allowed);

  return {
    list: (actor) =>
      reader.run(actor, 'report.list', z.undefined(), undefined, async (ctx) => {
        ctx.authorize('report.list', {});
        return { result: visible(ctx).map(summaryOf) };
      }),

    frequentlyUsed: (actor) =>
      reader.run(actor, 'report.frequently-used', z.undefined(), undefined, async (ctx) => {
        ctx.authorize('report.frequently-used', {});
        const ids = new Set(visible(ctx).map((r) => r.id));
        return {
          result: frequentlyUsedReports
            .filter((f) => ids.has(f.report))
            .map((f) => ({ ...f, title: byId.get(f.report)?.title ?? f.report })),
        };
      }),

    view: (actor, query) =>
      reader.run(actor, 'report.view', viewQuery, query, async (ctx, q) => {
        const report = byId.get(q.report) as ReportDefinition<z.ZodType, object>;
        const filters = report.filters.parse(q.filters ?? {}) as object;
        const { env } = await reportScope(ctx, 'report.view', report, organisationOf(filters));
        const page = q.page as { limit?: number; cursor?: string } | undefined;
        const rows = await report.page(ctx.tx, env, filters, page?.cursor, page?.limit ?? 100);
        return {
          result: {
            report: q.report,
            columns: report.columns.map((c) => c.header),
            rows: rows.rows as ReportPage['rows'],
            ...(rows.nextCursor !== undefined ? { nextCursor: rows.nextCursor } : {}),
          },
        };
      }),

    async export(actor, query) {
      const { report, filters, env, pageSize } = await reader.run(
        actor,
        'report.export',
        exportQuery,
        query,
        async (ctx, q) => {
          const definition = byId.get(q.report) as ReportDefinition<z.ZodType, object>;
          const parsed = definition.filters.parse(q.filters ?? {}) as object;
          const scope = await reportScope(ctx, 'report.export', definition, organisationOf(parsed));
          return {
            result: {
              report: definition,
              filters: parsed,
              env: scope.env,
              pageSize: q.pageSize ?? MAX_PAGE_SIZE,
            },
            audit: {
              target: definition.id,
              details: {
                report: definition.id,
                filters: parsed as Record<string, string | number | boolean>,
                organisations: scope.env.organisations.length,
              },
              decision: scope.decision,
            },
          };
        },
      );
      async function* rows() {
        let cursor: string | undefined;
        do {
          const page = await reader.store.transaction((tx) =>
            report.page(tx, env, filters, cursor, pageSize),
          );
          yield* page.rows;
          cursor = page.nextCursor;
        } while (cursor !== undefined);
      }
      return csvStream(rows(), report.columns);
    },
  };
}
