import { type IsoDateTime, seed } from '../../index.js';
import type { Command } from '../command.js';
import { openStore, STORE_FLAGS } from '../workspace.js';
import { readSeedFile } from './seed-file.js';

/** `careid seed`: organisations, positions, users and assignments from a JSON file, all or nothing. */
export const seedCommand: Command = {
  name: 'seed',
  synopsis: '--store URL FILE',
  summary:
    'Loads organisations, positions, users and their assignments from a JSON seed file (docs/seed-file.md) in one transaction: every record is checked first, and nothing is written unless all of it is.',
  flags: { ...STORE_FLAGS },
  positionals: { min: 1, max: 1, name: 'FILE' },
  async run(flags, ctx) {
    const [path] = flags.positionals as [string];
    const at = ctx.clock().toISOString() as IsoDateTime;
    const store = await openStore(flags);
    try {
      const { by, data } = await readSeedFile(path, at, (id) =>
        store.transaction((tx) => tx.positions.get(id as never)),
      );
      await seed(store, data, { at, by });
      const count = (list: readonly unknown[] | undefined) => list?.length ?? 0;
      ctx.io.out(
        `seeded ${count(data.organisations)} organisations, ${count(data.positions)} positions, ${count(data.users)} users, ${count(data.assignments)} assignments`,
      );
      return 0;
    } finally {
      await store.close();
    }
  },
};
