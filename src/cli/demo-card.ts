import { randomBytes } from 'node:crypto';
import { PivSession } from '../card/piv/session.js';
import { connectVirtualCard } from '../card/sim/in-process.js';
import { VirtualPivCard } from '../card/sim/virtual-piv-card.js';
import {
  organisationSchema,
  positionAssignmentSchema,
  positionSchema,
  userProfileSchema,
} from '../domain/index.js';
import { CareIdError } from '../errors/care-id-error.js';
import { createCertificateAuthority } from '../pki/certificate-authority.js';
import { parseCrl } from '../pki/crl.js';
import type { Decision } from '../policy/engine.js';
import { PolicyDeniedError } from '../policy/policy-denied-error.js';
import { createRegistrationAuthority } from '../ra/registration-authority.js';
import { seed } from '../ra/seed.js';
import { aesGcmKeyVault } from '../ra/smartcards/key-vault.js';
import type { CardReader, OneTimeCodeMessage } from '../ra/smartcards/ports.js';
import { verifyAudit } from '../storage/audit-chain.js';
import { storeCaRepository } from '../storage/ca-repository.js';
import { memoryStore } from '../storage/memory/memory-store.js';

const NOW = new Date('2026-11-22T10:00:00.000Z');
const AT = NOW.toISOString();
const AGENT = '555000000001';
const DAY = 86_400_000;
/** A stand-in facial image (CARD-11): the card holds a photo, nothing else personal. */
const PHOTO = Buffer.from('demo facial image').toString('base64');

const rules = (decision: Decision) => decision.reasons.map((r) => `${r.rule} ${r.code}`).join('; ');

/**
 * The smartcard part of the demo, on the in-process virtual card and the in-memory store:
 * a card issued (key generated on the card, certificate from the CA), locked by three wrong
 * passcodes, unlocked with the user present, renewed in the window, cancelled as lost, and
 * the CRL listing it; each step with its decision's rule IDs. Throws if a step fails.
 *
 * @throws CareIdError when a step that should succeed fails.
 * @example
 * ```ts
 * await runCardDemo((line) => console.log(line));
 * ```
 */
