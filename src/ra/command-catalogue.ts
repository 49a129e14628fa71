import { z } from 'zod';
import type { ActivityId } from '../policy/matrix.js';
import { typedCommand } from './command-input.js';
import {
  acceptRequestCommandSchema,
  assignPositionCommandSchema,
  assignWorkgroupCommandSchema,
  batchAssignmentsCommandSchema,
  changeDetailsCommandSchema,
  changeOwnContactCommandSchema,
  closePositionCommandSchema,
  closeUserCommandSchema,
  closeWorkgroupCommandSchema,
  copyPositionCommandSchema,
  createPositionCommandSchema,
  createUserCommandSchema,
  createWorkgroupCommandSchema,
  editAssignmentDatesCommandSchema,
  editPositionCommandSchema,
  editWorkgroupDatesCommandSchema,
  manageMultipleAssignmentsCommandSchema,
  openRequestCommandSchema,
  raiseRequestCommandSchema,
  registerAuthenticatorCommandSchema,
  rejectRequestCommandSchema,
  removeAssignmentCommandSchema,
  removeAuthenticatorCommandSchema,
  removeWorkgroupAssignmentCommandSchema,
  reopenUserCommandSchema,
  setAssignableCommandSchema,
  withdrawRequestCommandSchema,
} from './commands.js';
import type { CommandResult, UseCaseContext, UseCaseOutcome } from './use-case.js';
import {
  assignPosition,
  editDates,
  manageMultipleAssignments,
  removePositionAssignment,
} from './use-cases/assignments.js';
import {
  managedActivity,
  registerAuthenticator,
  removeAuthenticator,
  selfActivity,
} from './use-cases/authenticators.js';
import { batchAssignments } from './use-cases/batch.js';
import { createUser } from './use-cases/create-user.js';
import {
  closePosition,
  copyPosition,
  createPosition,
  editPosition,
  manageAssignable,
} from './use-cases/positions.js';
import { changeDetails, changeOwnContact, closeUser, reopenUser } from './use-cases/profiles.js';
import {
  acceptRequest,
  openRequest,
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
} from './use-cases/workgroups.js';

/*
 * Every command of the RA, declared once: its schema, the policy activities it decides,
 * its use case and its typed facade method. The command union (`commandSchema`, `Command`,
 * `CommandInput`, `CommandType`), the results map (`CommandResults`), the handler lookup
 * and the typed facade (`ra.users.create`, ...) are all derived from this table.
 *
 * A new command touches at most four places:
 *   1. its schema, in commands.ts;
 *   2. its use case (the handler), in use-cases/;
 *   3. one entry in `commandCatalogue` below;
 *   4. its facade method's line and TSDoc in the RegistrationAuthority interface (typed
 *      `CommandMethod<'its.type'>`: wired to another command, it does not compile).
 */

/** The groups of the RA's typed command methods (`ra.users`, `ra.positions`, ...). */
export type FacadeGroup =
  | 'users'
  | 'positions'
  | 'requests'
  | 'authenticators'
  | 'workgroups'
  | 'assignments';

/** One command, declared once. */
export interface CommandDeclaration<S extends z.ZodType, R extends CommandResult> {
  /** The command's schema; its `type` literal is the command's name. */
  readonly schema: S;
  /**
   * The policy activities its use case decides (the first is its own); where one of
   * several applies, the command's content chooses (a request's kind, an authenticator's).
   */
  readonly activities: readonly [ActivityId, ...ActivityId[]];
  /** The use case: decides with `ctx.authorize` and transitions, in the command's transaction. */
  readonly handler: (ctx: UseCaseContext, command: z.output<S>) => Promise<UseCaseOutcome<R>>;
  /** The typed method that runs it (`['users', 'create']` is `ra.users.create`); none for `execute` only. */
  readonly facade?: readonly [FacadeGroup, string];
}

/** Declares a command, inferring its schema, result and facade method (kept literal). */
function declare<
  S extends z.ZodType,
  R extends CommandResult,
  const F extends readonly [FacadeGroup, string] | undefined = undefined,
>(
  declaration: Omit<CommandDeclaration<S, R>, 'facade'> & { readonly facade?: F },
): CommandDeclaration<S, R> & { readonly facade: F } {
  return declaration as CommandDeclaration<S, R> & { readonly facade: F };
}

const byRequestKind = [
  'user.create',
  'user.change-details',
  'user.close',
  'user.reopen',
  'position.edit',
  'assignment.assign',
  'request.decide-esr-create',
  'request.decide-esr-modify',
] as const satisfies readonly ActivityId[];
const authenticatorActivities = [
  ...Object.values(selfActivity),
  ...Object.values(managedActivity),
] as [ActivityId, ...ActivityId[]];

