import { z } from 'zod';
import { type RelyingPartyOptions, toRelyingParty } from '../authn/relying-party.js';
import { randomBytes } from '../crypto/random.js';
import type { IsoDate, IsoDateTime } from '../domain/dates.js';
import { isoDateSchema, isoDateTimeSchema } from '../domain/dates.js';
import type { Uuid } from '../domain/uuid.js';
import { uuidSchema } from '../domain/uuid.js';
import { parseWith } from '../errors/parse.js';
import { ValidationError } from '../errors/validation-error.js';
import type { CertificateAuthority } from '../pki/certificate-authority.js';
import type { Decision } from '../policy/engine.js';
import type { ActorInput, FactsInput, TargetInput } from '../policy/input.js';
import type { ActivityId } from '../policy/matrix.js';
import { nationalPack } from '../policy/packs/national.js';
import { toValidPack } from '../policy/packs/registry.js';
import type { RulePack } from '../policy/packs/schema.js';
import { type Capability, whatCan } from '../policy/what-can.js';
import type { Store } from '../storage/ports.js';
import { createActivityPipeline } from './activity.js';
import {
  type CommandInput,
  type CommandMethod,
  type CommandPayload,
  type CommandResults,
  type CommandType,
  commandFacade,
  commandSchema,
  handlerOf,
} from './command-catalogue.js';
import { typedCommand } from './command-input.js';
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
import type { ChuidSigner } from './smartcards/types.js';
import type { CommandResult } from './use-case.js';
import type { BatchResult } from './use-cases/batch.js';
import {
  listRequests,
  type RequestListPage,
  type RequestListQueryInput,
} from './use-cases/request-listing.js';
import { createWebAuthnCeremonies, type WebAuthnCeremonies } from './webauthn/ceremonies.js';

export type { CommandMethod, CommandPayload, CommandResults } from './command-catalogue.js';

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
  /**
   * Signs the CHUID of every card issued or repaired (SP 800-73-4: the issuer asymmetric
   * signature), with a content-signing certificate from the CA (`ca.issueContentSigner`).
   * Without it the CHUID's signature is empty, and relying parties that check it refuse
   * the card.
   */
  readonly chuidSigner?: ChuidSigner;
  /** Where pending self-service unlock codes wait (default: this RA's memory). */
  readonly unlockCodes?: UnlockCodeStore;
  /**
   * AUD-02: the server key (at least 32 bytes) one-time unlock codes are kept under, as
   * HMAC-SHA-256: what the code store holds is useless without it. Required with a shared
   * `unlockCodes` store (every application server gives the same key, kept outside the
   * database); default with the in-memory store: a random key of this RA.
   */
  readonly unlockCodeKey?: Uint8Array;
  /**
   * AUTH-03: the relying party of the WebAuthn ceremonies (`ra.webauthn`): the RP ID (the
   * domain credentials are scoped to), the name authenticators show, the origins the front
   * end is served from, and optionally the challenges' time to live (default 300 s) and
   * whether user verification is required. Without it the ceremonies refuse
   * (WEBAUTHN_NOT_CONFIGURED).
   */
  readonly webauthn?: RelyingPartyOptions;
}

