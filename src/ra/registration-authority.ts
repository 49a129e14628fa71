import { randomBytes } from 'node:crypto';
import type { AuditEvent } from '../domain/audit-event.js';
import {
  dateOf,
  type IsoDate,
  type IsoDateTime,
  isoDateSchema,
  toIsoDateTime,
} from '../domain/dates.js';
import type { Uuid } from '../domain/uuid.js';
import { uuidSchema } from '../domain/uuid.js';
import { CareIdError } from '../errors/care-id-error.js';
import { parseWith } from '../errors/parse.js';
import { ValidationError } from '../errors/validation-error.js';
import type { CertificateAuthority } from '../pki/certificate-authority.js';
import { decide } from '../policy/decide.js';
import type { Decision } from '../policy/engine.js';
import type { FactsInput, TargetInput } from '../policy/input.js';
import type { ActivityId } from '../policy/matrix.js';
import { nationalPack } from '../policy/packs/national.js';
import { toValidPack } from '../policy/packs/registry.js';
import type { RulePack } from '../policy/packs/schema.js';
import { PolicyDeniedError } from '../policy/policy-denied-error.js';
import { type Capability, whatCan } from '../policy/what-can.js';
import type { Store, StoreTx } from '../storage/ports.js';
import { type Command, type CommandInput, type CommandType, commandSchema } from './commands.js';
import { loadActor } from './context.js';
import { type EsrIntakeResult, receiveEsrFeed } from './esr-feed.js';
import { type AccessOnDate, accessOn } from './point-in-time.js';
import { createQueries, type RegistrationAuthorityQueries } from './queries/queries.js';
import { createReader } from './queries/reader.js';
import { createReports, type RegistrationAuthorityReports } from './reports/reports.js';
import { aesGcmKeyVault } from './smartcards/key-vault.js';
import {
  createSmartcardOperations,
  type SmartcardOperationsWithRecovery,
} from './smartcards/lifecycle.js';
import type { KeyVault, Notifier, UnlockCodeStore } from './smartcards/ports.js';
import type { CommandResult, UseCaseContext, UseCaseOutcome } from './use-case.js';
import {
  type AssignmentResult,
  assignPosition,
  editDates,
  type MultipleAssignmentsResult,
  manageMultipleAssignments,
  removePositionAssignment,
} from './use-cases/assignments.js';
import {
  type AuthenticatorResult,
  registerAuthenticator,
  removeAuthenticator,
} from './use-cases/authenticators.js';
import { type BatchResult, batchAssignments } from './use-cases/batch.js';
import { type CreateUserResult, createUser } from './use-cases/create-user.js';
import {
  closePosition,
  copyPosition,
  createPosition,
  editPosition,
  manageAssignable,
  type PositionResult,
} from './use-cases/positions.js';
import {
  changeDetails,
  changeOwnContact,
  closeUser,
  type ProfileResult,
  reopenUser,
} from './use-cases/profiles.js';
import {
  listRequests,
  type RequestListPage,
  type RequestListQueryInput,
} from './use-cases/request-listing.js';
import {
  acceptRequest,
  openRequest,
  type RequestResult,
  raiseRequest,
  rejectRequest,
  withdrawRequest,
} from './use-cases/requests.js';
import {
  assignWorkgroup,
  closeWorkgroup,
  createWorkgroup,
  editWorkgroupDates,
  removeWorkgroupAssignment,
  type WorkgroupResult,
} from './use-cases/workgroups.js';

