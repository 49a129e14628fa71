import { describe, expect, expectTypeOf, it } from 'vitest';
import { activityIds } from '../../src/policy/index.js';
import {
  type CommandFacade,
  type CommandMethod,
  commandCatalogue,
  commandFacade,
  commandMethod,
  commandSchema,
  type ExecuteCommand,
} from '../../src/ra/command-catalogue.js';
import type {
  CommandResults,
  CommandType,
  RegistrationAuthority,
  WorkgroupResult,
} from '../../src/ra/index.js';

const execute: ExecuteCommand = async (_actor, command) => ({
  type: (command as { type: string }).type,
  changed: [],
  decision: {} as never,
});

describe('commands declared once (issue 12)', () => {
  it('the command union is the catalogue: every declared schema parses its own type, and nothing else is a command', () => {
    const types = Object.keys(commandCatalogue);
    expect(types).toHaveLength(27);
    const options = (commandSchema as unknown as { options: unknown[] }).options;
    expect(options).toHaveLength(types.length);
    for (const [type, declaration] of Object.entries(commandCatalogue)) {
      // The key is the schema's literal: an input of another type never parses.
      expect(declaration.schema.safeParse({ type: `${type}x` }).success).toBe(false);
      for (const activity of declaration.activities) expect(activityIds).toContain(activity);
    }
  });

  it('the typed facade is derived from the declarations: each method runs its own command', async () => {
    const facade = commandFacade(execute);
    const wired: [unknown, string][] = [];
    for (const [type, declaration] of Object.entries(commandCatalogue)) {
      if (!('facade' in declaration) || declaration.facade === undefined) continue;
      const [group, method] = declaration.facade as [keyof CommandFacade, string];
      const fn = (facade[group] as Record<string, CommandMethod<CommandType>>)[method];
      expect(fn?.command).toBe(type);
      wired.push([await fn?.('555000000001', {} as never), type]);
    }
    expect(wired).toHaveLength(26);
    for (const [result, type] of wired) expect(result).toMatchObject({ type });
  });

  it('types: the facade and results map are the declarations', () => {
    expectTypeOf<CommandResults['workgroup.close']>().toEqualTypeOf<WorkgroupResult>();
    expectTypeOf<CommandFacade['workgroups']['close']>().toEqualTypeOf<
      CommandMethod<'workgroup.close'>
    >();
    expectTypeOf<CommandFacade['users']>().toExtend<RegistrationAuthority['users']>();
    expectTypeOf<RegistrationAuthority['users']['close']>().toEqualTypeOf<
      CommandMethod<'user.close'>
    >();
  });

  it('types: a mis-wired facade method does not compile (tsc checks this file)', () => {
    const workgroups: RegistrationAuthority['workgroups'] = {
      create: commandMethod('workgroup.create', execute),
      assign: commandMethod('workgroup.assign', execute),
      editDates: commandMethod('workgroup.edit-dates', execute),
      remove: commandMethod('workgroup.remove', execute),
      // @ts-expect-error close runs workgroup.close, not workgroup.remove
      close: commandMethod('workgroup.remove', execute),
    };
    const users: Pick<RegistrationAuthority['users'], 'close' | 'reopen'> = {
      // @ts-expect-error same payload and result shapes, but another command: refused
      close: commandMethod('user.reopen', execute),
      reopen: commandMethod('user.reopen', execute),
    };
    expect(workgroups.close.command).toBe('workgroup.remove');
    expect(users.close.command).toBe('user.reopen');
  });
});
