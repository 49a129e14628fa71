import { produce } from 'immer';
import { addMinutes, type IsoDateTime } from '../dates.js';
import { InvalidTransitionError } from '../errors.js';
import type { Transition } from '../events.js';
import type { Request } from '../request.js';
import type { Uuid } from '../uuid.js';

function assertOpen(request: Request): void {
  if (request.state !== 'open') {
    throw new InvalidTransitionError(
      'REQ-02',
      `Request ${request.id} is ${request.state}, no longer open`,
    );
  }
}

/**
 * REQ-02: opens a request for review, locking it to the reviewer for `lockMinutes`.
 * Another reviewer's live lock refuses; the same reviewer renews it.
 *
 * @throws INVALID_TRANSITION when the request is closed or locked by someone else.
 * @example
 * ```ts
 * openForReview(request, { by: agent, at, lockMinutes: 15 })
 * ```
 */
export function openForReview(
  request: Request,
  input: { readonly by: Uuid; readonly at: IsoDateTime; readonly lockMinutes: number },
): Transition<Request> {
  assertOpen(request);
  if (request.lock && request.lock.by !== input.by && request.lock.until > input.at) {
    throw new InvalidTransitionError(
      'REQ-02',
      `Request ${request.id} is being reviewed by ${request.lock.by} until ${request.lock.until}`,
    );
  }
  const state = produce(request, (draft) => {
    draft.lock = { by: input.by, until: addMinutes(input.at, input.lockMinutes) };
  });
  return { state, events: [{ type: 'request.locked', id: request.id, by: input.by }] };
}

/**
 * REQ-02: accepts or rejects an open request; a rejection needs a reason. A live lock
 * held by someone else refuses.
 *
 * @throws INVALID_TRANSITION when the request is closed, locked by another, or rejected without a reason.
 * @example
 * ```ts
 * decideRequest(request, { by, at, outcome: 'rejected', reason: 'not our staff' })
 * ```
 */
export function decideRequest(
  request: Request,
  input: {
    readonly by: Uuid;
    readonly at: IsoDateTime;
    readonly outcome: 'accepted' | 'rejected';
    readonly reason?: string;
  },
): Transition<Request> {
  assertOpen(request);
  if (request.lock && request.lock.by !== input.by && request.lock.until > input.at) {
    throw new InvalidTransitionError(
      'REQ-02',
      `Request ${request.id} is locked by ${request.lock.by}`,
    );
  }
  const reason = input.reason?.trim();
  if (input.outcome === 'rejected' && !reason) {
    throw new InvalidTransitionError('REQ-02', 'A rejection needs a reason');
  }
  const state = produce(request, (draft) => {
    draft.state = input.outcome;
    delete draft.lock;
    draft.decision = {
      by: input.by,
      at: input.at,
      outcome: input.outcome,
      ...(reason ? { reason } : {}),
    };
  });
  return { state, events: [{ type: 'request.decided', id: request.id, outcome: input.outcome }] };
}

/**
 * PROF-01: closes an open request because its subject's profile closed.
 *
 * @throws INVALID_TRANSITION when the request is not open.
 * @example
 * ```ts
 * closeRequest(request, { by, at })
 * ```
 */
export function closeRequest(
  request: Request,
  input: { readonly by: Uuid; readonly at: IsoDateTime },
): Transition<Request> {
  assertOpen(request);
  const state = produce(request, (draft) => {
    draft.state = 'closed';
    delete draft.lock;
    draft.decision = { by: input.by, at: input.at, outcome: 'closed', reason: 'profile closed' };
  });
  return { state, events: [{ type: 'request.decided', id: request.id, outcome: 'closed' }] };
}

/**
 * REQ-01: the requester withdraws their own open request.
 *
 * @throws INVALID_TRANSITION when the request is not open or the actor did not raise it.
 * @example
 * ```ts
 * withdrawRequest(request, { by: sponsor, at })
 * ```
 */
export function withdrawRequest(
  request: Request,
  input: { readonly by: Uuid; readonly at: IsoDateTime },
): Transition<Request> {
  assertOpen(request);
  if (request.requestedBy !== input.by) {
    throw new InvalidTransitionError(
      'REQ-01',
      `Only the requester withdraws request ${request.id}`,
    );
  }
  const state = produce(request, (draft) => {
    draft.state = 'withdrawn';
    delete draft.lock;
    draft.decision = { by: input.by, at: input.at, outcome: 'withdrawn' };
  });
  return { state, events: [{ type: 'request.decided', id: request.id, outcome: 'withdrawn' }] };
}
