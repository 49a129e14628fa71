import { readFileSync } from 'node:fs';
import {
  type CardReader,
  cancelReasons,
  PolicyDeniedError,
  type ReconcileResult,
  type RegistrationAuthority,
  type SmartcardResult,
  ValidationError,
} from '../index.js';
import type { FlagSpecs, Flags } from './args.js';
import type { CliContext, Command } from './command.js';
import {
  assertActor,
  createWorkspaceCa,
  DEFAULT_CA_SETTINGS,
  DIR_FLAGS,
  hasCa,
  openStore,
  openWorkspaceCa,
  STORE_FLAGS,
  upgradeLegacyCa,
  VAULT_NOTES,
  vaultKeyFrom,
  workspaceChuidSigner,
  workspaceDirs,
  workspaceRa,
  workspaceVault,
} from './workspace.js';

const ACTOR: FlagSpecs = {
  actor: { type: 'string', required: true, value: 'UUID', help: 'the RA agent at the desk' },
};
const READER: FlagSpecs = {
  reader: {
    type: 'string',
    value: 'NAME',
    help: 'the PC/SC reader (a part of its name); default the first with a card',
  },
};
/** Accepted so one set of desk flags fits every command, but a card is not needed. */
const NO_READER: FlagSpecs = {
  reader: { type: 'string', value: 'NAME', help: 'not used: this command needs no card' },
};
const PRESENT: FlagSpecs = {
  'user-present': {
    type: 'boolean',
    help: 'the holder is at the desk with their identity checked (CARD-03)',
  },
};
const PHOTO = (required: boolean): FlagSpecs => ({
  photo: {
    type: 'string',
    required,
    value: 'FILE',
    help: 'the facial image for the card record (CARD-11)',
  },
});
const SERIAL_REASON = (reasons: readonly string[]): FlagSpecs => ({
  serial: { type: 'string', required: true, value: 'SERIAL', help: 'the card serial' },
  reason: { type: 'string', required: true, value: reasons.join('|'), help: 'why' },
});

/** Prints a smartcard result: the card, the certificate, revocations and the decision. */
function summary(result: SmartcardResult | ReconcileResult): string[] {
  if (!('card' in result)) return reconciled(result);
  const lines = [
    `card ${result.card.serial}: ${result.card.status}${result.card.holder ? `, holder ${result.card.holder}` : ''} (${result.apdus} APDUs)`,
  ];
  if (result.certificate) {
    lines.push(
      `certificate ${result.certificate.serial}, valid until ${result.certificate.notAfter}`,
    );
  }
  if (result.revoked.length > 0) lines.push(`revoked: ${result.revoked.join(', ')}`);
  lines.push(`decision: ${result.decision.reasons.map((r) => `${r.rule} ${r.code}`).join('; ')}`);
  return lines;
}

/** Prints what a reconcile revoked and which cards it left for the desk. */
function reconciled(result: ReconcileResult): string[] {
  const lines = [
    result.revoked.length === 0
      ? 'reconciled: every active certificate is on an issued or locked card'
      : `reconciled: revoked ${result.revoked.join(', ')}`,
  ];
  for (const serial of result.cards) {
    lines.push(
      `card ${serial} was left mid-operation: with the card in the reader, run the operation again (or repair or clear it)`,
    );
  }
  return lines;
}

/**
 * A reader that opens the PC/SC stack only when the RA first asks for the card, so a
 * refusal decided before needs no pcscd; `close` releases the context once done.
 */
function desktopReader(
  ctx: CliContext,
  name: string | undefined,
): { reader: CardReader; close: () => void } {
  if (ctx.connect !== undefined) {
    const connect = ctx.connect;
    return {
      reader: { name: name ?? 'test reader', connect: () => connect(name) },
      close: () => {},
    };
  }
  let close = () => {};
  const reader: CardReader = {
    name: name ?? 'the first reader',
    async connect() {
      const { PcscContext } = await import('../card/pcsc/index.js');
      const pcsc = await PcscContext.open();
      close = () => pcsc.close();
      return pcsc.connect(name === undefined ? {} : { reader: name });
    },
  };
  return { reader, close: () => close() };
}

