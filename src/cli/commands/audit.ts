import {
  type AuditCheckpoint,
  type AuditRecord,
  type Store,
  ValidationError,
  verifyAudit,
} from '../../index.js';
import { fileCheckpointSink } from '../../storage/file/index.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { openStore, STORE_FLAGS } from '../workspace.js';

/**
 * The store as `verifyAudit` reads it, reporting each audit record read: the walk's
 * progress, seen from outside through the public port.
 */
function watchedStore(store: Store, seen: (record: AuditRecord) => void): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== 'transaction') return Reflect.get(target, prop, receiver);
      return <T>(fn: (tx: Parameters<Parameters<Store['transaction']>[0]>[0]) => Promise<T> | T) =>
        target.transaction((tx) => {
          const audit = {
            append: tx.audit.append.bind(tx.audit),
            head: tx.audit.head.bind(tx.audit),
            read: async (page?: Parameters<typeof tx.audit.read>[0]) => {
              const result = await tx.audit.read(page);
              for (const record of result.items) seen(record);
              return result;
            },
          };
          return fn(
            new Proxy(tx, { get: (t, p, r) => (p === 'audit' ? audit : Reflect.get(t, p, r)) }),
          );
        });
    },
  });
}

/** `--anchor SEQ:HASH`: a head recorded earlier, outside the store. */
function anchorsOf(values: readonly string[]): Map<number, string> {
  const anchors = new Map<number, string>();
  for (const value of values) {
    const match = /^(\d+):([0-9a-f]{64})$/.exec(value);
    if (match === null) {
      throw new UsageError(
        `careid audit verify: --anchor takes SEQ:HASH (a head printed by an earlier run), not '${value}'`,
      );
    }
    anchors.set(Number(match[1]), match[2] as string);
  }
  return anchors;
}

/** The environment variable holding the AUD-03 checkpoint key (base64, 32 bytes or more). */
const AUDIT_KEY_ENV = 'CAREID_AUDIT_KEY';

/** `--checkpoints FILE`: AUD-03 checkpoints a `fileCheckpointSink` wrote, and their MAC key. */
async function checkpointsOf(
  files: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ checkpoints: readonly AuditCheckpoint[]; key: Uint8Array } | undefined> {
  if (files.length === 0) return undefined;
  const text = env[AUDIT_KEY_ENV];
  const key = text === undefined ? undefined : new Uint8Array(Buffer.from(text, 'base64'));
  if (key === undefined || key.length < 32) {
    throw new ValidationError('careid audit verify', [
      {
        field: AUDIT_KEY_ENV,
        message: `--checkpoints needs ${AUDIT_KEY_ENV}: the base64 key (32 bytes or more) that MACed them`,
      },
    ]);
  }
  const checkpoints: AuditCheckpoint[] = [];
  for (const file of files) checkpoints.push(...(await fileCheckpointSink(file).read()));
  return { checkpoints, key };
}

/** `careid audit verify`: walks the audit chain (AUD-01) and names the first broken link. */
export const auditVerifyCommand: Command = {
  name: 'audit verify',
  synopsis: '--store URL [--anchor SEQ:HASH ...] [--checkpoints FILE ...]',
  summary:
    'Walks the audit chain from the first record to the head (AUD-01), showing progress, and names the first broken or missing link. Exit 0 intact, 1 broken.',
  flags: {
    ...STORE_FLAGS,
    anchor: {
      type: 'string',
      multiple: true,
      value: 'SEQ:HASH',
      help: 'a head printed by an earlier run and kept outside the store: the record must still have this hash',
    },
    checkpoints: {
      type: 'string',
      multiple: true,
      value: 'FILE',
      help: 'AUD-03 checkpoints written by withAuditCheckpoints to a fileCheckpointSink (needs CAREID_AUDIT_KEY)',
    },
  },
  notes: [
    'Keep the printed head (SEQ:HASH) somewhere the store cannot change; pass it as --anchor later.',
    `With --checkpoints, ${AUDIT_KEY_ENV} (base64) is the key that MACed them: a deleted tail or log, a rewritten and rehashed chain and a forged checkpoint are named.`,
  ],
  async run(flags, ctx) {
    const anchors = anchorsOf(flags.list('anchor'));
    const anchoredBy = await checkpointsOf(flags.list('checkpoints'), ctx.env);
    const store = await openStore(flags);
    try {
      const head = await store.transaction((tx) => tx.audit.head());
      ctx.io.err(`careid audit verify: ${head.seq} records to check`);
      let read = 0;
      let anchorBroken: string | undefined;
      const checked = new Set<number>();
      const step = Math.max(1000, Math.ceil(head.seq / 20));
      const result = await verifyAudit(
        watchedStore(store, (record) => {
          read += 1;
          if (read % step === 0) ctx.io.err(`careid audit verify: ${read}/${head.seq}`);
          const anchor = anchors.get(record.seq);
          if (anchor !== undefined) {
            checked.add(record.seq);
            if (anchor !== record.hash && anchorBroken === undefined) {
              anchorBroken = `record ${record.seq} no longer has the anchored hash ${anchor}`;
            }
          }
        }),
        anchoredBy ?? {},
      );
      if (!result.ok) {
        ctx.io.out(
          `audit chain BROKEN at record ${result.seq} (${result.reason}): ${result.message}`,
        );
        ctx.io.out(`${result.count} records verified before the break`);
        return 1;
      }
      for (const seq of anchors.keys()) {
        if (!checked.has(seq) && anchorBroken === undefined) {
          anchorBroken = `anchored record ${seq} is beyond the head (${result.count}): the log was cut`;
        }
      }
      if (anchorBroken !== undefined) {
        ctx.io.out(`audit chain BROKEN: ${anchorBroken}`);
        return 1;
      }
      ctx.io.out(`audit chain intact: ${result.count} records`);
      if (anchors.size > 0) ctx.io.out(`anchors matched: ${anchors.size}`);
      if (anchoredBy !== undefined) {
        ctx.io.out(`checkpoints matched: ${anchoredBy.checkpoints.length}`);
      }
      ctx.io.out(`head ${result.head.seq}:${result.head.hash}`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
