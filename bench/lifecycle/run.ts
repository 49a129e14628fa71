// Smartcard lifecycle benchmark (issue 7): every card operation of the RA end to end
// (policy, key generation on the simulator, CSR, certificate, writes, commit with its
// audit record), in process and through pcscd + vpcd, and 100 cards issued back to back.
//   npm run bench -- lifecycle          (writes bench/lifecycle/RESULTS.md)
// Targets: one issue under 150 ms through pcscd; every operation sends the documented
// minimum number of APDUs (short APDUs with command chaining).
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  attachToVpcd,
  connectVirtualCard,
  PivSession,
  VirtualPivCard,
} from '../../src/card/index.js';
import { PcscContext } from '../../src/card/pcsc/index.js';
import { cardSerialSchema } from '../../src/domain/index.js';
import { createCertificateAuthority } from '../../src/pki/index.js';
import { certificateNotAfter, nationalPack } from '../../src/policy/index.js';
import { aesGcmKeyVault, type CardReader, type SmartcardResult } from '../../src/ra/index.js';
import { freshSecrets, personaliseCard } from '../../src/ra/smartcards/card-steps.js';
import { memoryStore } from '../../src/storage/index.js';
import { people } from '../../test/ra/fixtures.js';
import { lifecycleWorld, PASSCODE, PHOTO } from '../../test/ra/smartcards/harness.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 20);
const BACK_TO_BACK = 100;
const ROOT = join(import.meta.dirname, '..', '..');
const STACK_DIR = process.env['CAREID_PCSC_DIR'] ?? '/run/careid-pcsc';
const READER = 'Virtual PCD 00 00';
const DAY = 86_400_000;
const PIN_TRIES = 3;
const PUK_TRIES = 3;
/** The certificate PUT DATA body is ~580 bytes: three 255-byte chained pieces (Part 2 §3.3.1). */
const CERT_PIECES = 3;

/** The documented minimum APDUs per operation, step by step (SP 800-73-4 Part 2 and the Yubico extensions). */
const MINIMUM: Record<string, { readonly apdus: number; readonly why: string }> = {
  stock: { apdus: 2, why: 'SELECT + GET SERIAL' },
  issue: {
    apdus: 2 + 2 + 1 + 2 + CERT_PIECES + 1 + 1 + 1 + 1 + 1,
    why: 'SELECT, GET SERIAL, mgmt auth (2), GENERATE, VERIFY+sign CSR (2), cert (3 chained), CHUID, photo, PUK, mgmt key, PIN',
  },
  unlock: { apdus: 3, why: 'SELECT, GET SERIAL, RESET RETRY COUNTER' },
  'self-unlock': { apdus: 3, why: 'SELECT, GET SERIAL, RESET RETRY COUNTER' },
  renew: {
    apdus: 2 + 1 + 2 + 1 + 1 + CERT_PIECES,
    why: 'SELECT, GET SERIAL, VERIFY, mgmt auth (2), GENERATE, sign CSR, cert (3 chained)',
  },
  repair: {
    apdus: 2 + PIN_TRIES + PUK_TRIES + 2 + (2 + 1 + 2 + CERT_PIECES + 1 + 1 + 1 + 1 + 1),
    why: 'SELECT, GET SERIAL, wipe (3 VERIFY, 3 RRC, RESET, SELECT), then the issue steps',
  },
  clear: {
    apdus: 2 + PIN_TRIES + PUK_TRIES + 2,
    why: 'SELECT, GET SERIAL, 3 wrong VERIFY, 3 wrong RRC, RESET, SELECT',
  },
  replace: {
    apdus: 2 + 2 + 1 + 2 + CERT_PIECES + 1 + 1 + 1 + 1 + PIN_TRIES,
    why: 'as issue, the PIN blocked (3 VERIFY) instead of set',
  },
  cancel: { apdus: 0, why: 'no card: revocation and record only' },
};

