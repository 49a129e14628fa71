import { z } from 'zod';
import { isoDateTimeSchema } from '../domain/index.js';
import type { CareIdErrorCode } from '../errors/codes.js';
import { ValidationError } from '../errors/validation-error.js';
import {
  type ActivityId,
  activityIds,
  type Capability,
  factsSchema,
  targetSchema,
} from '../policy/index.js';
// The RA's public API only: its modules are its own to move.
import {
  type CommandInput,
  commandSchema,
  type QueryInput,
  querySchema,
  type RegistrationAuthority,
  type ReportId,
  reportIds,
  requestListQuerySchema,
} from '../ra/index.js';
import { MAX_PAGE_SIZE } from '../storage/index.js';
import { pageRequestSchema } from '../storage/paging.js';
import type { RouteAnswer } from './answer.js';
import { BASE_HEADERS, jsonBytes, jsonResponse, jsonText } from './errors.js';

/** What a route runs with: the RA, the authenticated actor, the path's parameter, the body. */
export interface RouteContext {
  readonly ra: RegistrationAuthority;
  readonly actor: string;
  /** The value of the path's `{parameter}`; `''` for a path without one. */
  readonly param: string;
  /** The request's JSON body; a refusal (415, 413, 400) is audited before it is thrown. */
  json(): Promise<unknown>;
  /**
   * The request's body as text, checked as `json` checks it (415, 413, empty, not UTF-8)
   * but not parsed: for a route that keeps what it made of a body by its text.
   */
  jsonText(): Promise<string>;
  /** `text` parsed as JSON (read with `jsonText`); not JSON is a 400, audited. */
  parse(text: string): Promise<unknown>;
  /** Refuses the request before the RA sees it: audited, then thrown. */
  refuse(error: ValidationError): Promise<never>;
}

/** One documented operation of a templated path (one per command, per query, per report). */
export interface RouteVariant {
  readonly value: string;
  readonly summary: string;
  /** The body's schema (input side); absent for a route without a body. */
  readonly body?: z.ZodType;
}

/** How a route is described in the OpenAPI document. */
export interface RouteDoc {
  readonly tag: string;
  readonly summary: string;
  readonly description: string;
  /** For a templated path: the known values of its parameter, each its own operation. */
  readonly variants?: () => readonly RouteVariant[];
  readonly body?: z.ZodType;
  /** The query-string parameters a GET reads. */
  readonly query?: readonly { readonly name: string; readonly description: string }[];
  readonly response: {
    readonly description: string;
    readonly contentType: 'application/json' | 'text/csv';
    /** The name of a component schema in the document, if the answer has one. */
    readonly schema?: string;
  };
  /** The codes this route may answer with, besides the ones every route may. */
  readonly errors: readonly CareIdErrorCode[];
}

/** One path the handler serves: declared once, dispatched and documented from here. */
export interface Route {
  readonly method: 'GET' | 'POST';
  /** The path after the base path; `{name}` is one path segment. */
  readonly path: string;
  /** The activity an audit record of a refused request names. */
  readonly activity: (param: string) => string;
  /** Served without an actor (a sign-in ceremony): `ctx.actor` is `''`, refusals are not audited. */
  readonly public?: boolean;
  readonly doc: RouteDoc;
  /** Its answer: `jsonResponse(…)`, or a `Response` for a streamed body. */
  readonly run: (ctx: RouteContext) => Promise<RouteAnswer>;
}

/** The body as an object, or a refusal: a command, query or report is a JSON object. */
async function objectBody(
  ctx: RouteContext,
  what: string,
  json?: Promise<unknown>,
): Promise<Record<string, unknown>> {
  const body = await (json ?? ctx.json());
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return ctx.refuse(new ValidationError(what, [{ field: '', message: 'must be a JSON object' }]));
  }
  return body as Record<string, unknown>;
}

/** The body with the path's `type`; a different `type` in the body is refused. */
async function typedBody(ctx: RouteContext, what: string) {
  const body = await objectBody(ctx, `${what} ${ctx.param}`);
  if (body['type'] !== undefined && body['type'] !== ctx.param) {
    return ctx.refuse(
      new ValidationError(`${what} ${ctx.param}`, [
        {
          field: 'type',
          message: `is ${JSON.stringify(body['type'])} but the path names ${ctx.param}`,
        },
      ]),
    );
  }
  return { ...body, type: ctx.param };
}

