import { z } from 'zod';
import { type IsoDateTime, isoDateSchema } from '../domain/dates.js';
import { newId } from '../domain/ids.js';
import { niNumberSchema } from '../domain/ni-number.js';
import { odsCodeSchema } from '../domain/ods-code.js';
import { type Request, requestSchema } from '../domain/request.js';
import { mobileSchema, personNameSchema } from '../domain/user.js';
import { uuidSchema } from '../domain/uuid.js';
import { CareIdError } from '../errors/care-id-error.js';
import type { CareIdErrorCode } from '../errors/codes.js';
import { parseWith } from '../errors/parse.js';
import { ValidationError } from '../errors/validation-error.js';
import { NotFoundError } from '../storage/errors.js';
import type { Store } from '../storage/ports.js';
import { requestedPersonSchema } from './commands.js';

/** The ESR person number: eight digits. */
const esrPersonNumberSchema = z
  .string()
  .regex(/^\d{8}$/, { message: 'must be the 8-digit ESR person number' });

/**
 * REQ-01: one record of the ESR feed, as JSON. `create` asks for a profile for a new
 * starter; `modify` reports changed details of a person whose profile is linked to ESR
 * (ESR holds their UUID). Either becomes an open request that a role the matrix allows
 * accepts or rejects.
 *
 * @example
 * ```json
 * { "kind": "create", "esrPersonNumber": "12345678", "organisation": "FA123",
 *   "person": { "name": { "given": "Sam", "family": "Lee" }, "dateOfBirth": "1990-02-03",
 *               "niNumber": "AB123456C" },
 *   "jobTitle": "Pharmacy technician", "startDate": "2026-12-01" }
 * { "kind": "modify", "esrPersonNumber": "12345678", "uuid": "123456789012",
 *   "organisation": "FA123", "changes": { "name": { "given": "Sam", "family": "Hart" } },
 *   "effectiveFrom": "2026-12-10" }
 * { "kind": "modify", "esrPersonNumber": "12345678", "uuid": "123456789012",
 *   "organisation": "FA123", "leftOn": "2027-03-31", "effectiveFrom": "2027-03-31" }
 * ```
 */
export const esrFeedItemSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('create'),
      esrPersonNumber: esrPersonNumberSchema,
      organisation: odsCodeSchema,
      person: requestedPersonSchema,
      jobTitle: z.string().trim().min(1).max(200).optional(),
      startDate: isoDateSchema,
    })
    .strict()
    .readonly(),
  z
    .object({
      kind: z.literal('modify'),
      esrPersonNumber: esrPersonNumberSchema,
      uuid: uuidSchema,
      organisation: odsCodeSchema,
      changes: z
        .object({
          name: personNameSchema.optional(),
          dateOfBirth: isoDateSchema.optional(),
          niNumber: niNumberSchema.optional(),
          contact: z
            .object({
              email: z.email({ message: 'must be an email address' }).optional(),
              mobile: mobileSchema.optional(),
            })
            .strict()
            .readonly()
            .optional(),
        })
        .strict()
        .readonly()
        .default({}),
      /** ASG-03: the person left `organisation` on this day; their assignments there end. */
      leftOn: isoDateSchema.optional(),
      effectiveFrom: isoDateSchema,
    })
    .strict()
    .refine(
      (r) => r.leftOn !== undefined || Object.values(r.changes).some((v) => v !== undefined),
      {
        message: 'a modify record must change at least one field or give leftOn',
        path: ['changes'],
      },
    )
    .readonly(),
]);
/** One ESR feed record as it arrives. */
export type EsrFeedItemInput = z.input<typeof esrFeedItemSchema>;
/** One validated ESR feed record. */
export type EsrFeedItem = z.output<typeof esrFeedItemSchema>;

/** The payload an ESR request keeps: the feed record itself. */
export const esrRequestPayloadSchema = esrFeedItemSchema;
/** What an ESR request carries. */
export type EsrRequestPayload = EsrFeedItem;

/** What became of one feed record. */
export type EsrIntakeItem =
  | { readonly index: number; readonly outcome: 'received'; readonly request: Request['id'] }
  | {
      readonly index: number;
      readonly outcome: 'refused';
      readonly code: CareIdErrorCode;
      readonly field?: string;
      readonly message: string;
    };

/** What a feed run did, record by record. */
export interface EsrIntakeResult {
  readonly received: number;
  readonly refused: number;
  readonly items: readonly EsrIntakeItem[];
}

/**
 * REQ-01: takes a run of ESR feed records. Each valid record becomes an open request
 * (its own transaction, audited with ESR as the actor); an invalid one is refused with the
 * field at fault, audited, and does not stop the rest.
 *
 * @throws VALIDATION when `records` is not an array (nothing received).
 * @throws STORE_UNAVAILABLE when the store cannot be reached (records already received stay).
 */
export async function receiveEsrFeed(
  store: Store,
  at: () => IsoDateTime,
  records: readonly unknown[],
): Promise<EsrIntakeResult> {
  // A host's JSON may be anything: a run of records must be an array (issue 13).
  if (!Array.isArray(records)) {
    throw new ValidationError('ESR feed', [
      { field: '', message: 'must be an array of ESR feed records' },
    ]);
  }
  const items: EsrIntakeItem[] = [];
  for (let index = 0; index < records.length; index++) {
    const record: unknown = records[index];
    const when = at();
    try {
      const item = parseWith(esrFeedItemSchema, record, `ESR record ${index}`);
      const id = newId<Request['id']>('req');
      await store.transaction(async (tx) => {
        if (item.kind === 'modify' && (await tx.users.get(item.uuid)) === undefined) {
          throw new NotFoundError('user', item.uuid);
        }
        const request = parseWith(
          requestSchema,
          {
            id,
            kind: item.kind === 'create' ? 'esr-create-user' : 'esr-modify-user',
            state: 'open',
            requestedBy: 'ESR',
            ...(item.kind === 'modify' ? { subject: item.uuid } : {}),
            organisation: item.organisation,
            payload: { ...item },
            createdAt: when,
            version: 0,
          },
          'request',
        );
        await tx.requests.insert(request);
        await tx.audit.append({
          at: when,
          actor: 'ESR',
          activity: 'request.receive-esr',
          target: item.kind === 'modify' ? item.uuid : item.organisation,
          outcome: 'allowed',
          reasons: [{ rule: 'REQ-01', code: 'ESR_RECORD', message: `ESR ${item.kind} record` }],
          requestId: id,
          details: { esrPersonNumber: item.esrPersonNumber, kind: item.kind },
        });
      });
      items.push({ index, outcome: 'received', request: id });
    } catch (error) {
      if (!(error instanceof CareIdError) || error.code === 'STORE_UNAVAILABLE') throw error;
      const field = error instanceof ValidationError ? error.field : undefined;
      await store.transaction((tx) =>
        tx.audit.append({
          at: when,
          actor: 'ESR',
          activity: 'request.receive-esr',
          target: '',
          outcome: 'failed',
          reasons: [{ rule: 'REQ-01', code: error.code, message: error.message.slice(0, 500) }],
          details: { index, ...(field !== undefined ? { field } : {}) },
        }),
      );
      items.push({
        index,
        outcome: 'refused',
        code: error.code,
        ...(field !== undefined ? { field } : {}),
        message: error.message,
      });
    }
  }
  const received = items.filter((i) => i.outcome === 'received').length;
  return { received, refused: items.length - received, items };
}
