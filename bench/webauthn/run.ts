/**
 * WebAuthn benchmark (AUTH-03): a whole sign-in and a whole registration through
 * `ra.webauthn` on the memory store, against the same ceremony done with
 * `@simplewebauthn/server` alone (options, then verify, nothing stored), in the same run.
 * Both sides include the software authenticator's work (test/support/soft-authenticator.ts:
 * an ES256 signature per sign-in, a P-256 key pair per registration), so the difference is
 * what the RA adds: the challenge kept in the store and spent, the credential looked up and
 * its counter written, the decision (registration) and the audit record.
 *
 *   npm run bench -- webauthn [--seconds 0.5] [--rounds 5]
 *
 * Method: one untimed warm-up round, then interleaved rounds; each times every way in turn
 * for `--seconds`, one ceremony at a time. A rate is the median of its rounds, a ratio the
 * median of per-round ratios, an added time the median of per-round differences of the
 * mean times. Target: the RA adds at most 3 ms to a ceremony on the memory store (what it
 * adds is its own work: two policy-decided, audited transactions for a registration, one
 * audited transaction and a challenge for a sign-in), so a desk never feels it.
 */
import { parseArgs } from 'node:util';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { createRegistrationAuthority, seed, seedUser } from '../../src/ra/index.js';
import { memoryStore } from '../../src/storage/index.js';
import { SoftAuthenticator } from '../../test/support/soft-authenticator.js';
import { type BenchRow, type BenchTarget, printTables } from '../lib/table.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '0.5' },
    rounds: { type: 'string', default: '5' },
  },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);

const ORIGIN = 'https://ra.example.nhs.uk';
const RP = { rpId: 'ra.example.nhs.uk', rpName: 'Bench RA', origins: [ORIGIN] };
const USER = '555000000004';
const NOW = new Date('2026-11-22T10:00:00.000Z');

const store = memoryStore();
const by = { at: NOW.toISOString(), by: '555000000001' };
// Each registration is on a user of its own, so no user's exclude list grows during the run.
const REGISTRANTS = 20_000;
const registrant = (i: number) => String(666000000000 + (i % REGISTRANTS));
await seed(
  store,
  {
    users: [
      seedUser({ uuid: USER, given: 'Sam', family: 'Lee' }, by),
      ...Array.from({ length: REGISTRANTS }, (_, i) =>
        seedUser({ uuid: registrant(i), given: 'Reg', family: `R${i}` }, by),
      ),
    ],
  },
  by,
);
let registrations = 0;
const ra = createRegistrationAuthority({ store, clock: () => NOW, webauthn: RP });

// One credential each side signs in with.
const raKey = new SoftAuthenticator(ORIGIN);
const begun = await ra.webauthn.registrationOptions(USER, { kind: 'security-key', label: 'k' });
const registered = await ra.webauthn.verifyRegistration(USER, {
  response: raKey.create(begun.options, { counter: 1 }),
});
const libKey = new SoftAuthenticator(ORIGIN);
const libOptions = await generateRegistrationOptions({
  rpID: RP.rpId,
  rpName: RP.rpName,
  userName: USER,
});
const libRegistered = await verifyRegistrationResponse({
  response: libKey.create(libOptions as never, { counter: 1 }) as never,
  expectedChallenge: libOptions.challenge,
  expectedOrigin: ORIGIN,
  expectedRPID: RP.rpId,
});
if (!libRegistered.verified) throw new Error('the baseline registration did not verify');
let libCredential = libRegistered.registrationInfo.credential;

const ways: Record<string, () => Promise<unknown>> = {
  'sign-in, ra.webauthn (options + verify, stored)': async () => {
    const { options } = await ra.webauthn.authenticationOptions({ user: USER });
    await ra.webauthn.verifyAuthentication({
      response: raKey.get(options, {}, raKey.credentials[0]),
    });
  },
  'sign-in, @simplewebauthn/server alone': async () => {
    const options = await generateAuthenticationOptions({ rpID: RP.rpId });
    const result = await verifyAuthenticationResponse({
      response: libKey.get(options, {}, libKey.credentials[0]) as never,
      expectedChallenge: options.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP.rpId,
      credential: libCredential,
    });
    libCredential = { ...libCredential, counter: result.authenticationInfo.newCounter };
  },
  'registration, ra.webauthn (options + verify, stored)': async () => {
    const user = registrant(registrations++);
    const { options } = await ra.webauthn.registrationOptions(user, {
      kind: 'security-key',
      label: 'k',
    });
    await ra.webauthn.verifyRegistration(user, { response: raKey.create(options) });
  },
  'registration, @simplewebauthn/server alone': async () => {
    const options = await generateRegistrationOptions({
      rpID: RP.rpId,
      rpName: RP.rpName,
      userName: USER,
    });
    await verifyRegistrationResponse({
      response: libKey.create(options as never) as never,
      expectedChallenge: options.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP.rpId,
    });
  },
};

async function rateOf(fn: () => Promise<unknown>): Promise<number> {
  let calls = 0;
  const start = performance.now();
  const until = start + SECONDS * 1000;
  let now = start;
  while (now < until) {
    await fn();
    calls++;
    now = performance.now();
  }
  return calls / ((now - start) / 1000);
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

for (const fn of Object.values(ways)) await rateOf(fn); // warm-up round
const rates = new Map<string, number[]>(Object.keys(ways).map((k) => [k, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of Object.entries(ways)) rates.get(name)?.push(await rateOf(fn));
}
const names = Object.keys(ways);
const ratio = (ra: string, lib: string) =>
  median(rates.get(ra)!.map((r, i) => r / (rates.get(lib)![i] as number)));
const signInRatio = ratio(names[0]!, names[1]!);
const registerRatio = ratio(names[2]!, names[3]!);
const added = (ra: string, lib: string) =>
  median(rates.get(ra)!.map((r, i) => 1000 / r - 1000 / (rates.get(lib)![i] as number)));
const signInAdded = added(names[0]!, names[1]!);
const registerAdded = added(names[2]!, names[3]!);
const rows: BenchRow[] = names.map((name) => ({
  name,
  value: median(rates.get(name)!),
  unit: 'ceremonies/s',
}));
rows.push(
  { name: 'sign-in: RA rate / library rate', value: signInRatio, unit: 'ratio' },
  { name: 'registration: RA rate / library rate', value: registerRatio, unit: 'ratio' },
  { name: 'sign-in: time the RA adds', value: signInAdded, unit: 'ms' },
  { name: 'registration: time the RA adds', value: registerAdded, unit: 'ms' },
);
const targets: BenchTarget[] = [
  {
    name: 'the RA adds at most 3 ms to a sign-in',
    pass: signInAdded <= 3,
    detail: `${signInAdded.toFixed(2)} ms`,
  },
  {
    name: 'the RA adds at most 3 ms to a registration',
    pass: registerAdded <= 3,
    detail: `${registerAdded.toFixed(2)} ms`,
  },
];
printTables(
  `webauthn (memory store, ${ROUNDS} rounds of ${SECONDS} s; credential ${registered.credential.id.slice(0, 8)}…)`,
  rows,
  targets,
);