type Operation = (
  ra: RegistrationAuthority,
  actor: string,
  flags: Flags,
  ctx: CliContext,
  reader: CardReader,
) => Promise<SmartcardResult | ReconcileResult>;

const photoOf = (flags: Flags): string => {
  const file = flags.string('photo');
  if (file === undefined) {
    throw new ValidationError('careid card', [
      { field: '--photo', message: '--photo FILE is required (CARD-11)' },
    ]);
  }
  return readFileSync(file).toString('base64');
};
const progress = (ctx: CliContext) => ({
  progress: (step: string) => ctx.io.out(`... ${step}`),
});

function lifecycleCommand(
  name: string,
  synopsis: string,
  summaryText: string,
  flags: FlagSpecs,
  needsReader: boolean,
  operation: Operation,
): Command {
  return {
    name: `card ${name}`,
    synopsis: `--store URL --actor UUID ${synopsis}`.trim(),
    summary: summaryText,
    flags: {
      ...STORE_FLAGS,
      ...DIR_FLAGS,
      ...ACTOR,
      ...flags,
      ...(needsReader ? READER : NO_READER),
    },
    notes: [
      ...(needsReader
        ? ['Passcodes are read from standard input (not echoed on a terminal).']
        : []),
      ...VAULT_NOTES,
    ],
    async run(f, ctx) {
      const vaultKey = ctx.vaultKey ?? vaultKeyFrom(ctx.env);
      const dirs = workspaceDirs(f);
      const actor = f.required('actor');
      const store = await openStore(f);
      const { reader, close } = desktopReader(ctx, f.string('reader'));
      try {
        await assertActor(store, actor);
        const now = ctx.clock();
        let ca: Awaited<ReturnType<typeof openWorkspaceCa>>;
        if (upgradeLegacyCa(dirs, vaultKey)) {
          ctx.io.out(
            `sealed the CA keys of an earlier careid in ${dirs.caDir} (plain JWK files removed)`,
          );
        }
        if (hasCa(dirs)) {
          ca = await openWorkspaceCa(store, dirs, vaultKey, now);
        } else {
          ca = await createWorkspaceCa(store, dirs, vaultKey, DEFAULT_CA_SETTINGS, now);
          ctx.io.out(
            `no CA was set up (careid init); created one with the default names in ${dirs.caDir}`,
          );
        }
        // CHUIDs are signed (SP 800-73-4) so PIV relying parties that check them accept the card.
        const chuidSigner = await workspaceChuidSigner(store, dirs, vaultKey, ca, now);
        const ra = workspaceRa(store, ca, workspaceVault(dirs, vaultKey), ctx.clock, chuidSigner);
        const result = await operation(ra, actor, f, ctx, reader);
        for (const line of summary(result)) ctx.io.out(line);
        return 0;
      } catch (error) {
        if (error instanceof PolicyDeniedError) {
          ctx.io.err(`careid card ${name}: refused`);
          for (const r of error.decision.reasons) ctx.io.err(`  ${r.rule} ${r.code}: ${r.message}`);
          return 1;
        }
        throw error;
      } finally {
        close();
        await store.close();
      }
    },
  };
}

const replaceReasons = cancelReasons.filter((r) => r !== 'replaced');

/**
 * The smartcard lifecycle at a desk: stock, issue, unlock, renew, repair, clear, cancel,
 * replace; and reconcile, the recovery step after a crash.
 */