/** What the RA is made of: where it keeps state, which rules it applies, what time it is. */
export interface RegistrationAuthorityOptions {
  readonly store: Store;
  /** The rule pack (default: national). */
  readonly pack?: RulePack;
  /** The clock; injectable so tests and replays are deterministic. */
  readonly clock?: () => Date;
  /**
   * The certificate authority for card certificates; build it with
   * `repository: storeCaRepository(store)` over this same store, so certificate status has
   * one source of truth. Card operations refuse to run without one.
   */
  readonly certificateAuthority?: CertificateAuthority;
  /**
   * Where per-card management keys and PUKs are kept, encrypted. Required for card
   * operations over a SQLite or PostgreSQL store: `aesGcmKeyVault({ key, storage })` with a
   * key the host keeps. Over the memory store the default is AES-GCM in memory under a
   * random key, which lives as long as the store does.
   */
  readonly keyVault?: KeyVault;
  /** Sends self-service unlock codes (CARD-03); self-service unlock refuses without one. */
  readonly notifier?: Notifier;
  /** The domain of the UPN in card certificates (`<uuid>@<domain>`); default `nhs.net`. */
  readonly upnDomain?: string;
  /** Where pending self-service unlock codes wait (default: this RA's memory). */
  readonly unlockCodes?: UnlockCodeStore;
}

/** How to follow a command as it runs. */
export interface ExecuteOptions {
  /**
   * BATCH-01: called after each item of a batch with how many are done of how many. On
   * PostgreSQL a transaction that loses a serialization race re-runs, and counts again.
   */
  readonly onProgress?: (done: number, total: number) => void;
}

/** The result type of each command. */
export interface CommandResults {
  'user.create': CreateUserResult;
  'assignment.assign': AssignmentResult;
  'assignment.edit-dates': AssignmentResult;
  'assignment.remove': AssignmentResult;
  'user.close': ProfileResult;
  'user.reopen': ProfileResult;
  'user.change-own-contact': ProfileResult;
  'user.change-details': ProfileResult;
  'position.create': PositionResult;
  'position.close': PositionResult;
  'workgroup.create': WorkgroupResult;
  'workgroup.assign': WorkgroupResult;
  'workgroup.edit-dates': WorkgroupResult;
  'workgroup.remove': WorkgroupResult;
  'workgroup.close': WorkgroupResult;
  'authenticator.register': AuthenticatorResult;
  'authenticator.remove': AuthenticatorResult;
  'position.copy': PositionResult;
  'position.edit': PositionResult;
  'position.manage-assignable': PositionResult;
  'request.raise': RequestResult;
  'request.open': RequestResult;
  'request.accept': RequestResult;
  'request.reject': RequestResult;
  'request.withdraw': RequestResult;
  'batch.assignments': BatchResult;
  'assignment.manage-multiple': MultipleAssignmentsResult;
}

/** The command of a type, as a front end sends it, without its `type`. */
export type CommandPayload<T extends CommandType> = Omit<
  Extract<CommandInput, { type: T }>,
  'type'
>;

/** Options of {@link RegistrationAuthority.whatCan}. */
export interface ActorCapabilityOptions {
  /** The decision instant (default: now, by the RA's clock). */
  readonly at?: IsoDateTime;
  /** The case facts the decisions see (default: none). */
  readonly facts?: FactsInput;
  /** Limit to these activities (default: the whole matrix). */
  readonly activities?: readonly ActivityId[];
}