/** Every command the RA runs, by type (see the comment at the top of this file). */
export const commandCatalogue = {
  'user.create': declare({
    schema: createUserCommandSchema,
    activities: ['user.create'],
    handler: createUser,
    facade: ['users', 'create'],
  }),
  'assignment.assign': declare({
    schema: assignPositionCommandSchema,
    activities: ['assignment.assign'],
    handler: assignPosition,
    facade: ['assignments', 'assign'],
  }),
  'assignment.edit-dates': declare({
    schema: editAssignmentDatesCommandSchema,
    activities: ['assignment.edit-dates'],
    handler: editDates,
    facade: ['assignments', 'editDates'],
  }),
  'assignment.remove': declare({
    schema: removeAssignmentCommandSchema,
    activities: ['assignment.remove'],
    handler: removePositionAssignment,
    facade: ['assignments', 'remove'],
  }),
  'user.close': declare({
    schema: closeUserCommandSchema,
    activities: ['user.close'],
    handler: closeUser,
    facade: ['users', 'close'],
  }),
  'user.change-details': declare({
    schema: changeDetailsCommandSchema,
    activities: ['user.change-details'],
    handler: changeDetails,
    facade: ['users', 'changeDetails'],
  }),
  'user.reopen': declare({
    schema: reopenUserCommandSchema,
    activities: ['user.reopen'],
    handler: reopenUser,
    facade: ['users', 'reopen'],
  }),
  'user.change-own-contact': declare({
    schema: changeOwnContactCommandSchema,
    activities: ['user.change-own-contact'],
    handler: changeOwnContact,
    facade: ['users', 'changeOwnContact'],
  }),
  'position.create': declare({
    schema: createPositionCommandSchema,
    activities: ['position.create'],
    handler: createPosition,
    facade: ['positions', 'create'],
  }),
  'position.close': declare({
    schema: closePositionCommandSchema,
    activities: ['position.close'],
    handler: closePosition,
    facade: ['positions', 'close'],
  }),
  'workgroup.create': declare({
    schema: createWorkgroupCommandSchema,
    activities: ['workgroup.create'],
    handler: createWorkgroup,
    facade: ['workgroups', 'create'],
  }),
  'workgroup.assign': declare({
    schema: assignWorkgroupCommandSchema,
    activities: ['workgroup.assign'],
    handler: assignWorkgroup,
    facade: ['workgroups', 'assign'],
  }),
  'workgroup.edit-dates': declare({
    schema: editWorkgroupDatesCommandSchema,
    activities: ['workgroup.edit-dates'],
    handler: editWorkgroupDates,
    facade: ['workgroups', 'editDates'],
  }),
  'workgroup.remove': declare({
    schema: removeWorkgroupAssignmentCommandSchema,
    activities: ['workgroup.remove'],
    handler: removeWorkgroupAssignment,
    facade: ['workgroups', 'remove'],
  }),
  'workgroup.close': declare({
    schema: closeWorkgroupCommandSchema,
    activities: ['workgroup.close'],
    handler: closeWorkgroup,
    facade: ['workgroups', 'close'],
  }),
  'authenticator.register': declare({
    schema: registerAuthenticatorCommandSchema,
    activities: authenticatorActivities,
    handler: registerAuthenticator,
    facade: ['authenticators', 'register'],
  }),
  'authenticator.remove': declare({
    schema: removeAuthenticatorCommandSchema,
    activities: authenticatorActivities,
    handler: removeAuthenticator,
    facade: ['authenticators', 'remove'],
  }),
  'position.copy': declare({
    schema: copyPositionCommandSchema,
    activities: ['position.copy'],
    handler: copyPosition,
    facade: ['positions', 'copy'],
  }),
  'position.edit': declare({
    schema: editPositionCommandSchema,
    activities: ['position.edit'],
    handler: editPosition,
    facade: ['positions', 'edit'],
  }),
  'position.manage-assignable': declare({
    schema: setAssignableCommandSchema,
    activities: ['position.manage-assignable'],
    handler: manageAssignable,
    facade: ['positions', 'manageAssignable'],
  }),
  'request.raise': declare({
    schema: raiseRequestCommandSchema,
    activities: byRequestKind,
    handler: raiseRequest,
    facade: ['requests', 'raise'],
  }),
  'request.open': declare({
    schema: openRequestCommandSchema,
    activities: byRequestKind,
    handler: openRequest,
    facade: ['requests', 'open'],
  }),
  'request.accept': declare({
    schema: acceptRequestCommandSchema,
    activities: byRequestKind,
    handler: acceptRequest,
    facade: ['requests', 'accept'],
  }),
  'request.reject': declare({
    schema: rejectRequestCommandSchema,
    activities: byRequestKind,
    handler: rejectRequest,
    facade: ['requests', 'reject'],
  }),
  'request.withdraw': declare({
    schema: withdrawRequestCommandSchema,
    activities: ['request.overview'],
    handler: withdrawRequest,
    facade: ['requests', 'withdraw'],
  }),
  // BATCH-01: run by ra.batch.preview and ra.batch.apply, which set dryRun.
  'batch.assignments': declare({
    schema: batchAssignmentsCommandSchema,
    activities: ['batch.manage-assignments'],
    handler: batchAssignments,
  }),
  'assignment.manage-multiple': declare({
    schema: manageMultipleAssignmentsCommandSchema,
    activities: ['assignment.manage-multiple'],
    handler: manageMultipleAssignments,
    facade: ['assignments', 'manageMultiple'],
  }),
} as const;

