import { cardSerialSchema, NotFoundError, parseWith } from '../../index.js';
import { parseCertificate } from '../../pki/index.js';
import type { Command } from '../command.js';
import { subjectOf } from '../format.js';
import { openStore, STORE_FLAGS } from '../workspace.js';

/** `careid card record`: the store's record of a card; no reader, no pcscd. */
export const cardRecordCommand: Command = {
  name: 'card record',
  synopsis: '--store URL --serial SERIAL',
  summary:
    "Prints the store's record of a card: its status, holder, history and certificates. Needs no reader.",
  flags: {
    ...STORE_FLAGS,
    serial: { type: 'string', required: true, value: 'SERIAL', help: 'the card serial' },
  },
  async run(flags, ctx) {
    const serial = parseWith(cardSerialSchema, flags.required('serial'), 'card serial');
    const store = await openStore(flags);
    try {
      const found = await store.transaction(async (tx) => {
        const card = await tx.smartcards.get(serial);
        if (card === undefined) return undefined;
        const holder = card.holder === undefined ? undefined : await tx.users.get(card.holder);
        return { card, holder, certificates: await tx.certificates.byCard(serial) };
      });
      if (found === undefined) throw new NotFoundError('card', serial);
      const { card, holder, certificates } = found;
      const out = ctx.io.out;
      out(`card ${card.serial}: ${card.status}`);
      if (card.holder !== undefined) {
        const name = holder === undefined ? '' : ` (${holder.name.given} ${holder.name.family})`;
        out(`holder: ${card.holder}${name}`);
      } else {
        out('holder: none');
      }
      if (card.issuedAt !== undefined) out(`issued: ${card.issuedAt}`);
      out(`renewals: ${card.renewalCount} (self-service ${card.selfRenewalCount})`);
      if (card.replaces !== undefined) out(`replaces: ${card.replaces}`);
      if (card.cancelled !== undefined) {
        out(
          `cancelled: ${card.cancelled.at} by ${card.cancelled.by}, reason ${card.cancelled.reason}`,
        );
      }
      out(`certificates: ${certificates.length}`);
      for (const c of certificates) {
        let subject = '';
        try {
          subject = `; ${subjectOf(parseCertificate(c.der))}`;
        } catch {
          subject = '; (not parsable)';
        }
        const revoked = c.revocation ? ` (${c.revocation.reason} at ${c.revocation.at})` : '';
        out(
          `  ${c.serial}: ${c.status}${revoked}; valid ${c.notBefore} to ${c.notAfter}${subject}`,
        );
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};