/** The registration authority a host application embeds. */
export interface RegistrationAuthority {
  /** The pack it applies. */
  readonly pack: RulePack;
  /**
   * The activities the actor may perform on the target, each with its decision, the actor
   * read from the store as `execute` reads it (profile state, assignments and the roles
   * their positions confer): what a front end shows or hides buttons by. Reads only; not
   * audited.
   *
   * @throws VALIDATION for a malformed actor UUID, target or options.
   * @throws NOT_FOUND ({@link UnknownActorError}) when no profile has the actor's UUID.
   * @throws STORE_UNAVAILABLE when the store cannot be reached.
   * @example
   * ```ts
   * const can = await ra.whatCan(agentUuid, { organisationPath: ['FA123', 'QVV'] });
   * const showAssign = can.some((c) => c.activity === 'position.assign');
   * ```
   */
  whatCan(
    actor: string,
    target?: TargetInput,
    options?: ActorCapabilityOptions,
  ): Promise<readonly Capability[]>;
  /**
   * The dry run of {@link RegistrationAuthority.execute}: parses the command, loads what it
   * acts on and returns the decision `execute` would reach now, allowed or denied, writing
   * nothing. Its use case runs in a transaction that is rolled back, so the decision sees
   * the same records and facts as the real run. Not audited: a front end asks it for every
   * button it draws, and a dry run changes nothing that AUD-01 records; the real command,
   * when sent, is audited as usual.
   *
   * @throws VALIDATION for a malformed actor UUID or command.
   * @throws NOT_FOUND ({@link UnknownActorError} for an unknown actor; or what the command names).
   * @throws INVALID_TRANSITION, DUPLICATE, CONFLICT, STORE_UNAVAILABLE when the command would meet them.
   * @example
   * ```ts
   * const d = await ra.check(agentUuid, { type: 'assignment.assign', user, position, start });
   * button.disabled = !d.allowed;
   * ```
   */
  check(actor: string, command: unknown): Promise<Decision>;
  /**
   * Runs a command for an actor: parse, load, decide, transition, commit with its audit
   * record, all or nothing.
   *
   * @throws VALIDATION for a malformed command (nothing written; the attempt is audited).
   * @throws POLICY_DENIED carrying the decision (nothing written; the denial is audited).
   * @throws NOT_FOUND, DUPLICATE, INVALID_TRANSITION, CONFLICT, STORE_UNAVAILABLE as the command meets them.
   */
  execute<T extends CommandType>(
    actor: string,
    command: Extract<CommandInput, { type: T }>,
    options?: ExecuteOptions,
  ): Promise<CommandResults[T]>;
  /** Profiles. */
  readonly users: {
    /** ID-01..ID-06: create a profile with its identity check. */
    create(actor: string, input: CommandPayload<'user.create'>): Promise<CreateUserResult>;
    /** PROF-01: close a profile and everything it holds. */
    close(actor: string, input: CommandPayload<'user.close'>): Promise<ProfileResult>;
    /** PROF-02: reopen a closed profile, with no access. */
    reopen(actor: string, input: CommandPayload<'user.reopen'>): Promise<ProfileResult>;
    /** PROF-03: change a user's personal details. */
    changeDetails(
      actor: string,
      input: CommandPayload<'user.change-details'>,
    ): Promise<ProfileResult>;
    /** PROF-04: change your own contact details. */
    changeOwnContact(
      actor: string,
      input: CommandPayload<'user.change-own-contact'>,
    ): Promise<ProfileResult>;
  };
  /** Positions. */
  readonly positions: {
    /** POS-01/POS-02: create a position. */
    create(actor: string, input: CommandPayload<'position.create'>): Promise<PositionResult>;
    /** POS-04: close a position and end its assignments. */
    close(actor: string, input: CommandPayload<'position.close'>): Promise<PositionResult>;
    /** POS-02: copy a position under a new name. */
    copy(actor: string, input: CommandPayload<'position.copy'>): Promise<PositionResult>;
    /** POS-03: edit a position directly (RAM, RAA(A)). */
    edit(actor: string, input: CommandPayload<'position.edit'>): Promise<PositionResult>;
    /** POS-01: set a sponsor position's assignable list. */
    manageAssignable(
      actor: string,
      input: CommandPayload<'position.manage-assignable'>,
    ): Promise<PositionResult>;
  };
  /** Requests (REQ-01..REQ-04). */
  readonly requests: {
    /** REQ-01: raise a request (a sponsor's `*` route, a position change or assignment). */
    raise(actor: string, input: CommandPayload<'request.raise'>): Promise<RequestResult>;
    /** REQ-02: open a request for review, locking it to the actor. */
    open(actor: string, input: CommandPayload<'request.open'>): Promise<RequestResult>;
    /** REQ-02: accept a request and carry it out. */
    accept(actor: string, input: CommandPayload<'request.accept'>): Promise<RequestResult>;
    /** REQ-02: reject a request with a reason. */
    reject(actor: string, input: CommandPayload<'request.reject'>): Promise<RequestResult>;
    /** REQ-01: withdraw your own open request. */
    withdraw(actor: string, input: CommandPayload<'request.withdraw'>): Promise<RequestResult>;
    /**
     * REQ-03/REQ-04: the requests the actor may act on (a sponsor: only those), newest
     * last, paged; closed ones only for the pack's listing days unless `history` is set.
     *
     * @throws VALIDATION for a malformed query; POLICY_DENIED (audited) without request.overview.
     */
    list(actor: string, query?: RequestListQueryInput): Promise<RequestListPage>;
    /**
     * REQ-01: take a run of ESR feed records (see `esrFeedItemSchema`), each becoming an
     * open request or refused with its field.
     *
     * @throws STORE_UNAVAILABLE when the store cannot be reached.
     */
    receiveFromEsr(records: readonly unknown[]): Promise<EsrIntakeResult>;
  };
  /** Batch position management (BATCH-01). */
  readonly batch: {
    /** Decide every item and report what would happen; writes nothing but the audit record. */
    preview(
      actor: string,
      input: Omit<CommandPayload<'batch.assignments'>, 'dryRun'>,
    ): Promise<BatchResult>;
    /** Apply the batch, reporting progress; unmatched and denied items are skipped. */
    apply(
      actor: string,
      input: Omit<CommandPayload<'batch.assignments'>, 'dryRun'>,
      options?: ExecuteOptions,
    ): Promise<BatchResult>;
  };
  /** Non-smartcard authenticators (AUTH-01, AUTH-02). */
  readonly authenticators: {
    /** Register one: on your own profile, or (RA) on another's with the user present. */
    register(
      actor: string,
      input: CommandPayload<'authenticator.register'>,
    ): Promise<AuthenticatorResult>;
    /** Remove one. */
    remove(
      actor: string,
      input: CommandPayload<'authenticator.remove'>,
    ): Promise<AuthenticatorResult>;
  };
  /** Workgroups (WG-01). */
  readonly workgroups: {
    /** Create a workgroup. */
    create(actor: string, input: CommandPayload<'workgroup.create'>): Promise<WorkgroupResult>;
    /** Assign a workgroup directly to a user. */
    assign(actor: string, input: CommandPayload<'workgroup.assign'>): Promise<WorkgroupResult>;
    /** Edit a workgroup assignment's dates. */
    editDates(
      actor: string,
      input: CommandPayload<'workgroup.edit-dates'>,
    ): Promise<WorkgroupResult>;
    /** Remove a workgroup assignment. */
    remove(actor: string, input: CommandPayload<'workgroup.remove'>): Promise<WorkgroupResult>;
    /** Close a workgroup, confirmed and with its approval. */
    close(actor: string, input: CommandPayload<'workgroup.close'>): Promise<WorkgroupResult>;
  };
  /** Position assignments. */
  readonly assignments: {
    /** Assign a position. */
    assign(actor: string, input: CommandPayload<'assignment.assign'>): Promise<AssignmentResult>;
    /** ASG-01: edit an assignment's dates. */
    editDates(
      actor: string,
      input: CommandPayload<'assignment.edit-dates'>,
    ): Promise<AssignmentResult>;
    /** ASG-04: remove an assignment. */
    remove(actor: string, input: CommandPayload<'assignment.remove'>): Promise<AssignmentResult>;
    /** Several changes to one profile's assignments, all or nothing (RAM, RAA(A)). */
    manageMultiple(
      actor: string,
      input: CommandPayload<'assignment.manage-multiple'>,
    ): Promise<MultipleAssignmentsResult>;
  };
  /**
   * The positions and RA roles a user held on a date, from the stored history.
   *
   * @throws VALIDATION for a malformed UUID or date; NOT_FOUND for an unknown user.
   */
  accessOn(uuid: string, date: string): Promise<AccessOnDate>;
  /** The read side: find users, organisations and positions; assignment and workgroup history. */
  readonly queries: RegistrationAuthorityQueries;
  /** Reports (REP-01, REP-02): list, view a page, export as streamed CSV. */
  readonly reports: RegistrationAuthorityReports;
  /**
   * Smartcards on a card in a reader (CARD-01..CARD-11): each operation reserves its record,
   * runs the card and CA steps, and finalises; a failed step is compensated and audited.
   */
  readonly smartcards: SmartcardOperationsWithRecovery;
}