export async function runCardDemo(print: (line: string) => void): Promise<void> {
  const store = memoryStore();
  let now = NOW;
  const clock = () => now;
  await seed(
    store,
    {
      organisations: [
        organisationSchema.parse({ odsCode: 'QVV', name: 'NHS Dorset ICB', kind: 'icb' }),
        organisationSchema.parse({
          odsCode: 'FA123',
          name: 'Boots, Dorchester',
          kind: 'pharmacy',
          parent: 'QVV',
        }),
      ],
      positions: [
        ['pos-raa', 'QVV', 'R5090'],
        ['pos-dispenser', 'FA123', 'R8004'],
      ].map(([id, organisation, jobRole]) =>
        positionSchema.parse({
          id,
          name: id,
          organisation,
          jobRole,
          activities: [],
          assignable: [],
          approval: { method: 'local-policy', approvedBy: [AGENT], at: AT },
          status: 'open',
          version: 0,
        }),
      ),
      users: [
        userProfileSchema.parse({
          uuid: AGENT,
          name: { given: 'Priya', family: 'Agent' },
          dateOfBirth: '1980-01-01',
          contact: {},
          status: 'open',
          createdAt: AT,
          createdBy: AGENT,
          version: 0,
        }),
      ],
      assignments: [
        positionAssignmentSchema.parse({
          id: 'asg-1',
          user: AGENT,
          position: 'pos-raa',
          organisation: 'QVV',
          start: '2025-04-01',
          createdBy: AGENT,
          version: 0,
        }),
      ],
    },
    { at: AT as never, by: 'demo-seed' },
  );
  const ca = await createCertificateAuthority({
    settings: {
      root: { commonName: 'careid Demo Root CA' },
      issuing: { commonName: 'careid Demo Issuing CA' },
      crlUrl: 'http://pki.careid.example/issuing.crl',
      ocspUrl: 'http://ocsp.careid.example/',
    },
    now: NOW,
    repository: storeCaRepository(store),
  });
  const sent: OneTimeCodeMessage[] = [];
  const ra = createRegistrationAuthority({
    store,
    clock,
    certificateAuthority: ca,
    keyVault: aesGcmKeyVault({ key: new Uint8Array(randomBytes(32)) }),
    notifier: { send: async (message) => void sent.push(message) },
  });
  const { uuid } = await ra.users.create(AGENT, {
    organisation: 'FA123',
    name: { given: 'Alex', family: 'Rivers' },
    dateOfBirth: '1995-05-05',
    niNumber: 'AB123456C',
    identityCheck: {
      documents: [
        { kind: 'passport', country: 'GBR', number: '123456789', expiry: '2030-01-01' },
        { kind: 'driving-licence', number: 'RIVER905055AB9CD', expiry: '2031-01-01' },
        {
          kind: 'proof-of-address',
          documentType: 'council tax bill',
          issuer: 'Dorset Council',
          issuedOn: '2026-10-01',
        },
      ],
      photo: 'sha256:demo',
    },
  });
  await ra.assignments.assign(AGENT, {
    user: uuid,
    position: 'pos-dispenser',
    start: '2026-11-22',
  });

  const card = new VirtualPivCard({ serial: 16_000_042 });
  const reader: CardReader = {
    name: 'virtual desk reader',
    connect: async () => connectVirtualCard(card),
  };
  print('6. A smartcard, end to end, on the virtual PIV card');
  const stocked = await ra.smartcards.stock(AGENT, {}, reader);
  print(`  a blank card, serial ${stocked.card.serial}, goes into stock`);

  const issued = await ra.smartcards.issue(
    AGENT,
    { user: uuid, passcode: '246810', photo: PHOTO, userPresent: true },
    reader,
    { progress: (step) => print(`    ... ${step}`) },
  );
  const certificate = issued.certificate!;
  print(
    `  Priya issues it to Alex (${uuid}), who is present and sets a passcode: ${rules(issued.decision)}`,
  );
  print(
    `  the card holds its key, certificate ${certificate.serial.slice(0, 12)}... (until ${certificate.notAfter.slice(0, 10)}), the CHUID with Alex's UUID and a photo; ${issued.apdus} APDUs`,
  );

  const piv = await PivSession.open(connectVirtualCard(card));
  for (const wrong of ['111111', '222222', '333333']) {
    const error = await piv.verifyPin(wrong).then(
      () => undefined,
      (e: unknown) => e,
    );
    print(
      `  a wrong passcode: ${error instanceof CareIdError ? error.message : 'accepted?'}`.replace(
        /\.$/,
        '',
      ),
    );
  }
  print(
    `  CARD-02: three wrong passcodes lock the card (tries left: ${(await piv.pinStatus()).triesLeft})`,
  );

  const remote = await ra.smartcards
    .unlock(AGENT, { newPasscode: '13572468', userPresent: false }, reader)
    .catch((e: unknown) => e);
  if (remote instanceof PolicyDeniedError) {
    print(`  Priya tries to unlock it over the phone: refused, ${rules(remote.decision)}`);
  }
  const unlocked = await ra.smartcards.unlock(
    AGENT,
    { newPasscode: '13572468', userPresent: true },
    reader,
  );
  print(
    `  Alex comes to the desk and types a new passcode; the RA unlocks it with the PUK it holds: ${unlocked.card.status}, ${rules(unlocked.decision)}`,
  );

  now = new Date(Date.parse(certificate.notAfter) - 120 * DAY);
  const early = await ra.smartcards
    .renew(AGENT, { passcode: '13572468', userPresent: true }, reader)
    .then(() => undefined)
    .catch((e: unknown) => e);
  if (!(early instanceof PolicyDeniedError)) throw new Error('an early renewal was allowed');
  print(
    `  ${now.toISOString().slice(0, 10)}, 120 days before expiry: renewal refused, ${rules(early.decision)}`,
  );
  now = new Date(Date.parse(certificate.notAfter) - 30 * DAY);
  const renewed = await ra.smartcards.renew(
    AGENT,
    { passcode: '13572468', userPresent: true },
    reader,
    { progress: (step) => print(`    ... ${step}`) },
  );
  print(
    `  ${now.toISOString().slice(0, 10)}, 30 days before expiry: renewed in the window (${rules(renewed.decision)}); new certificate ${renewed.certificate!.serial.slice(0, 12)}... until ${renewed.certificate!.notAfter.slice(0, 10)}, the old one superseded`,
  );

  const cancelled = await ra.smartcards.cancel(AGENT, {
    serial: stocked.card.serial,
    reason: 'lost',
  });
  print(
    `  Alex reports the card lost: cancelled (${rules(cancelled.decision)}), certificate ${cancelled.revoked[0]?.slice(0, 12)}... revoked as keyCompromise (CARD-10)`,
  );

  const crl = parseCrl(await ca.generateCrl({ now }));
  print(`  the issuing CA's CRL number ${crl.crlNumber} lists ${crl.revoked.size} certificates:`);
  for (const [serial, entry] of crl.revoked) {
    print(`    ${serial}  ${entry.reason}  ${entry.revokedAt.toISOString()}`);
  }
  const audit = await verifyAudit(store);
  if (!audit.ok) throw new Error('the audit chain does not verify');
  print(`  audit chain: verified; no passcode, PUK or key in it (AUD-02)`);
}
