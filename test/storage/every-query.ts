import type {
  CardSerial,
  IsoDate,
  IsoDateTime,
  NiNumber,
  OdsCode,
  Uuid,
} from '../../src/domain/index.js';
import { encodeCursor } from '../../src/storage/paging.js';
import type { StoreTx } from '../../src/storage/ports.js';

/** Calls every query of the port once, with cursors, so a test can look at their plans. */
export async function everyQuery(tx: StoreTx): Promise<void> {
  const uuid = '100000000001' as Uuid;
  const ods = 'QVV' as OdsCode;
  const on = '2026-01-01' as IsoDate;
  const at = '2026-01-01T00:00:00.000Z' as IsoDateTime;
  const page = (...key: string[]) => ({ limit: 10, cursor: encodeCursor(key) });
  await tx.users.get(uuid);
  await tx.users.getMany([uuid, '100000000002' as Uuid]);
  await tx.users.byNiNumber('AB123456C' as NiNumber);
  await tx.users.searchByName({ family: 'smi' }, page('smith', 'ann', uuid));
  await tx.users.searchByName({ family: 'smi', given: 'a', dateOfBirth: on });
  await tx.users.searchByName({ given: 'ann' }, page('ann', 'smith', uuid));
  await tx.organisations.children(ods, page('A11'));
  await tx.organisations.descendants(ods, page('A11'));
  await tx.organisations.ancestors?.('C33' as OdsCode);
  await tx.positions.heldBy?.(uuid);
  await tx.positions.atOrganisation(ods, page('p1'));
  await tx.positionAssignments.activeForUser(uuid, on);
  await tx.positionAssignments.historyForUser(uuid, page(on, 'a1'));
  await tx.positionAssignments.atOrganisation(ods, { activeOn: on }, page('a1'));
  await tx.positionAssignments.forPosition('p1' as never, page('a1'));
  await tx.positionAssignments.organisationsOfUsers([uuid, '100000000002' as Uuid]);
  await tx.workgroups.atOrganisation(ods);
  await tx.workgroupAssignments.activeForUser(uuid, on);
  await tx.workgroupAssignments.historyForUser(uuid);
  await tx.workgroupAssignments.forWorkgroup('wg1' as never);
  await tx.smartcards.get('0712345678' as CardSerial);
  await tx.smartcards.byHolder(uuid);
  await tx.certificates.byHolder(uuid);
  await tx.certificates.byCard('0712345678' as CardSerial);
  await tx.certificates.expiring({ from: at, before: at }, page(at, '0a'));
  await tx.authenticators.byUser(uuid);
  await tx.webAuthnCredentials.get('AQID');
  await tx.webAuthnCredentials.byUser(uuid);
  await tx.webAuthnCredentials.byAuthenticator('auth_1' as never);
  await tx.webAuthnChallenges.get('a'.repeat(43));
  await tx.webAuthnChallenges.consume('a'.repeat(43), at);
  await tx.webAuthnChallenges.purgeExpired(at);
  await tx.requests.list({ state: 'open' }, page(at, 'r1'));
  await tx.requests.list({ organisation: ods });
  await tx.requests.list({ requestedBy: uuid });
  await tx.requests.list({ kind: 'position-change' });
  await tx.requests.list({ subject: uuid, decidedSince: at });
  await tx.authorities.get('root');
  await tx.authorities.list();
  await tx.counters.current('crl-number');
  await tx.audit.read({ limit: 10, cursor: encodeCursor([5]) });
}
