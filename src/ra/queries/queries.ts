import type { z } from 'zod';
import { typedCommand } from '../command-input.js';
import { findAuthenticators } from './authenticators.js';
import { findCards } from './cards.js';
import {
  assignmentHistory,
  findOrganisations,
  findPositions,
  findUsers,
  workgroupHistory,
  workgroupsForUser,
} from './find.js';
import type { ReadContext, Reader } from './reader.js';
import type {
  AssignmentSummary,
  AuthenticatorSummary,
  CardSummary,
  OrganisationSummary,
  PositionSummary,
  ResultPage,
  UserAtOrganisation,
  UserSummary,
  WorkgroupAssignmentSummary,
} from './results.js';
import { type Query, type QueryInput, type QueryType, querySchema } from './schemas.js';

/** The result type of each read query. */
export interface QueryResults {
  'user.find': ResultPage<UserSummary | UserAtOrganisation>;
  'organisation.find': ResultPage<OrganisationSummary>;
  'position.find': ResultPage<PositionSummary>;
  'assignment.view-history': ResultPage<AssignmentSummary>;
  'workgroup.view-for-user': ResultPage<WorkgroupAssignmentSummary>;
  'workgroup.history': ResultPage<WorkgroupAssignmentSummary>;
  'smartcard.find': ResultPage<CardSummary>;
  'authenticator.find': ResultPage<AuthenticatorSummary>;
}

/** A read query of a type, without its `type`. */
export type QueryPayload<T extends QueryType> = Omit<Extract<QueryInput, { type: T }>, 'type'>;

/**
 * The RA's read side: every query policy-checked like a command (a denial is audited and
 * thrown as PolicyDeniedError, bad input is a ValidationError naming the field, audited).
 * Allowed reads write no audit record: finding and viewing change nothing, and auditing
 * every search would bury the changes AUD-01 is for (exports are audited, see reports).
 */
export interface RegistrationAuthorityQueries {
  /**
   * Runs a read query (plain JSON) for an actor.
   *
   * @throws VALIDATION for a malformed query (audited); POLICY_DENIED carrying the decision (audited); NOT_FOUND for an unknown user or workgroup.
   */
  query<T extends QueryType>(
    actor: string,
    query: Extract<QueryInput, { type: T }>,
  ): Promise<QueryResults[T]>;
  /** `user.find`: by UUID, name, NI number or organisation, within the actor's scope. */
  findUsers(actor: string, query: QueryPayload<'user.find'>): Promise<QueryResults['user.find']>;
  /** `organisation.find`: by code, name or parent, within the actor's scope. */
  findOrganisations(
    actor: string,
    query: QueryPayload<'organisation.find'>,
  ): Promise<QueryResults['organisation.find']>;
  /** `position.find`: the positions of an organisation. */
  findPositions(
    actor: string,
    query: QueryPayload<'position.find'>,
  ): Promise<QueryResults['position.find']>;
  /** `assignment.view-history` (ASG-04): a user's assignments, expired and removed ones too. */
  assignmentHistory(
    actor: string,
    query: QueryPayload<'assignment.view-history'>,
  ): Promise<QueryResults['assignment.view-history']>;
  /** `workgroup.view-for-user` (WG-01): a user's workgroups on a date. */
  workgroupsForUser(
    actor: string,
    query: QueryPayload<'workgroup.view-for-user'>,
  ): Promise<QueryResults['workgroup.view-for-user']>;
  /** `workgroup.history` (WG-01): a workgroup's or a user's workgroup assignments, all of them. */
  workgroupHistory(
    actor: string,
    query: QueryPayload<'workgroup.history'>,
  ): Promise<QueryResults['workgroup.history']>;
  /** `smartcard.find`: a user's cards, or one card by serial, as far as the actor sees the holder. */
  findCards(
    actor: string,
    query: QueryPayload<'smartcard.find'>,
  ): Promise<QueryResults['smartcard.find']>;
  /** `authenticator.find` (AUTH-01..03): the authenticators in force on a user's profile. */
  findAuthenticators(
    actor: string,
    query: QueryPayload<'authenticator.find'>,
  ): Promise<QueryResults['authenticator.find']>;
}

type Handlers = {
  readonly [T in QueryType]: (
    ctx: ReadContext,
    query: Extract<Query, { type: T }>,
  ) => Promise<{ result: QueryResults[T] }>;
};

const handlers: Handlers = {
  'user.find': findUsers,
  'organisation.find': findOrganisations,
  'position.find': findPositions,
  'assignment.view-history': assignmentHistory,
  'workgroup.view-for-user': workgroupsForUser,
  'workgroup.history': workgroupHistory,
  'smartcard.find': findCards,
  'authenticator.find': findAuthenticators,
};

const typeOf = (input: unknown) =>
  typeof (input as { type?: unknown })?.type === 'string'
    ? (input as { type: string }).type.slice(0, 64)
    : 'query';

/**
 * The RA's read queries over a reader (see {@link RegistrationAuthorityQueries}).
 *
 * @example
 * ```ts
 * const queries = createQueries(createReader(createActivityPipeline({ store, pack, clock })));
 * await queries.findUsers(agent, { name: { family: 'Riv' } });
 * ```
 */
export function createQueries(reader: Reader): RegistrationAuthorityQueries {
  const query = (actor: string, input: unknown) =>
    reader.run(actor, typeOf(input), querySchema, input, (ctx, q: z.output<typeof querySchema>) =>
      (handlers[q.type] as (c: ReadContext, q: Query) => Promise<{ result: unknown }>)(ctx, q),
    );
  const typed =
    <T extends QueryType>(type: T) =>
    (actor: string, payload: object) =>
      query(actor, typedCommand(payload, { type })) as Promise<QueryResults[T]>;
  return {
    query: query as RegistrationAuthorityQueries['query'],
    findUsers: typed('user.find'),
    findOrganisations: typed('organisation.find'),
    findPositions: typed('position.find'),
    assignmentHistory: typed('assignment.view-history'),
    workgroupsForUser: typed('workgroup.view-for-user'),
    workgroupHistory: typed('workgroup.history'),
    findCards: typed('smartcard.find'),
    findAuthenticators: typed('authenticator.find'),
  };
}