/** How to follow a command as it runs. */
export interface ExecuteOptions {
  /**
   * BATCH-01: called after each item of a batch with how many are done of how many. On
   * PostgreSQL a transaction that loses a serialization race re-runs, and counts again.
   */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Options of {@link RegistrationAuthority.whatCan}. */
export interface ActorCapabilityOptions {
  /** The decision instant (default: now, by the RA's clock). */
  readonly at?: IsoDateTime;
  /** The case facts the decisions see (default: none). */
  readonly facts?: FactsInput;
  /** Limit to these activities (default: the whole matrix). */
  readonly activities?: readonly ActivityId[];
}

/** What `whatCan` reads of its options here; the policy validates `facts` and `activities` itself. */
const capabilityOptionsSchema = z.object({
  at: isoDateTimeSchema.optional(),
  facts: z.unknown().optional(),
  activities: z.unknown().optional(),
});

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
   * The actor as the policy engine sees them, read from the store as `execute` reads it:
   * their profile's state and every position assignment (ended and removed ones too, ROLE-02
   * decides by date) with the RA roles its position confers under the RA's pack. What a
   * browser passes to `careid/policy`'s `whatCan` and `decide` to show buttons without a
   * round trip per button. Reads only; not audited.
   *
   * @throws VALIDATION for a malformed UUID.
   * @throws NOT_FOUND ({@link UnknownActorError}) when no profile has the UUID.
   * @throws STORE_UNAVAILABLE when the store cannot be reached.
   * @example
   * ```ts
   * const actor = await ra.actor(agentUuid);
   * const buttons = whatCan(actor, { organisationPath: ['FA123', 'QVV'] }, { pack: ra.pack });
   * ```
   */
  actor(actor: string): Promise<ActorInput>;
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
   * @throws NOT_FOUND, DUPLICATE, INVALID_TRANSITION, CONFLICT, STORE_UNAVAILABLE as the command meets them
   * (audited as failed). An error that is not careid's (a bug, a host callback throwing) is
   * audited as failed with code UNEXPECTED and rethrown unchanged.
   */
  execute<T extends CommandType>(
    actor: string,
    command: Extract<CommandInput, { type: T }>,
    options?: ExecuteOptions,
  ): Promise<CommandResults[T]>;
  /** Profiles. */
  readonly users: {
    /** ID-01..ID-06: create a profile with its identity check. */
    readonly create: CommandMethod<'user.create'>;
    /** PROF-01: close a profile and everything it holds. */
    readonly close: CommandMethod<'user.close'>;
    /** PROF-02: reopen a closed profile, with no access. */
    readonly reopen: CommandMethod<'user.reopen'>;
    /** PROF-03: change a user's personal details. */
    readonly changeDetails: CommandMethod<'user.change-details'>;
    /** PROF-04: change your own contact details. */
    readonly changeOwnContact: CommandMethod<'user.change-own-contact'>;
  };
  /** Positions. */
  readonly positions: {
    /** POS-01/POS-02: create a position. */
    readonly create: CommandMethod<'position.create'>;
    /** POS-04: close a position and end its assignments. */
    readonly close: CommandMethod<'position.close'>;
    /** POS-02: copy a position under a new name. */
    readonly copy: CommandMethod<'position.copy'>;
    /** POS-03: edit a position directly (RAM, RAA(A)). */
    readonly edit: CommandMethod<'position.edit'>;
    /** POS-01: set a sponsor position's assignable list. */
    readonly manageAssignable: CommandMethod<'position.manage-assignable'>;
  };
  /** Requests (REQ-01..REQ-04). */
  readonly requests: {
    /** REQ-01: raise a request (a sponsor's `*` route, a position change or assignment). */
    readonly raise: CommandMethod<'request.raise'>;
    /** REQ-02: open a request for review, locking it to the actor. */
    readonly open: CommandMethod<'request.open'>;
    /** REQ-02: accept a request and carry it out. */
    readonly accept: CommandMethod<'request.accept'>;
    /** REQ-02: reject a request with a reason. */
    readonly reject: CommandMethod<'request.reject'>;
    /** REQ-01: withdraw your own open request. */
    readonly withdraw: CommandMethod<'request.withdraw'>;
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
     * @throws VALIDATION when `records` is not an array; STORE_UNAVAILABLE when the store cannot be reached.
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
    /**
     * Register an iPad, Microsoft Authenticator device or NHS.net Connect account (a record):
     * on your own profile, or (RA) on another's with the user present. Security keys and
     * Windows Hello are registered through {@link RegistrationAuthority.webauthn} (AUTH-03).
     */
    readonly register: CommandMethod<'authenticator.register'>;
    /** Remove one; a WebAuthn authenticator's credential is removed with it. */
    readonly remove: CommandMethod<'authenticator.remove'>;
  };
  /**
   * AUTH-03: the WebAuthn ceremonies: registration of security keys and Windows Hello
   * (stored only once the attestation verifies) and authentication with them.
   */
  readonly webauthn: WebAuthnCeremonies;
  /** Workgroups (WG-01). */
  readonly workgroups: {
    /** Create a workgroup. */
    readonly create: CommandMethod<'workgroup.create'>;
    /** Assign a workgroup directly to a user. */
    readonly assign: CommandMethod<'workgroup.assign'>;
    /** Edit a workgroup assignment's dates. */
    readonly editDates: CommandMethod<'workgroup.edit-dates'>;
    /** Remove a workgroup assignment. */
    readonly remove: CommandMethod<'workgroup.remove'>;
    /** Close a workgroup, confirmed and with its approval. */
    readonly close: CommandMethod<'workgroup.close'>;
  };
  /** Position assignments. */
  readonly assignments: {
    /** Assign a position. */
    readonly assign: CommandMethod<'assignment.assign'>;
    /** ASG-01: edit an assignment's dates. */
    readonly editDates: CommandMethod<'assignment.edit-dates'>;
    /** ASG-04: remove an assignment. */
    readonly remove: CommandMethod<'assignment.remove'>;
    /** Several changes to one profile's assignments, all or nothing (RAM, RAA(A)). */
    readonly manageMultiple: CommandMethod<'assignment.manage-multiple'>;
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

/**
 * Creates the registration authority a host embeds: one use case per activity, each run
 * as parse, load, decide, transition, commit with the audit record (AUD-01), all or
 * nothing. Denials and bad input are audited too, and change nothing else.
 *
 * @throws VALIDATION when the pack is not valid, or card operations are set up (a
 * `certificateAuthority`) over a lasting store without a `keyVault` to keep card secrets in,
 * or a shared `unlockCodes` store is given without its `unlockCodeKey` (AUD-02), or the
 * `webauthn` settings are not a relying party (an RP ID that is not a domain, an origin
 * outside it).
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

  if (options.unlockCodeKey !== undefined && options.unlockCodeKey.length < 32) {
    throw new ValidationError('registration authority options', [
      { field: 'unlockCodeKey', message: 'the unlock code key must be at least 32 bytes (AUD-02)' },
    ]);
  }
  if (options.unlockCodes !== undefined && options.unlockCodeKey === undefined) {
    // A random key per RA would make codes sent by one server fail on every other.
    throw new ValidationError('registration authority options', [
      {
        field: 'unlockCodeKey',
        message:
          'a shared unlockCodes store needs the unlockCodeKey every server uses (32 bytes you keep outside the database, AUD-02)',
      },
    ]);
  }
  const relyingParty =
    options.webauthn === undefined ? undefined : toRelyingParty(options.webauthn);
  const pipeline = createActivityPipeline({ store, pack, clock });

  /** The audited activity of a command input: its type, or `unknown`. */
  const typeOf = (input: unknown) => {
    try {
      const type = (input as { type?: unknown } | null | undefined)?.type;
      return typeof type === 'string' && type.length > 0 ? type : 'unknown';
    } catch {
      return 'unknown'; // a getter or proxy that throws: the schema refuses it next
    }
  };

  function execute(
    actor: string,
    input: unknown,
    options: ExecuteOptions = {},
  ): Promise<CommandResult> {
    const spec = { activity: typeOf(input), schema: commandSchema, actor, input };
    return pipeline.runInTransaction(spec, async (ctx, command) => {
      const outcome = await handlerOf(command)({ ...ctx, progress: options.onProgress }, command);
      return {
        result: outcome.result,
        audit: {
          activity: command.type,
          target: outcome.target,
          decision: outcome.result.decision,
          details: outcome.details ?? {},
          ...(outcome.requestId !== undefined ? { requestId: outcome.requestId } : {}),
        },
      };
    });
  }

  /**
   * The dry run: the command's use case runs to its decision in a transaction that is then
   * rolled back, so the decision is the one `execute` would reach on the same records and
   * nothing is written. Not audited: a front end asks it for every button it draws.
   */
  const check = (actor: string, input: unknown): Promise<Decision> =>
    pipeline.dryRun(
      { activity: typeOf(input), schema: commandSchema, actor, input },
      async (ctx, command) => (await handlerOf(command)(ctx, command)).result.decision,
    );

  async function whatCanFor(
    actorInput: string,
    target: TargetInput = {},
    optionsInput: ActorCapabilityOptions = {},
  ): Promise<readonly Capability[]> {
    const actorUuid = parseWith(uuidSchema, actorInput, 'actor') as Uuid;
    // Shape only (an object, `at` an instant): the policy validates `facts` and `activities`.
    parseWith(capabilityOptionsSchema, optionsInput, 'options');
    const options = optionsInput;
    const at = options.at ?? pipeline.now();
    const actor = await store.transaction((tx) => loadActor(tx, actorUuid, pack));
    return whatCan(actor, target, {
      pack,
      at,
      ...(options.facts !== undefined ? { facts: options.facts } : {}),
      ...(options.activities !== undefined ? { activities: options.activities } : {}),
    });
  }

  async function actorOf(actorInput: string): Promise<ActorInput> {
    const actorUuid = parseWith(uuidSchema, actorInput, 'actor') as Uuid;
    return store.transaction((tx) => loadActor(tx, actorUuid, pack));
  }

  const facade = commandFacade(execute);
  const reader = createReader(pipeline);

  return {
    pack,
    execute: ((actor: string, command: CommandInput, options?: ExecuteOptions) =>
      execute(actor, command, options)) as RegistrationAuthority['execute'],
    check,
    whatCan: whatCanFor,
    actor: actorOf,
    users: facade.users,
    positions: facade.positions,
    requests: {
      ...facade.requests,
      list: (actor, query) => listRequests(pipeline, actor, query),
      receiveFromEsr: (records) => receiveEsrFeed(store, pipeline.now, records),
    },
    batch: {
      preview: (actor, input) =>
        execute(
          actor,
          typedCommand(input, { type: 'batch.assignments', dryRun: true }) as CommandInput,
        ) as Promise<BatchResult>,
      apply: (actor, input, options) =>
        execute(
          actor,
          typedCommand(input, { type: 'batch.assignments', dryRun: false }) as CommandInput,
          options,
        ) as Promise<BatchResult>,
    },
    authenticators: facade.authenticators,
    webauthn: createWebAuthnCeremonies(pipeline, relyingParty),
    workgroups: facade.workgroups,
    assignments: facade.assignments,
    async accessOn(uuid, date) {
      const user = parseWith(uuidSchema, uuid, 'uuid') as Uuid;
      const on = parseWith(isoDateSchema, date, 'date') as IsoDate;
      return store.transaction((tx) => accessOn(tx, user, on, pack));
    },
    queries: createQueries(reader),
    reports: createReports(reader),
    smartcards: createSmartcardOperations({
      pipeline,
      certificateAuthority: options.certificateAuthority,
      keyVault: options.keyVault ?? aesGcmKeyVault({ key: randomBytes(32) }),
      notifier: options.notifier,
      upnDomain: options.upnDomain ?? 'nhs.net',
      unlockCodes: options.unlockCodes,
      unlockCodeKey: options.unlockCodeKey ?? randomBytes(32),
      chuidSigner: options.chuidSigner,
    }),
  };
}
