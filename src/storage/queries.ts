import { z } from 'zod';
import { foldName } from '../domain/duplicates.js';
import {
  type IsoDate,
  type IsoDateTime,
  isoDateSchema,
  isoDateTimeSchema,
  type OdsCode,
  odsCodeSchema,
  type RequestKind,
  type RequestState,
  requesterSchema,
  requestKinds,
  requestStates,
  type Uuid,
  uuidSchema,
} from '../domain/index.js';
import type { StoredOrganisation } from './records.js';

const namePart = z
  .string()
  .max(100)
  .refine((v) => nameKey(v) !== '', { message: 'must contain a letter or digit' });

/**
 * ID-06: a search by name prefix (case-insensitive) and date of birth. Give the family
 * name, the given name, or both; the date of birth narrows it.
 */
export interface NameQuery {
  /** Prefix of the family name, any case. */
  readonly family?: string | undefined;
  /** Prefix of the given name, any case. */
  readonly given?: string | undefined;
  /** Exact date of birth. */
  readonly dateOfBirth?: IsoDate | undefined;
}

/** Validates a {@link NameQuery}. */
export const nameQuerySchema = z
  .object({
    family: namePart.optional(),
    given: namePart.optional(),
    dateOfBirth: isoDateSchema.optional(),
  })
  .refine((q) => q.family !== undefined || q.given !== undefined, {
    message: 'give a family name, a given name or both',
    path: ['family'],
  });

/** REQ-03/REQ-04: which requests to list; every field given narrows the list. */
export interface RequestFilter {
  /** One state or several. */
  readonly state?: RequestState | readonly RequestState[] | undefined;
  /** The kind of request. */
  readonly kind?: RequestKind | undefined;
  /** The organisation it concerns. */
  readonly organisation?: OdsCode | undefined;
  /** Who raised it (a UUID or `ESR`). */
  readonly requestedBy?: Uuid | 'ESR' | undefined;
  /** The user it is about. */
  readonly subject?: Uuid | undefined;
  /**
   * REQ-04's default listing: keep open requests and only the closed ones whose
   * {@link closedAt} is at or after this instant. Pass the instant the day 30 days ago
   * starts in the pack's time zone (`startOfDateIn(addDays(today, -30), pack.timeZone)`) to
   * list what the domain's `inDefaultListing` keeps.
   */
  readonly decidedSince?: IsoDateTime | undefined;
}

/** Validates a {@link RequestFilter}. */
export const requestFilterSchema = z
  .object({
    state: z.union([z.enum(requestStates), z.array(z.enum(requestStates)).min(1)]).optional(),
    kind: z.enum(requestKinds).optional(),
    organisation: odsCodeSchema.optional(),
    requestedBy: requesterSchema.optional(),
    subject: uuidSchema.optional(),
    decidedSince: isoDateTimeSchema.optional(),
  })
  .optional();

/** Which certificates are expiring: `notAfter` in `[from, before)`, with a status. */
export interface ExpiringQuery {
  /** Exclusive upper bound of `notAfter`. */
  readonly before: IsoDateTime;
  /** Inclusive lower bound of `notAfter` (default: no bound, the already expired too). */
  readonly from?: IsoDateTime | undefined;
  /** Status of the certificates (default `active`). */
  readonly status?: 'active' | 'revoked' | 'superseded' | undefined;
}

/** Validates an {@link ExpiringQuery}. */
export const expiringQuerySchema = z.object({
  before: isoDateTimeSchema,
  from: isoDateTimeSchema.optional(),
  status: z.enum(['active', 'revoked', 'superseded']).optional(),
});

/** The lowest string: the lower bound of `from` when none is given. */
export const LOWEST = '';

/**
 * The form of a name part that searches compare, folded as the domain's duplicate check
 * (ID-06, `duplicateMatches`) folds names: lower case, accents dropped, and everything but
 * letters and digits dropped (spaces, hyphens, apostrophes), so "O'Brien-Smith", "obrien
 * smith" and "OBRIENSMITH" share one key. Letters of every script are kept. Keys compare in
 * code-point order.
 *
 * @example
 * ```ts
 * nameKey(" Zoë O'Brien ") // 'zoeobrien'
 * ```
 */
export function nameKey(part: string): string {
  return foldName(part);
}

/**
 * When a request left the open state, as REQ-04's default listing counts it: its decision
 * time, or its creation time for a closed request with no decision; `undefined` while open.
 *
 * @example
 * ```ts
 * closedAt(request) // '2026-11-02T10:00:00.000Z'
 * ```
 */
export function closedAt(request: {
  readonly state: RequestState;
  readonly createdAt: IsoDateTime;
  readonly decision?: { readonly at: IsoDateTime } | undefined;
}): IsoDateTime | undefined {
  return request.state === 'open' ? undefined : (request.decision?.at ?? request.createdAt);
}

/** How many organisations `OrganisationRepository.ancestors` lists at most. */
export const MAX_ANCESTORS = 32;

/**
 * An organisation and its ancestors, nearest first, from the organisations of the chain
 * (in any order): follows parent links from `odsCode`, stopping at one not given, at one
 * already listed (a cycle) or after {@link MAX_ANCESTORS}.
 *
 * @example
 * ```ts
 * chainFrom('FA123', [qvv, fa123]) // [fa123, qvv]
 * ```
 */
export function chainFrom(
  odsCode: OdsCode,
  organisations: readonly StoredOrganisation[],
): StoredOrganisation[] {
  const byCode = new Map(organisations.map((o) => [o.odsCode as string, o]));
  const chain: StoredOrganisation[] = [];
  const seen = new Set<string>();
  for (
    let next: string | undefined = odsCode;
    next !== undefined && !seen.has(next) && chain.length < MAX_ANCESTORS;
  ) {
    const found = byCode.get(next);
    if (found === undefined) break;
    seen.add(next);
    chain.push(found);
    next = found.parent;
  }
  return chain;
}