/** The catalogue's type: what `CommandType`, `CommandResults` and the facade are derived from. */
type Catalogue = typeof commandCatalogue;
type SchemaOf<T extends keyof Catalogue> = Catalogue[T]['schema'];

/** A key whose schema's `type` literal is another name: none, or this stops compiling. */
type MisnamedCommand = {
  [T in keyof Catalogue]: z.output<SchemaOf<T>>['type'] extends T ? never : T;
}[keyof Catalogue];
const everyKeyIsItsType: [MisnamedCommand] extends [never] ? true : MisnamedCommand = true;
void everyKeyIsItsType;

/** Every command the RegistrationAuthority executes, as plain JSON (derived from the catalogue). */
export const commandSchema = z.discriminatedUnion(
  'type',
  Object.values(commandCatalogue).map((d) => d.schema) as unknown as [
    SchemaOf<keyof Catalogue>,
    ...SchemaOf<keyof Catalogue>[],
  ],
);

/** A command as a front end sends it. */
export type CommandInput = z.input<typeof commandSchema>;
/** A validated command. */
export type Command = z.output<typeof commandSchema>;
/** The type names of the commands. */
export type CommandType = keyof Catalogue;

/** The result type of each command. */
export type CommandResults = {
  [T in CommandType]: Catalogue[T] extends CommandDeclaration<z.ZodType, infer R> ? R : never;
};

/** The command of a type, as a front end sends it, without its `type`. */
export type CommandPayload<T extends CommandType> = Omit<
  Extract<CommandInput, { type: T }>,
  'type'
>;

/**
 * The typed method that runs one command: `ra.users.close` is a `CommandMethod<'user.close'>`.
 * `command` names the command it runs, so a method wired to another command does not
 * compile, even when both take and return the same shapes.
 */
export interface CommandMethod<T extends CommandType> {
  (actor: string, input: CommandPayload<T>): Promise<CommandResults[T]>;
  /** The command this method runs. */
  readonly command?: T;
}

/** How a command is executed: the RA's `execute`, with the command's JSON. */
export type ExecuteCommand = (actor: string, command: unknown) => Promise<CommandResult>;

/**
 * The typed method of one command over `execute`.
 *
 * @example
 * ```ts
 * const close = commandMethod('user.close', execute);
 * ```
 */
export function commandMethod<T extends CommandType>(
  type: T,
  execute: ExecuteCommand,
): CommandMethod<T> {
  const method = (actor: string, input: CommandPayload<T>) =>
    execute(actor, typedCommand(input, { type })) as Promise<CommandResults[T]>;
  return Object.assign(method, { command: type });
}

/** The typed facade the catalogue declares: each group's methods, each a `CommandMethod`. */
export type CommandFacade = {
  [G in FacadeGroup]: {
    [T in CommandType as Catalogue[T] extends {
      readonly facade: readonly [G, infer M extends string];
    }
      ? M
      : never]: CommandMethod<T>;
  };
};

/**
 * Builds the typed facade from the catalogue: one `CommandMethod` per declared method.
 *
 * @example
 * ```ts
 * const facade = commandFacade(execute); // facade.users.create(actor, payload)
 * ```
 */
export function commandFacade(execute: ExecuteCommand): CommandFacade {
  const facade: Record<string, Record<string, unknown>> = {
    users: {},
    positions: {},
    requests: {},
    authenticators: {},
    workgroups: {},
    assignments: {},
  };
  for (const [type, declaration] of Object.entries(commandCatalogue)) {
    const route = (declaration as CommandDeclaration<z.ZodType, CommandResult>).facade;
    if (route === undefined) continue;
    const group = facade[route[0]] as Record<string, unknown>;
    group[route[1]] = commandMethod(type as CommandType, execute);
  }
  return facade as CommandFacade;
}

/**
 * The use case of a command: the catalogue's handler, typed for the whole union.
 *
 * @example
 * ```ts
 * const outcome = await handlerOf(command)(ctx, command);
 * ```
 */
export function handlerOf(
  command: Command,
): (ctx: UseCaseContext, command: Command) => Promise<UseCaseOutcome<CommandResult>> {
  return commandCatalogue[command.type].handler as (
    ctx: UseCaseContext,
    command: Command,
  ) => Promise<UseCaseOutcome<CommandResult>>;
}