/** The literal value of each option's `type` (or `report`) field, from its JSON Schema. */
function literalOf(schema: z.ZodType, field: string): string {
  const json = z.toJSONSchema(schema, { io: 'input' }) as {
    properties?: Record<string, { const?: unknown }>;
  };
  const value = json.properties?.[field]?.const;
  if (typeof value !== 'string') throw new Error(`no literal ${field} in a schema option`);
  return value;
}

/** The report body schemas: filters as each report takes them (see `GET /reports`). */
const filtersSchema = z
  .record(z.string(), z.unknown())
  .optional()
  .describe("The report's filters, by name; GET /reports lists each report's filters.");
const reportViewBody = z.strictObject({ filters: filtersSchema, page: pageRequestSchema });
const reportExportBody = z.strictObject({
  filters: filtersSchema,
  pageSize: z
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .optional()
    .describe('Rows read from the store per page while streaming (default 1000).'),
});

/** `POST /what-can`: the target and, optionally, the instant, the facts and the activities. */
const whatCanBody = z.strictObject({
  // z.optional, not .optional(): the policy's schemas may be zod/mini, without chain methods.
  target: z
    .optional(targetSchema)
    .describe('What the actor would act on (default: nothing in particular).'),
  at: isoDateTimeSchema.optional().describe('The decision instant (default: now).'),
  facts: z.optional(factsSchema).describe('The case facts the decisions see (default: none).'),
  activities: z
    .array(z.enum(activityIds as [ActivityId, ...ActivityId[]]))
    .optional()
    .describe('Only these activities (default: the whole matrix).'),
});

type WhatCanQuery = z.output<typeof whatCanBody>;

/** A what-can body seen before: its query, and the last answer made for it. */
interface WhatCanEntry {
  readonly query: WhatCanQuery;
  /** The capabilities last answered for this body, and their JSON as bytes. */
  last?: { readonly capabilities: readonly Capability[]; readonly bytes: Uint8Array };
}

/**
 * What-can bodies already parsed, by their text: a front end asks about the same targets
 * over and over (every row it draws), and the policy keeps its validated inputs and
 * prepared requests per object, so the same body yields the same deeply frozen object
 * (which the policy takes as unchanged), as a direct caller passing its target again gets.
 * Parsing is a pure function of the text, so the value reused is the one parsing again
 * would give (a body spaced differently is parsed on its own). Bounded: the oldest goes
 * first; a large body is not kept.
 */
const whatCanParsed = new Map<string, WhatCanEntry>();
const WHAT_CAN_KEPT = 256;
const WHAT_CAN_KEY_MAX = 4096;

/**
 * Whether two answers of `ra.whatCan` hold the same activities, routes and decisions (the
 * same frozen objects): then their JSON is the same bytes. The policy hands back the
 * decisions it keeps while the instant, actor data and target stay the same.
 */
function sameCapabilities(a: readonly Capability[], b: readonly Capability[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.decision !== y.decision || x.activity !== y.activity || x.route !== y.route) return false;
  }
  return true;
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const inner of Object.values(value)) deepFreeze(inner);
  return Object.freeze(value);
}

/** Every way a query, command or report can refuse, besides bad input and no actor. */
const RA_ERRORS: readonly CareIdErrorCode[] = ['POLICY_DENIED', 'NOT_FOUND', 'STORE_UNAVAILABLE'];