interface Sample {
  readonly apdus: number[];
  readonly ms: number[];
}
const samples = (): Record<string, Sample> => ({});
const add = (into: Record<string, Sample>, op: string, ms: number, r: SmartcardResult) => {
  const s = into[op] ?? { apdus: [], ms: [] };
  into[op] = s;
  s.apdus.push(r.apdus);
  s.ms.push(ms);
};
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
};
const quantile = (xs: readonly number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
}

async function lock(reader: CardReader) {
  const connection = await reader.connect();
  try {
    await (await PivSession.open(connection)).blockPin();
  } finally {
    await connection.close();
  }
}

/**
 * One whole lifecycle on one card: stock, issue, lock+unlock, lock+self-unlock, renew,
 * repair, clear, issue, cancel; and replace when a second reader is given.
 */
async function lifecycle(
  reader: CardReader,
  into: Record<string, Sample>,
  second?: CardReader,
): Promise<void> {
  const w = await lifecycleWorld({ store: memoryStore() });
  const input = { user: w.holder, passcode: PASSCODE, photo: PHOTO, userPresent: true };
  let [ms, r] = await timed(() => w.ra.smartcards.stock(people.agent, {}, reader));
  add(into, 'stock', ms, r);
  [ms, r] = await timed(() => w.ra.smartcards.issue(people.agent, input, reader));
  add(into, 'issue', ms, r);
  const notAfter = r.certificate!.notAfter;
  await lock(reader);
  [ms, r] = await timed(() =>
    w.ra.smartcards.unlock(people.agent, { newPasscode: PASSCODE, userPresent: true }, reader),
  );
  add(into, 'unlock', ms, r);
  await lock(reader);
  await w.ra.smartcards.selfUnlock.request(w.holder, { serial: r.card.serial, channel: 'email' });
  const code = w.sent.at(-1)!.code;
  [ms, r] = await timed(() =>
    w.ra.smartcards.selfUnlock.confirm(w.holder, { code, newPasscode: PASSCODE }, reader),
  );
  add(into, 'self-unlock', ms, r);
  w.setClock(new Date(Date.parse(notAfter) - 30 * DAY));
  [ms, r] = await timed(() =>
    w.ra.smartcards.renew(people.agent, { passcode: PASSCODE, userPresent: true }, reader),
  );
  add(into, 'renew', ms, r);
  [ms, r] = await timed(() =>
    w.ra.smartcards.repair(
      people.agent,
      { passcode: PASSCODE, photo: PHOTO, userPresent: true },
      reader,
    ),
  );
  add(into, 'repair', ms, r);
  if (second !== undefined) {
    await w.ra.smartcards.stock(people.agent, {}, second);
    [ms, r] = await timed(() =>
      w.ra.smartcards.replace(
        people.agent,
        { serial: r.card.serial, reason: 'damaged', photo: PHOTO },
        second,
      ),
    );
    add(into, 'replace', ms, r);
    return;
  }
  [ms, r] = await timed(() => w.ra.smartcards.clear(people.agent, {}, reader));
  add(into, 'clear', ms, r);
  r = await w.ra.smartcards.issue(people.agent, input, reader);
  const serial = r.card.serial;
  [ms, r] = await timed(() => w.ra.smartcards.cancel(people.agent, { serial, reason: 'lost' }));
  add(into, 'cancel', ms, r);
}

/** 100 cards issued back to back, each on its own RA world prepared beforehand. */
async function backToBack(readerFor: (i: number) => Promise<CardReader>): Promise<number[]> {
  const worlds = [];
  for (let i = 0; i < BACK_TO_BACK; i++)
    worlds.push(await lifecycleWorld({ store: memoryStore() }));
  const ms: number[] = [];
  for (let i = 0; i < BACK_TO_BACK; i++) {
    const w = worlds[i]!;
    const reader = await readerFor(i);
    await w.ra.smartcards.stock(people.agent, {}, reader);
    const input = { user: w.holder, passcode: PASSCODE, photo: PHOTO, userPresent: true };
    const [t] = await timed(() => w.ra.smartcards.issue(people.agent, input, reader));
    ms.push(t);
  }
  return ms;
}

const inProcessReader = (card: VirtualPivCard, name = 'in process'): CardReader => ({
  name,
  connect: async () => connectVirtualCard(card),
});

