import { z } from 'zod';
import { addDays, type IsoDateTime } from '../../domain/dates.js';
import { odsCodeSchema } from '../../domain/ods-code.js';
import { type Request, requestKinds, requestStates } from '../../domain/request.js';
import { startOfDateIn } from '../../domain/time-zone.js';
import { uuidSchema } from '../../domain/uuid.js';
import type { ActivityPipeline } from '../activity.js';
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
export function listRequests(
  pipeline: ActivityPipeline,
  actor: string,
  queryInput: RequestListQueryInput = {},
): Promise<RequestListPage> {
  const spec = {
    activity: 'request.overview',
    what: 'request list query',
    schema: requestListQuerySchema,
    actor,
    input: queryInput,
  };
  return pipeline.runInTransaction(spec, async (ctx, query) => {
    const { tx, pack, actorUuid, today } = ctx;
    ctx.authorize('request.overview', {});
    const visible = async (request: Request) => {
      if (request.requestedBy === actorUuid) return true;
      const decision = ctx.check(
        decidingActivity(request),
        await requestTarget({ tx }, request),
        { requestedBy: request.requestedBy },
        'direct',
      );
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
            // REQ-04: closed on or after the cut-off date, which starts at its local midnight.
            decidedSince: new Date(
              startOfDateIn(addDays(today, -pack.closedRequestListingDays), pack.timeZone),
            ).toISOString() as IsoDateTime,
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
    return { result: { items, ...(cursor !== undefined ? { nextCursor: cursor } : {}) } };
  });
}