/** One use case per command type, each taking exactly its own command. */
type Handlers = {
  readonly [T in CommandType]: (
    ctx: UseCaseContext,
    command: Extract<Command, { type: T }>,
  ) => Promise<UseCaseOutcome<CommandResult>>;
};

const handlers: Handlers = {
  'user.create': createUser,
  'user.change-details': changeDetails,
  'user.change-own-contact': changeOwnContact,
  'user.close': closeUser,
  'user.reopen': reopenUser,
  'position.create': createPosition,
  'position.close': closePosition,
  'assignment.assign': assignPosition,
  'assignment.edit-dates': editDates,
  'assignment.remove': removePositionAssignment,
  'workgroup.create': createWorkgroup,
  'workgroup.assign': assignWorkgroup,
  'workgroup.edit-dates': editWorkgroupDates,
  'workgroup.remove': removeWorkgroupAssignment,
  'workgroup.close': closeWorkgroup,
  'authenticator.register': registerAuthenticator,
  'authenticator.remove': removeAuthenticator,
  'position.copy': copyPosition,
  'position.edit': editPosition,
  'position.manage-assignable': manageAssignable,
  'request.raise': raiseRequest,
  'request.open': openRequest,
  'request.accept': acceptRequest,
  'request.reject': rejectRequest,
  'request.withdraw': withdrawRequest,
  'batch.assignments': batchAssignments,
  'assignment.manage-multiple': manageMultipleAssignments,
};