export const lifecycleCommands: readonly Command[] = [
  lifecycleCommand(
    'stock',
    '[--reader NAME]',
    'Takes the blank card in the reader into stock (CARD-01).',
    {},
    true,
    (ra, actor, _f, _ctx, reader) => ra.smartcards.stock(actor, {}, reader),
  ),
  lifecycleCommand(
    'issue',
    '--user UUID --photo FILE [--user-present] [--reader NAME]',
    'Issues the stocked card in the reader to a user: key on the card, certificate, passcode typed by the holder.',
    {
      user: { type: 'string', required: true, value: 'UUID', help: 'the holder' },
      ...PHOTO(true),
      ...PRESENT,
    },
    true,
    async (ra, actor, f, ctx, reader) => {
      const photo = photoOf(f);
      const passcode = await ctx.readSecret('the holder types their new passcode (6 to 8 digits)');
      return ra.smartcards.issue(
        actor,
        { user: f.required('user'), passcode, photo, userPresent: f.boolean('user-present') },
        reader,
        progress(ctx),
      );
    },
  ),
  lifecycleCommand(
    'unlock',
    '[--user-present] [--reader NAME]',
    'Unlocks the card in the reader with its PUK from the vault; the holder types a new passcode.',
    { ...PRESENT },
    true,
    async (ra, actor, f, ctx, reader) => {
      const newPasscode = await ctx.readSecret('the holder types their new passcode');
      return ra.smartcards.unlock(
        actor,
        { newPasscode, userPresent: f.boolean('user-present') },
        reader,
      );
    },
  ),
  lifecycleCommand(
    'renew',
    '[--user-present] [--reader NAME]',
    'Renews the certificate of the card in the reader: a new key on the card (CARD-05).',
    { ...PRESENT },
    true,
    async (ra, actor, f, ctx, reader) => {
      const passcode = await ctx.readSecret('the holder types their passcode');
      return ra.smartcards.renew(
        actor,
        { passcode, userPresent: f.boolean('user-present') },
        reader,
        progress(ctx),
      );
    },
  ),
  lifecycleCommand(
    'repair',
    '--photo FILE [--user-present] [--reader NAME]',
    'Repairs the card in the reader: new key, certificate and passcode.',
    { ...PHOTO(true), ...PRESENT },
    true,
    async (ra, actor, f, ctx, reader) => {
      const photo = photoOf(f);
      const passcode = await ctx.readSecret('the holder types their new passcode');
      return ra.smartcards.repair(
        actor,
        { passcode, photo, userPresent: f.boolean('user-present') },
        reader,
        progress(ctx),
      );
    },
  ),
  lifecycleCommand(
    'clear',
    '[--reader NAME]',
    'Clears the card in the reader back to stock.',
    {},
    true,
    (ra, actor, _f, _ctx, reader) => ra.smartcards.clear(actor, {}, reader),
  ),
  lifecycleCommand(
    'cancel',
    `--serial SERIAL --reason ${cancelReasons.join('|')}`,
    'Cancels a card by serial and revokes its certificates (CARD-10). Needs no reader: a lost card is cancelled from the store.',
    { ...SERIAL_REASON(cancelReasons) },
    false,
    (ra, actor, f) =>
      ra.smartcards.cancel(actor, {
        serial: f.required('serial'),
        reason: f.required('reason') as never,
      }),
  ),
  lifecycleCommand(
    'replace',
    `--serial OLD --reason ${replaceReasons.join('|')} --photo FILE [--reader NAME]`,
    'Cancels the old card and issues the blank card in the reader in its place (CARD-10).',
    { ...SERIAL_REASON(replaceReasons), ...PHOTO(true) },
    true,
    (ra, actor, f, ctx, reader) =>
      ra.smartcards.replace(
        actor,
        { serial: f.required('serial'), reason: f.required('reason') as never, photo: photoOf(f) },
        reader,
        progress(ctx),
      ),
  ),
  lifecycleCommand(
    'reconcile',
    '[--older-than MINUTES]',
    'The recovery step after a crash: revokes every certificate that may not be on a usable card (one a killed command left behind) and names the cards to run the operation on again. Run it when a desk command was killed, and on a schedule when several desks share the store.',
    {
      'older-than': {
        type: 'string',
        value: 'MINUTES',
        help: 'leave operations begun less than this long ago (default 15; 0 when no other desk or server is running a card command)',
      },
    },
    false,
    (ra, actor, f) => {
      const olderThan = f.string('older-than');
      return ra.smartcards.reconcile(
        actor,
        olderThan === undefined ? {} : { olderThanMinutes: Number(olderThan) },
      );
    },
  ),
];