// In process.
const inProcess = samples();
for (let i = 0; i < RUNS; i++) {
  await lifecycle(inProcessReader(new VirtualPivCard({ serial: 40_000_000 + 2 * i })), inProcess);
}
// Replace needs two readers: in process only (the namespace relays one vpcd slot).
for (let i = 0; i < RUNS; i++) {
  await lifecycle(
    inProcessReader(new VirtualPivCard({ serial: 41_000_000 + 2 * i })),
    inProcess,
    inProcessReader(new VirtualPivCard({ serial: 41_000_001 + 2 * i })),
  );
}
const inProcessHundred = await backToBack(async (i) =>
  inProcessReader(new VirtualPivCard({ serial: 42_000_000 + i })),
);

/**
 * The baseline, in the same run: the card and CA steps of an issue alone (no parse, no
 * policy, no store, no audit), on a fresh card with an in-memory CA: what the RA adds is
 * the difference.
 */
async function bareIssues(readerFor: (i: number) => Promise<CardReader>): Promise<number[]> {
  const ca = await createCertificateAuthority({
    settings: {
      root: { commonName: 'bench root' },
      issuing: { commonName: 'bench issuing' },
      crlUrl: 'http://pki.bench/crl',
      ocspUrl: 'http://pki.bench/ocsp',
    },
    now: new Date(),
  });
  // The vault in memory: the secrets are kept before the card takes them, as the RA does.
  const vault = aesGcmKeyVault({ key: new Uint8Array(32).fill(7) });
  const ms: number[] = [];
  for (let i = 0; i < BACK_TO_BACK; i++) {
    const reader = await readerFor(i);
    const [t] = await timed(async () => {
      const connection = await reader.connect();
      try {
        const piv = await PivSession.open(connection);
        const serial = cardSerialSchema.parse(String(await piv.serialNumber()).padStart(10, '0'));
        await personaliseCard({
          piv,
          serial,
          vault,
          ca,
          holder: { commonName: 'Alex Rivers', uuid: '555123456789', upn: '555123456789@nhs.net' },
          secrets: freshSecrets(),
          photo: Buffer.from(PHOTO, 'base64'),
          passcode: PASSCODE,
          wipeFirst: false,
          now: () => new Date(),
          validUntil: (at) => certificateNotAfter(nationalPack, at),
          onIssued: () => undefined,
          progress: () => undefined,
        });
      } finally {
        await connection.close();
      }
    });
    ms.push(t);
  }
  return ms;
}
const inProcessBare = await bareIssues(async (i) =>
  inProcessReader(new VirtualPivCard({ serial: 44_000_000 + i })),
);