/** The handler of a command: the mapped type guarantees each takes its own command. */
function handlerOf(command: Command) {
  return handlers[command.type] as (
    ctx: UseCaseContext,
    command: Command,
  ) => Promise<UseCaseOutcome<CommandResult>>;
}

/** Thrown inside a transaction to stop it when the policy refuses; never leaves the RA. */
class Refused extends Error {
  constructor(readonly decision: Decision) {
    super('refused');
  }
}

/** Thrown at the end of a dry run's transaction to roll it back; never leaves the RA. */
class DryRunDone extends Error {
  constructor(readonly decision: Decision) {
    super('dry run');
  }
}

const reasonsOf = (decision: Decision) =>
  decision.reasons.map((r) => ({ rule: r.rule, code: r.code, message: r.message }));

/**
 * Creates the registration authority a host embeds: one use case per activity, each run
 * as parse, load, decide, transition, commit with the audit record (AUD-01), all or
 * nothing. Denials and bad input are audited too, and change nothing else.
 *
 * @throws VALIDATION when the pack is not valid, or card operations are set up (a
 * `certificateAuthority`) over a lasting store without a `keyVault` to keep card secrets in.
 * @example
 * ```ts
 * const ra = createRegistrationAuthority({ store: memoryStore(), pack: dorsetPack });
 * const { uuid } = await ra.users.create(agentUuid, { organisation: 'FA123', name, dateOfBirth, identityCheck });
 * ```
 */
