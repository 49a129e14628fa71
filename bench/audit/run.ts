/**
 * Audit-chain bench (issue 15): what the chain's hash costs now that it comes from
 * @noble/hashes (so careid's root needs no Node built-in) instead of Node's `crypto`,
 * measured against Node's `createHash` in the same run. Every command appends one record,
 * so one hash is on every command's path; `verifyAudit` hashes every record again.
 *
 *   npm run bench -- audit [--seconds 0.5] [--rounds 5] [--records 20000]
 *
 * Method: one untimed warm-up, then interleaved rounds (each way in turn per round); a rate
 * is the median of its rounds, a ratio the median of the per-round ratios.
 */
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { AuditEvent, IsoDateTime } from '../../src/domain/index.js';
import { sha256Hex } from '../../src/storage/canonical.js';
import {
  auditHash,
  canonicalJson,
  GENESIS_HASH,
  memoryStore,
  verifyAudit,
} from '../../src/storage/index.js';
import { type BenchRow, type BenchTarget, printTables, rate } from '../lib/table.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '0.5' },
    rounds: { type: 'string', default: '5' },
    records: { type: 'string', default: '20000' },
  },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const RECORDS = Number(values.records);

/** A typical record: a user.create allowed, with its reason and what changed (~450 bytes of JSON). */
const event = (i: number): AuditEvent => ({
  at: `2026-11-22T10:00:${String(i % 60).padStart(2, '0')}.000Z` as IsoDateTime,
  actor: '555000000002',
  activity: 'user.create',
  target: String(100_000_000_000 + i),
  outcome: 'allowed',
  reasons: [
    {
      rule: 'ROLE-01',
      code: 'ROLE_GRANTS',
      message: 'RA agent at QVV may create users at FA123 (direct).',
    },
  ],
  details: {
    organisation: 'FA123',
    changed: [{ kind: 'users', key: String(100_000_000_000 + i), op: 'insert', version: 1 }],
  },
});
const events = Array.from({ length: 1024 }, (_, i) => event(i));
const texts = events.map((e, i) => canonicalJson({ seq: i + 1, prevHash: GENESIS_HASH, event: e }));
const nodeSha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
if (sha256Hex(texts[0]!) !== nodeSha256(texts[0]!)) throw new Error('the hashes differ');

type Way = { readonly name: string; readonly fn: (i: number) => void };
const ways: Way[] = [
  {
    name: 'auditHash: canonical JSON + SHA-256 by @noble/hashes (careid)',
    fn: (i) => auditHash(i + 1, GENESIS_HASH, events[i & 1023]!),
  },
  {
    name: "canonical JSON + SHA-256 by node:crypto createHash (the same with Node's crypto)",
    fn: (i) =>
      nodeSha256(canonicalJson({ seq: i + 1, prevHash: GENESIS_HASH, event: events[i & 1023]! })),
  },
  { name: 'SHA-256 alone, @noble/hashes (sha256Hex)', fn: (i) => sha256Hex(texts[i & 1023]!) },
  { name: 'SHA-256 alone, node:crypto createHash', fn: (i) => nodeSha256(texts[i & 1023]!) },
];

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const load = loadavg()
  .map((l) => l.toFixed(1))
  .join(' ');
for (const way of ways) rate(Math.min(SECONDS, 0.2), 1000, way.fn);
const rates = ways.map(() => [] as number[]);
for (let r = 0; r < ROUNDS; r++) {
  for (const [i, way] of ways.entries()) rates[i]!.push(rate(SECONDS, 1000, way.fn));
}
const rows: BenchRow[] = ways.map((way, i) => ({
  name: way.name,
  value: median(rates[i]!),
  unit: 'hashes/s',
  note: `${(1e6 / median(rates[i]!)).toFixed(2)} µs each (${texts[0]!.length}-character record)`,
}));

// verifyAudit over a memory store: reads every record and hashes it again.
const store = memoryStore();
await store.transaction(async (tx) => {
  for (let i = 0; i < RECORDS; i++) await tx.audit.append(event(i));
});
const verifyRates: number[] = [];
for (let r = 0; r < Math.max(3, Math.min(ROUNDS, 5)); r++) {
  const start = performance.now();
  const result = await verifyAudit(store);
  if (!result.ok || result.count !== RECORDS) throw new Error('the chain did not verify');
  verifyRates.push(RECORDS / ((performance.now() - start) / 1000));
}
rows.push({
  name: `verifyAudit over a memory store of ${RECORDS.toLocaleString('en-GB')} records`,
  value: median(verifyRates),
  unit: 'records/s',
  note: 'reads each page, re-validates, re-hashes every record',
});

const ratio = median(rates[0]!.map((careid, r) => rates[1]![r]! / careid));
const extra = median(rates[0]!.map((careid, r) => 1e6 / careid - 1e6 / rates[1]![r]!));
const targets: BenchTarget[] = [
  {
    name: 'the audit chain hash without Node built-ins costs at most 2x the same with node:crypto',
    pass: ratio <= 2,
    detail: `${ratio.toFixed(2)}x (${extra.toFixed(1)} µs more per record; a command takes ~400 to 1000 µs, bench/ra)`,
  },
];
printTables(
  `audit (node ${process.version}, ${new Date().toISOString().slice(0, 16)}Z, load average ${load}, ${ROUNDS} rounds of ${SECONDS} s)`,
  rows,
  targets,
);
await store.close();