/** The routes every handler serves: commands, queries and reports. */
export const raRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/commands/{type}',
    activity: (type) => type,
    doc: {
      tag: 'commands',
      summary: 'Run a command',
      description:
        'Runs one command through `ra.execute` for the authenticated actor: parse, load, decide, change, commit with its audit record, all or nothing. The body is the command as JSON; its `type` may be left out (the path names it).',
      variants: () =>
        commandSchema.options.map((option) => {
          const value = literalOf(option, 'type');
          return { value, summary: `Run the ${value} command`, body: option };
        }),
      response: {
        description:
          "The command's result: what changed (kind, key, operation, version) and the decision that allowed it.",
        contentType: 'application/json',
        schema: 'CommandResult',
      },
      errors: [...RA_ERRORS, 'CONFLICT', 'DUPLICATE', 'INVALID_TRANSITION'],
    },
    async run(ctx) {
      const command = (await typedBody(ctx, 'command')) as CommandInput;
      return jsonResponse(await ctx.ra.execute(ctx.actor, command));
    },
  },
  {
    method: 'POST',
    path: '/check/{type}',
    activity: (type) => type,
    doc: {
      tag: 'decisions',
      summary: 'Decide a command without running it (dry run)',
      description:
        "The decision `ra.execute` would reach now for the authenticated actor, allowed or denied, with its reasons and what would grant it; nothing is written and the dry run is not audited (AUD-01 records what happens, and the real command is audited when sent). For enabling a command's button. The body is the command as JSON; its `type` may be left out.",
      variants: () =>
        commandSchema.options.map((option) => {
          const value = literalOf(option, 'type');
          return { value, summary: `Decide ${value} without running it`, body: option };
        }),
      response: {
        description: 'The decision, allowed or denied (a denial is an answer here, not an error).',
        contentType: 'application/json',
        schema: 'Decision',
      },
      errors: ['NOT_FOUND', 'INVALID_TRANSITION', 'DUPLICATE', 'CONFLICT', 'STORE_UNAVAILABLE'],
    },
    async run(ctx) {
      const command = await typedBody(ctx, 'command');
      return jsonResponse(await ctx.ra.check(ctx.actor, command));
    },
  },
  {
    method: 'POST',
    path: '/what-can',
    activity: () => 'what-can',
    doc: {
      tag: 'decisions',
      summary: 'What the authenticated actor may do on a target',
      description:
        'The activities the actor may perform on the target, each with its route and decision, the actor read from the store (profile state, assignments, the roles their positions confer): what a front end shows or hides buttons by. Reads only; not audited.',
      body: whatCanBody,
      response: {
        description: 'The allowed activities, each with its route and decision.',
        contentType: 'application/json',
        schema: 'Capabilities',
      },
      errors: ['NOT_FOUND', 'STORE_UNAVAILABLE'],
    },
    async run(ctx) {
      const text = await ctx.jsonText();
      let entry = whatCanParsed.get(text);
      if (entry === undefined) {
        const body = await objectBody(ctx, 'whatCan request', ctx.parse(text));
        const parsed = whatCanBody.safeParse(body);
        if (!parsed.success)
          return ctx.refuse(ValidationError.fromZod('whatCan request', parsed.error));
        entry = { query: deepFreeze(parsed.data) };
        if (text.length <= WHAT_CAN_KEY_MAX) {
          if (whatCanParsed.size >= WHAT_CAN_KEPT)
            whatCanParsed.delete(whatCanParsed.keys().next().value!);
          whatCanParsed.set(text, entry);
        }
      }
      const { target, at, facts, activities } = entry.query;
      const options = {
        ...(at !== undefined ? { at } : {}),
        ...(facts !== undefined ? { facts } : {}),
        ...(activities !== undefined ? { activities } : {}),
      };
      const capabilities = await ctx.ra.whatCan(ctx.actor, target, options);
      // The same decisions as last time for this body (the same instant, actor and target):
      // the same bytes, sent again rather than made again (timed alone: 0.1 against 9 µs
      // to serialise and encode the 52 decisions, and no 7 KB string and bytes to collect).
      const last = entry.last;
      if (last !== undefined && sameCapabilities(last.capabilities, capabilities))
        return jsonBytes(last.bytes);
      // Each decision serialised afresh: keeping each one's JSON by the decision (a WeakMap)
      // cost more than it saved once the instant moves on every call (the system clock:
      // every decision new), ~4% more server CPU per what-can round trip in bench/http.
      const answer = jsonText(JSON.stringify(capabilities));
      if (capabilities.every((c) => Object.isFrozen(c.decision)))
        entry.last = { capabilities, bytes: answer.body };
      return answer;
    },
  },
  {
    method: 'GET',
    path: '/actor',
    activity: () => 'actor',
    doc: {
      tag: 'decisions',
      summary: 'The authenticated actor, as careid/policy takes them',
      description:
        "The actor read from the store as `ra.execute` reads it (`ra.actor`): profile state and every position assignment with the RA roles its position confers. A page passes it to careid/policy's `whatCan` and `decide` to show or hide buttons without a round trip per button; the server still decides every command. Reads only; not audited.",
      response: {
        description: 'The actor (ActorInput of careid/policy).',
        contentType: 'application/json',
        schema: 'Actor',
      },
      errors: ['NOT_FOUND', 'STORE_UNAVAILABLE'],
    },
    run: async (ctx) => jsonResponse(await ctx.ra.actor(ctx.actor)),
  },
  {
    method: 'POST',
    path: '/queries/{type}',
    activity: (type) => type,
    doc: {
      tag: 'queries',
      summary: 'Run a read query',
      description:
        'Runs one read query for the authenticated actor, policy-checked like a command, within its scope (ROLE-02). The body is the query as JSON; its `type` may be left out.',
      variants: () => [
        ...querySchema.options.map((option) => {
          const value = literalOf(option, 'type');
          return { value, summary: `Run the ${value} query`, body: option };
        }),
        {
          value: 'request.list',
          summary: 'List the requests the actor may act on (REQ-03, REQ-04)',
          body: requestListQuerySchema,
        },
      ],
      response: {
        description: "One page of results; pass `nextCursor` as the next page's cursor.",
        contentType: 'application/json',
        schema: 'ResultPage',
      },
      errors: RA_ERRORS,
    },
    async run(ctx) {
      if (ctx.param === 'request.list') {
        const { type: _type, ...query } = await typedBody(ctx, 'query');
        return jsonResponse(await ctx.ra.requests.list(ctx.actor, query as never));
      }
      const query = (await typedBody(ctx, 'query')) as QueryInput;
      return jsonResponse(await ctx.ra.queries.query(ctx.actor, query));
    },
  },
  {
    method: 'GET',
    path: '/reports',
    activity: () => 'report.list',
    doc: {
      tag: 'reports',
      summary: 'List the reports the actor may view (REP-01, REP-02)',
      description: 'Each report with its title, category, rule IDs, filters and columns.',
      response: {
        description: 'The reports, with their filters and columns.',
        contentType: 'application/json',
      },
      errors: RA_ERRORS,
    },
    run: async (ctx) => jsonResponse(await ctx.ra.reports.list(ctx.actor)),
  },
  {
    method: 'GET',
    path: '/reports/frequently-used',
    activity: () => 'report.frequently-used',
    doc: {
      tag: 'reports',
      summary: 'The usual reports with their usual filters',
      description: 'As far as the actor may view them.',
      response: { description: 'The usual reports.', contentType: 'application/json' },
      errors: RA_ERRORS,
    },
    run: async (ctx) => jsonResponse(await ctx.ra.reports.frequentlyUsed(ctx.actor)),
  },
  {
    method: 'POST',
    path: '/reports/{report}/view',
    activity: () => 'report.view',
    doc: {
      tag: 'reports',
      summary: 'View one page of a report',
      description:
        'One page of the report over the organisations the actor covers (ROLE-02), or one of them and those below it (`filters.organisation`).',
      variants: () =>
        reportIds.map((id) => ({
          value: id,
          summary: `View a page of ${id}`,
          body: reportViewBody,
        })),
      response: {
        description: "The report's columns and one page of its rows; `nextCursor` reads on.",
        contentType: 'application/json',
        schema: 'ReportPage',
      },
      errors: RA_ERRORS,
    },
    async run(ctx) {
      const body = await objectBody(ctx, `report ${ctx.param}`);
      const page = await ctx.ra.reports.view(ctx.actor, { ...body, report: ctx.param as ReportId });
      return jsonResponse(page);
    },
  },
  {
    method: 'POST',
    path: '/reports/{report}/export',
    activity: () => 'report.export',
    doc: {
      tag: 'reports',
      summary: 'Export a report as CSV, streamed',
      description:
        'The whole report as RFC 4180 CSV with a header row, formula-safe, streamed as the client reads: the answer starts once the export is allowed (and audited), and the store is read a page at a time. A store failure after the first bytes ends the stream early.',
      variants: () =>
        reportIds.map((id) => ({
          value: id,
          summary: `Export ${id} as CSV`,
          body: reportExportBody,
        })),
      response: { description: 'The report as CSV.', contentType: 'text/csv' },
      errors: RA_ERRORS,
    },
    async run(ctx) {
      const body = await objectBody(ctx, `report ${ctx.param}`);
      const report = ctx.param as ReportId;
      const lines = await ctx.ra.reports.export(ctx.actor, { ...body, report });
      return new Response(streamOf(lines), {
        headers: {
          ...BASE_HEADERS,
          'content-type': 'text/csv; charset=utf-8; header=present',
          'content-disposition': `attachment; filename="${report}.csv"`,
        },
      });
    },
  },
];

/** Text chunks as a byte stream, read only as fast as the client reads (back-pressure). */
export function streamOf(chunks: AsyncIterable<string>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}