export function createRegistrationAuthority(
  options: RegistrationAuthorityOptions,
): RegistrationAuthority {
  const store = options.store;
  const pack = toValidPack(options.pack ?? nationalPack);
  const clock = options.clock ?? (() => new Date());
  if (options.certificateAuthority && !options.keyVault && store.adapter !== 'memory') {
    // A random in-memory vault would lose every card's PUK and management key on restart.
    throw new ValidationError('registration authority options', [
      {
        field: 'keyVault',
        message:
          'a lasting store needs a lasting vault for card secrets: pass aesGcmKeyVault({ key, storage }) with a key you keep',
      },
    ]);
  }

  const audit = (event: AuditEvent) =>
    store.transaction((tx) => tx.audit.append(event)).then(() => undefined);

  /** Parses the actor and the command: a ValidationError naming the field when either is bad. */
  function parseCommand(
    actorInput: unknown,
    input: unknown,
  ): { actorUuid: Uuid; command: Command } | { error: ValidationError; type: string } {
    const type =
      typeof (input as { type?: unknown })?.type === 'string'
        ? (input as { type: string }).type
        : 'unknown';
    const actorParse = uuidSchema.safeParse(actorInput);
    if (!actorParse.success)
      return { error: ValidationError.fromZod('actor', actorParse.error), type };
    const parsed = commandSchema.safeParse(input);
    if (!parsed.success)
      return { error: ValidationError.fromZod(`command ${type}`, parsed.error), type };
    return { actorUuid: actorParse.data as Uuid, command: parsed.data };
  }

  /**
   * Loads the actor and runs the command's use case in `tx`: the decision step of every
   * command. A denial throws `Refused`; `onDecision` sees every decision that authorised.
   */
  async function runUseCase(
    tx: StoreTx,
    actorUuid: Uuid,
    command: Command,
    at: IsoDateTime,
    onDecision: (decision: Decision) => void,
    progress?: ExecuteOptions['onProgress'],
  ): Promise<UseCaseOutcome<CommandResult>> {
    const actor = await loadActor(tx, actorUuid, pack);
    const check: UseCaseContext['check'] = (activity, target, facts = {}, route) =>
      decide({ pack, actor, activity, at, target, facts, ...(route ? { route } : {}) });
    const ctx: UseCaseContext = {
      tx,
      pack,
      actor,
      actorUuid,
      at,
      today: dateOf(at),
      check,
      authorize(activity, target, facts = {}, route) {
        const decision = check(activity, target, facts, route);
        onDecision(decision);
        if (!decision.allowed) throw new Refused(decision);
        return decision;
      },
      progress,
    };
    return handlerOf(command)(ctx, command);
  }

  async function execute(
    actorInput: string,
    input: unknown,
    options: ExecuteOptions = {},
  ): Promise<CommandResult> {
    const at: IsoDateTime = toIsoDateTime(clock());
    const parsed = parseCommand(actorInput, input);
    if ('error' in parsed) {
      const { error, type } = parsed;
      await audit({
        at,
        actor: String(actorInput).slice(0, 64) || 'unknown',
        activity: type.slice(0, 64),
        target: '',
        outcome: 'failed',
        reasons: [{ rule: 'INPUT', code: 'VALIDATION', message: error.message.slice(0, 500) }],
        details: { field: error.field },
      });
      throw error;
    }
    const { actorUuid, command } = parsed;
    let decided: Decision | undefined;
    try {
      return await store.transaction(async (tx: StoreTx) => {
        decided = undefined;
        const outcome = await runUseCase(
          tx,
          actorUuid,
          command,
          at,
          (decision) => {
            decided = decision;
          },
          options.onProgress,
        );
        await tx.audit.append({
          at,
          actor: actorUuid,
          activity: command.type,
          target: outcome.target,
          outcome: 'allowed',
          reasons: reasonsOf(outcome.result.decision),
          ...(outcome.requestId !== undefined ? { requestId: outcome.requestId } : {}),
          details: outcome.details ?? {},
        });
        return outcome.result;
      });
    } catch (error) {
      if (error instanceof Refused) {
        await audit({
          at,
          actor: actorUuid,
          activity: command.type,
          target: '',
          outcome: 'denied',
          reasons: reasonsOf(error.decision),
          details: {},
        });
        throw new PolicyDeniedError(error.decision);
      }
      if (error instanceof CareIdError && error.code !== 'STORE_UNAVAILABLE') {
        await audit({
          at,
          actor: actorUuid,
          activity: command.type,
          target: '',
          outcome: 'failed',
          reasons: [
            ...(decided ? reasonsOf(decided) : []),
            { rule: 'OUTCOME', code: error.code, message: error.message.slice(0, 500) },
          ],
          details: {},
        });
      }
      throw error;
    }
  }

  /**
   * The dry run: the command's use case runs to its decision in a transaction that is then
   * rolled back, so the decision is the one `execute` would reach on the same records and
   * nothing is written. Not audited: a front end asks it for every button it draws.
   */
  async function check(actorInput: string, input: unknown): Promise<Decision> {
    const parsed = parseCommand(actorInput, input);
    if ('error' in parsed) throw parsed.error;
    const { actorUuid, command } = parsed;
    const at = toIsoDateTime(clock());
    try {
      await store.transaction(async (tx) => {
        let decision: Decision;
        try {
          decision = (await runUseCase(tx, actorUuid, command, at, () => undefined)).result
            .decision;
        } catch (error) {
          if (!(error instanceof Refused)) throw error;
          decision = error.decision;
        }
        // Rolls the transaction back: whatever the use case wrote is undone.
        throw new DryRunDone(decision);
      });
    } catch (error) {
      if (error instanceof DryRunDone) return error.decision;
      throw error;
    }
    /* c8 ignore next */
    throw new Error('unreachable: a dry run always rolls back');
  }

  async function whatCanFor(
    actorInput: string,
    target: TargetInput = {},
    options: ActorCapabilityOptions = {},
  ): Promise<readonly Capability[]> {
    const actorUuid = parseWith(uuidSchema, actorInput, 'actor') as Uuid;
    const at = options.at ?? toIsoDateTime(clock());
    const actor = await store.transaction((tx) => loadActor(tx, actorUuid, pack));
    return whatCan(actor, target, {
      pack,
      at,
      ...(options.facts !== undefined ? { facts: options.facts } : {}),
      ...(options.activities !== undefined ? { activities: options.activities } : {}),
    });
  }

  const listContext = { store, pack, clock, audit };
  const reader = createReader({ store, pack, clock });

  const run =
    <T extends CommandType>(type: T) =>
    (actor: string, input: object) =>
      execute(actor, { ...input, type }) as Promise<CommandResults[T]>;

  return {
    pack,
    execute: ((actor: string, command: CommandInput, options?: ExecuteOptions) =>
      execute(actor, command, options)) as RegistrationAuthority['execute'],
    check,
    whatCan: whatCanFor,
    users: {
      create: run('user.create'),
      close: run('user.close'),
      reopen: run('user.reopen'),
      changeOwnContact: run('user.change-own-contact'),
      changeDetails: run('user.change-details'),
    },
    positions: {
      create: run('position.create'),
      close: run('position.close'),
      copy: run('position.copy'),
      edit: run('position.edit'),
      manageAssignable: run('position.manage-assignable'),
    },
    requests: {
      raise: run('request.raise'),
      open: run('request.open'),
      accept: run('request.accept'),
      reject: run('request.reject'),
      withdraw: run('request.withdraw'),
      list: (actor, query) => listRequests(listContext, actor, query),
      receiveFromEsr: (records) => receiveEsrFeed(store, () => toIsoDateTime(clock()), records),
    },
    batch: {
      preview: (actor, input) =>
        execute(actor, {
          ...input,
          type: 'batch.assignments',
          dryRun: true,
        }) as Promise<BatchResult>,
      apply: (actor, input, options) =>
        execute(
          actor,
          { ...input, type: 'batch.assignments', dryRun: false },
          options,
        ) as Promise<BatchResult>,
    },
    authenticators: {
      register: run('authenticator.register'),
      remove: run('authenticator.remove'),
    },
    workgroups: {
      create: run('workgroup.create'),
      assign: run('workgroup.assign'),
      editDates: run('workgroup.edit-dates'),
      remove: run('workgroup.remove'),
      close: run('workgroup.close'),
    },
    assignments: {
      assign: run('assignment.assign'),
      editDates: run('assignment.edit-dates'),
      remove: run('assignment.remove'),
      manageMultiple: run('assignment.manage-multiple'),
    },
    async accessOn(uuid, date) {
      const user = parseWith(uuidSchema, uuid, 'uuid') as Uuid;
      const on = parseWith(isoDateSchema, date, 'date') as IsoDate;
      return store.transaction((tx) => accessOn(tx, user, on, pack));
    },
    queries: createQueries(reader),
    reports: createReports(reader),
    smartcards: createSmartcardOperations({
      store,
      pack,
      clock,
      certificateAuthority: options.certificateAuthority,
      keyVault: options.keyVault ?? aesGcmKeyVault({ key: new Uint8Array(randomBytes(32)) }),
      notifier: options.notifier,
      upnDomain: options.upnDomain ?? 'nhs.net',
      unlockCodes: options.unlockCodes,
    }),
  };
}
