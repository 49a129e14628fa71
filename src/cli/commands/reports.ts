import { CSV_LINE_END, createRegistrationAuthority, type ReportId } from '../../index.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { assertActor, openStore, STORE_FLAGS } from '../workspace.js';

const ACTOR = {
  type: 'string',
  required: true,
  value: 'UUID',
  help: 'who asks: the reports they may see, over their scope',
} as const;

/** `name=value` filters; whole numbers become numbers (`days=30`). */
function filtersOf(pairs: readonly string[]): Record<string, string | number> {
  const filters: Record<string, string | number> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      throw new UsageError(`careid reports export: --filter takes NAME=VALUE, not '${pair}'`);
    }
    const value = pair.slice(at + 1);
    filters[pair.slice(0, at)] = /^\d+$/.test(value) ? Number(value) : value;
  }
  return filters;
}

/** `careid reports list`: the reports an actor may run, with their filters. */
export const reportsListCommand: Command = {
  name: 'reports list',
  synopsis: '--store URL --actor UUID',
  summary: 'Lists the reports the actor may run, with their filters and columns.',
  flags: { ...STORE_FLAGS, actor: ACTOR },
  async run(flags, ctx) {
    const store = await openStore(flags);
    try {
      const actor = flags.required('actor');
      await assertActor(store, actor);
      const ra = createRegistrationAuthority({ store, clock: ctx.clock });
      for (const r of await ra.reports.list(actor)) {
        ctx.io.out(`${r.id}  ${r.title} [${r.category}; ${r.rules.join(', ')}]`);
        for (const f of r.filters) ctx.io.out(`    --filter ${f.name}=…  ${f.help}`);
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};

/** `careid reports export`: a report as CSV on standard output, progress on standard error. */
export const reportsExportCommand: Command = {
  name: 'reports export',
  synopsis: '--store URL --actor UUID --report ID [--filter NAME=VALUE ...] > report.csv',
  summary:
    'Writes a report as RFC 4180 CSV to standard output, streamed page by page; progress goes to standard error.',
  flags: {
    ...STORE_FLAGS,
    actor: ACTOR,
    report: { type: 'string', required: true, value: 'ID', help: 'the report (see reports list)' },
    filter: {
      type: 'string',
      multiple: true,
      value: 'NAME=VALUE',
      help: 'a filter of the report, e.g. days=30 or organisation=FA123',
    },
  },
  async run(flags, ctx) {
    const filters = filtersOf(flags.list('filter'));
    const store = await openStore(flags);
    try {
      const actor = flags.required('actor');
      await assertActor(store, actor);
      const ra = createRegistrationAuthority({ store, clock: ctx.clock });
      const report = flags.required('report') as ReportId;
      const csv = await ra.reports.export(actor, { report, filters });
      const write = ctx.io.write ?? ((chunk: string) => ctx.io.out(chunk));
      let lines = 0;
      let shown = 0;
      for await (const chunk of csv) {
        write(chunk);
        lines += chunk.split(CSV_LINE_END).length - 1;
        if (lines - shown >= 1000) {
          shown = lines;
          ctx.io.err(`careid reports export: ${Math.max(0, lines - 1)} rows…`);
        }
      }
      ctx.io.err(`careid reports export: ${report}: ${Math.max(0, lines - 1)} rows written`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