// Through pcscd.
let pcscBare: number[] = [];
let pcscNote = '';
const throughPcscd = samples();
let pcscHundred: number[] = [];
const stackStarted = (() => {
  if (process.getuid?.() !== 0 || !existsSync('/usr/lib/pcsc/drivers/serial/libifdvpcd.so')) {
    return 'needs root and vsmartcard-vpcd';
  }
  try {
    execFileSync('bash', [join(ROOT, 'scripts', 'pcsc', 'start.sh')], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `scripts/pcsc/start.sh failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}`;
  }
})();
if (stackStarted === undefined) {
  const card = new VirtualPivCard({ serial: 43_000_001 });
  const link = attachToVpcd(card, { path: join(STACK_DIR, 'vpcd.sock') });
  await link.connected;
  const pcsc = await PcscContext.open();
  const reader: CardReader = {
    name: READER,
    connect: () => pcsc.connect({ reader: READER, timeoutMs: 10_000 }),
  };
  try {
    for (let i = 0; i < RUNS; i++) {
      card.factoryReset();
      await lifecycle(reader, throughPcscd);
    }
    pcscHundred = await backToBack(async () => {
      card.factoryReset();
      return reader;
    });
    pcscBare = await bareIssues(async () => {
      card.factoryReset();
      return reader;
    });
  } finally {
    pcsc.close();
    await link.close();
  }
} else {
  pcscNote = `through pcscd: SKIPPED (${stackStarted})`;
}

const ops = Object.keys(MINIMUM);
const header = [
  'operation',
  'APDUs',
  'minimum',
  'APDU result',
  'in process median ms',
  'pcscd median ms',
  'pcscd p95 ms',
  'why that minimum',
];
const rows = ops.map((op) => {
  const a = inProcess[op];
  const p = throughPcscd[op];
  const counts = new Set([...(a?.apdus ?? []), ...(p?.apdus ?? [])]);
  const ok = counts.size === 1 && counts.has(MINIMUM[op]!.apdus);
  return [
    op,
    [...counts].join('/'),
    String(MINIMUM[op]!.apdus),
    ok ? 'PASS' : 'FAIL',
    a ? median(a.ms.slice(1)).toFixed(1) : '-',
    p ? median(p.ms.slice(1)).toFixed(1) : '-',
    p ? quantile(p.ms.slice(1), 0.95).toFixed(1) : '-',
    MINIMUM[op]!.why,
  ];
});
const table = [header, ...rows];
const widths = header.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
const line = (r: string[]) => `| ${r.map((v, c) => v.padEnd(widths[c]!)).join(' | ')} |`;
const text = [
  line(header),
  `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
  ...rows.map(line),
].join('\n');

const issuePcscd = throughPcscd['issue']?.ms.slice(1) ?? [];
const hundredLine = (name: string, xs: number[]) =>
  xs.length === 0
    ? `- ${name}: not measured`
    : `- ${name}: ${BACK_TO_BACK} issues in ${(xs.reduce((a, b) => a + b, 0) / 1000).toFixed(2)} s; median ${median(xs).toFixed(1)} ms, p95 ${quantile(xs, 0.95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
const target =
  pcscHundred.length === 0
    ? `one issue under 150 ms through pcscd: SKIPPED (${pcscNote})`
    : `one issue under 150 ms through pcscd: ${median(pcscHundred) < 150 && quantile(pcscHundred, 0.95) < 150 ? 'PASS' : 'FAIL'} (median ${median(pcscHundred).toFixed(1)} ms, p95 ${quantile(pcscHundred, 0.95).toFixed(1)} ms over ${BACK_TO_BACK} back-to-back issues; lifecycle runs median ${median(issuePcscd).toFixed(1)} ms)`;
const apduTarget = `every operation at the documented APDU minimum: ${rows.every((r) => r[3] === 'PASS') ? 'PASS' : 'FAIL'}`;
console.log(text);
const baselines = [
  hundredLine('baseline, card and CA steps only, in process', inProcessBare),
  hundredLine('baseline, card and CA steps only, through pcscd', pcscBare),
];
console.log(hundredLine('in process', inProcessHundred));
console.log(hundredLine('through pcscd', pcscHundred));
for (const b of baselines) console.log(b);
console.log(target);
console.log(apduTarget);

writeFileSync(
  join(import.meta.dirname, 'RESULTS.md'),
  [
    '# Smartcard lifecycle benchmark results',
    '',
    `Measured by \`npm run bench -- lifecycle\` on ${new Date().toISOString().slice(0, 10)}, ${RUNS} whole lifecycles per transport (the first is warm-up for timings), Node ${process.version}, memory store.`,
    'Each operation is timed end to end: parse, policy decision, reservation, card APDUs (key generation on the simulator), CSR and certificate, finalising commit with its audit record.',
    'APDU minimum: short APDUs with command chaining (SP 800-73-4 requires every PIV card to accept them); a 3-try PIN and PUK for the wipe.',
    'Replace needs two readers, so it is measured in process only (the namespace relays one vpcd slot).',
    '',
    text,
    '',
    hundredLine('in process', inProcessHundred),
    hundredLine('through pcscd', pcscHundred),
    ...baselines,
    '',
    "The RA's share of an issue (parse, decision, reservation, finalising commit, audit records) is the difference between an issue and its baseline.",
    '',
    `- ${target}`,
    `- ${apduTarget}`,
    ...(pcscNote ? ['', pcscNote] : []),
    '',
  ].join('\n'),
);
