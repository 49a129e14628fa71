import { z } from 'zod';
import type { AuditEvent } from '../../domain/audit-event.js';
import { addDays, dateOf, type IsoDateTime, toIsoDateTime } from '../../domain/dates.js';
import { odsCodeSchema } from '../../domain/ods-code.js';
import { type Request, requestKinds, requestStates } from '../../domain/request.js';
import { type Uuid, uuidSchema } from '../../domain/uuid.js';
import { parseWith } from '../../errors/parse.js';
import { ValidationError } from '../../errors/validation-error.js';
import { decide } from '../../policy/decide.js';
import type { RulePack } from '../../policy/packs/schema.js';
import { PolicyDeniedError } from '../../policy/policy-denied-error.js';
import type { Store } from '../../storage/ports.js';
import { loadActor } from '../context.js';
import { decidingActivity, requestTarget } from './requests.js';

/** REQ-03/REQ-04: which requests to list. */
export const requestListQuerySchema = z
  .object({
    state: z.union([z.enum(requestStates), z.array(z.enum(requestStates)).min(1)]).optional(),
    kind: z.enum(requestKinds).optional(),
    organisation: odsCodeSchema.optional(),
    subject: uuidSchema.optional(),
    /** REQ-04: include closed requests older than the pack's listing days. */
    history: z.boolean().default(false),
    limit: z.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(500).optional(),
  })
  .strict()
  .readonly();
/** A request listing query as a front end sends it. */
export type RequestListQueryInput = z.input<typeof requestListQuerySchema>;

/** One page of requests; `nextCursor` continues the listing. */
export interface RequestListPage {
  readonly items: readonly Request[];
  readonly nextCursor?: string;
}

/** What listing needs from the RA. */
export interface RequestListEnvironment {
  readonly store: Store;
  readonly pack: RulePack;
  readonly clock: () => Date;
  readonly audit: (event: AuditEvent) => Promise<void>;
}

/** Records scanned per call at most, so a sponsor's sparse view never scans without end. */
const SCAN_FACTOR = 20;

/**
 * REQ-03/REQ-04: lists the requests an actor may act on (decide, or withdraw their own):
 * a sponsor sees only those. Closed requests stay for the pack's `closedRequestListingDays`
 * unless `history` is set. A page may hold fewer than `limit` items when many are hidden;
 * follow `nextCursor` until it is absent.
 *
 * @throws VALIDATION for a malformed actor or query (audited), POLICY_DENIED without request.overview (audited).
 */
export async function listRequests(
  env: RequestListEnvironment,
  actorInput: string,
  queryInput: RequestListQueryInput = {},
): Promise<RequestListPage> {
  const at: IsoDateTime = toIsoDateTime(env.clock());
  const today = dateOf(at);
  let actorUuid: Uuid;
  let query: z.output<typeof requestListQuerySchema>;
  try {
    actorUuid = parseWith(uuidSchema, actorInput, 'actor') as Uuid;
    query = parseWith(requestListQuerySchema, queryInput, 'request list query');
  } catch (error) {
    if (error instanceof ValidationError) {
      await env.audit({
        at,
        actor: String(actorInput).slice(0, 64) || 'unknown',
        activity: 'request.overview',
        target: '',
        outcome: 'failed',
        reasons: [{ rule: 'INPUT', code: 'VALIDATION', message: error.message.slice(0, 500) }],
        details: { field: error.field },
      });
    }
    throw error;
  }
  const { pack } = env;
  const outcome = await env.store.transaction(async (tx) => {
    const actor = await loadActor(tx, actorUuid, pack);
    const overview = decide({ pack, actor, activity: 'request.overview', at });
    if (!overview.allowed) return { denied: overview } as const;
    const visible = async (request: Request) => {
      if (request.requestedBy === actorUuid) return true;
      const decision = decide({
        pack,
        actor,
        activity: decidingActivity(request),
        at,
        target: await requestTarget({ tx }, request),
        facts: { requestedBy: request.requestedBy },
        route: 'direct',
      });
      return decision.allowed;
    };
    const filter = {
      ...(query.state !== undefined ? { state: query.state } : {}),
      ...(query.kind !== undefined ? { kind: query.kind } : {}),
      ...(query.organisation !== undefined ? { organisation: query.organisation } : {}),
      ...(query.subject !== undefined ? { subject: query.subject } : {}),
      ...(query.history
        ? {}
        : {
            decidedSince:
              `${addDays(today, -pack.closedRequestListingDays)}T00:00:00.000Z` as IsoDateTime,
          }),
    };
    const items: Request[] = [];
    let cursor = query.cursor;
    let scanned = 0;
    do {
      const page = await tx.requests.list(filter, {
        limit: query.limit - items.length,
        ...(cursor !== undefined ? { cursor } : {}),
      });
      scanned += page.items.length;
      for (const request of page.items) if (await visible(request)) items.push(request);
      cursor = page.nextCursor;
    } while (
      cursor !== undefined &&
      items.length < query.limit &&
      scanned < query.limit * SCAN_FACTOR
    );
    return { page: { items, ...(cursor !== undefined ? { nextCursor: cursor } : {}) } } as const;
  });
  if ('denied' in outcome) {
    await env.audit({
      at,
      actor: actorUuid,
      activity: 'request.overview',
      target: '',
      outcome: 'denied',
      reasons: outcome.denied.reasons.map((r) => ({
        rule: r.rule,
        code: r.code,
        message: r.message,
      })),
      details: {},
    });
    throw new PolicyDeniedError(outcome.denied);
  }
  return outcome.page;
}
