/**
 * careid/pki speed, measured side by side with its baselines in one run:
 * `npx tsx bench/pki/run.ts`. Prints a table with PASS/FAIL per target.
 */
import { spawnSync } from 'node:child_process';
import type { webcrypto } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import {
  createCertificateAuthority,
  createCsr,
  createOcspRequest,
  generateSoftwareSigner,
  memoryCaRepository,
  parseCertificate,
  parseCrl,
  softwareSigner,
  validateCertificate,
} from '../../src/pki/index.js';
import { certificateNotAfter, nationalPack } from '../../src/policy/index.js';
import {
  type BaselineEntry,
  type IssueParams,
  initBaselines,
  pkijsCrl,
  pkijsIssue,
  pkijsParseCrl,
  x509Issue,
} from './baselines.js';

/** CARD-04: the national pack's certificate life from `now`. */
const life = (now: Date): Date => certificateNotAfter(nationalPack, now);

interface Row {
  readonly measure: string;
  readonly careid: string;
  readonly baseline: string;
  readonly target: string;
  readonly pass: boolean | undefined;
}
const rows: Row[] = [];

/** Ops per second of `fn` run `n` times in sequence, after a short warm-up. */
async function opsPerSecond(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(50, n / 10); i++) await fn(i);
  const start = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return (n * 1000) / (performance.now() - start);
}

async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

/**
 * The best of `ROUNDS` interleaved rounds of each measure: other work on this shared
 * machine only ever slows a round down, so the best round is the least disturbed one,
 * and interleaving gives careid and its baselines the same conditions.
 */
const ROUNDS = 3;
async function bestRates(
  n: number,
  measures: readonly ((i: number) => Promise<unknown>)[],
): Promise<number[]> {
  const best = measures.map(() => 0);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [k, fn] of measures.entries()) {
      best[k] = Math.max(best[k]!, await opsPerSecond(n, fn));
    }
  }
  return best;
}

/** The shortest of `ROUNDS` runs of `fn`, in seconds (see {@link bestRates}). */
async function bestSeconds(fn: () => Promise<unknown>): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    globalThis.gc?.();
    best = Math.min(best, await seconds(fn));
  }
  return best;
}

const randomHex = () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex');
const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-GB') : n.toFixed(2));

function openssl(args: readonly string[]): string {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`;
}

async function main(): Promise<void> {
  initBaselines();
  const now = new Date();
  const settings = {
    root: { commonName: 'careid Bench Root' },
    issuing: { commonName: 'careid Bench Issuing' },
    crlUrl: 'http://pki.careid.test/issuing.crl',
    ocspUrl: 'http://ocsp.careid.test/',
  };
  const issuingPair = (await crypto.subtle.generateKey(
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign', 'verify'],
  )) as webcrypto.CryptoKeyPair;
  const repository = memoryCaRepository();
  const ca = await createCertificateAuthority({
    settings,
    now,
    repository,
    issuingSigner: await softwareSigner(issuingPair),
  });
  const subjectPair = (await crypto.subtle.generateKey(
    { name: 'ECDSA', namedCurve: 'P-256' },
    true,
    ['sign', 'verify'],
  )) as webcrypto.CryptoKeyPair;
  const subjectSpki = new Uint8Array(await crypto.subtle.exportKey('spki', subjectPair.publicKey));
  const holder = { commonName: 'Jane Doe', uuid: '555123456789', upn: 'jane.doe@nhs.net' };

  // 1. Raw WebCrypto ECDSA P-256 signing: the floor under every issuance.
  const tbsLike = crypto.getRandomValues(new Uint8Array(600));
  const [rawSign = 0] = await bestRates(1000, [
    () => crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, issuingPair.privateKey, tbsLike),
  ]);
  rows.push({
    measure: 'WebCrypto ECDSA P-256 sign (ops/s)',
    careid: '-',
    baseline: fmt(rawSign),
    target: 'reference',
    pass: undefined,
  });

  // 2. End-entity issuance: careid vs stock PKI.js vs @peculiar/x509, same certificate.
  const notAfter = new Date(now.getTime() + 1095 * 86_400_000);
  const params: IssueParams = {
    issuerCert: ca.issuingCertificate,
    issuerKey: issuingPair.privateKey,
    subjectPublicKey: subjectPair.publicKey,
    commonName: holder.commonName,
    uuid: holder.uuid,
    upn: holder.upn,
    notBefore: now,
    notAfter,
    crlUrl: settings.crlUrl,
    ocspUrl: settings.ocspUrl,
  };
  const [careidIssue = 0, pkijsRate = 0, x509Rate = 0] = await bestRates(300, [
    () => ca.issue({ publicKey: subjectSpki, holder, now, notAfter: life(now) }),
    () => pkijsIssue(params),
    () => x509Issue(params),
  ]);
  const csr = await createCsr(await generateSoftwareSigner());
  const [csrRate = 0] = await bestRates(300, [
    () => ca.issue({ csr, holder, now, notAfter: life(now) }),
  ]);
  rows.push({
    measure: 'issuance, careid on PKI.js (certs/s)',
    careid: fmt(careidIssue),
    baseline: '-',
    target: '>= 300',
    pass: careidIssue >= 300,
  });
  rows.push({
    measure: 'issuance, PKI.js used directly (certs/s)',
    careid: fmt(careidIssue),
    baseline: fmt(pkijsRate),
    target: `info (${(careidIssue / pkijsRate).toFixed(2)}x)`,
    pass: undefined,
  });
  rows.push({
    measure: 'issuance, @peculiar/x509 (certs/s)',
    careid: fmt(careidIssue),
    baseline: fmt(x509Rate),
    target: `info (${(careidIssue / x509Rate).toFixed(2)}x)`,
    pass: undefined,
  });
  rows.push({
    measure: 'issuance from a CSR, careid (certs/s)',
    careid: fmt(csrRate),
    baseline: '-',
    target: 'info (adds CSR verify)',
    pass: undefined,
  });

  // The baseline writes the same certificate careid writes.
  const same = parseCertificate(await pkijsIssue(params));
  if (same.upn !== holder.upn || same.subject.map((a) => a.rdn).join() !== '0,1') {
    throw new Error('the PKI.js baseline does not write the same certificate');
  }

  // The careid certificate parses with PKI.js, careid and openssl.
  const sample = await ca.issue({ publicKey: subjectSpki, holder, now, notAfter: life(now) });
  pkijs.Certificate.fromBER(sample.certificate);
  parseCertificate(sample.certificate);
  const dir = mkdtempSync(join(tmpdir(), 'careid-bench-'));
  writeFileSync(join(dir, 'leaf.der'), sample.certificate);
  const opensslLeaf = openssl([
    'x509',
    '-inform',
    'DER',
    '-in',
    join(dir, 'leaf.der'),
    '-noout',
    '-subject',
  ]);
  if (!opensslLeaf.includes('serialNumber = 555123456789'))
    throw new Error(`openssl: ${opensslLeaf}`);

  // 3. CRLs of 10,000 and 100,000 entries: careid (repository -> signed DER) vs PKI.js objects.
  const entries: BaselineEntry[] = [];
  let filled = 0;
  async function fillTo(count: number): Promise<void> {
    for (; filled < count; filled++) {
      const serial = crypto.getRandomValues(new Uint8Array(16));
      serial[0] = (serial[0]! & 0x7f) | 0x40;
      const serialHex = Buffer.from(serial).toString('hex');
      const revokedAt = new Date(now.getTime() - (filled % 1000) * 60_000);
      await repository.insertIssued({
        serialHex,
        certificate: new Uint8Array(0),
        uuid: holder.uuid,
        notBefore: now,
        notAfter,
      });
      await repository.insertRevocation({
        serialHex,
        reason: filled % 2 ? 'keyCompromise' : 'superseded',
        revokedAt,
      });
      entries.push({ serial, revokedAt, reason: filled % 2 ? 1 : 4 });
    }
  }
  // careid's CRLs now; PKI.js's at the end, so the garbage its million objects leave does
  // not slow the rows measured after it.
  let lastSerial = '';
  const crlRuns: {
    size: number;
    build: number;
    parse: number;
    verified: boolean;
    der: Uint8Array;
  }[] = [];
  for (const size of [10_000, 100_000]) {
    await fillTo(size);
    lastSerial = Buffer.from(entries[entries.length - 1]!.serial).toString('hex');
    let der: Uint8Array = new Uint8Array(0);
    const build = await bestSeconds(async () => {
      der = await ca.generateCrl({ now });
    });
    let crl = parseCrl(der);
    const parse = await bestSeconds(async () => {
      crl = parseCrl(der);
    });
    if (crl.revoked.size < size) throw new Error('CRL lost entries');
    writeFileSync(join(dir, `crl-${size}.der`), der);
    writeFileSync(
      join(dir, 'issuing.pem'),
      `-----BEGIN CERTIFICATE-----\n${Buffer.from(ca.issuingCertificate)
        .toString('base64')
        .match(/.{1,64}/g)!
        .join('\n')}\n-----END CERTIFICATE-----\n`,
    );
    const check = openssl([
      'crl',
      '-inform',
      'DER',
      '-in',
      join(dir, `crl-${size}.der`),
      '-CAfile',
      join(dir, 'issuing.pem'),
      '-noout',
    ]);
    crlRuns.push({ size, build, parse, verified: check.includes('verify OK'), der });
  }

  // 5. OCSP responses per second (100,000 revocations in the repository).
  const request = await createOcspRequest({ issuer: ca.issuingCertificate, serials: [lastSerial] });
  globalThis.gc?.();
  const [ocspRate = 0] = await bestRates(1000, [() => ca.respondOcsp(request, now)]);
  rows.push({
    measure: 'OCSP responses (responses/s)',
    careid: fmt(ocspRate),
    baseline: '-',
    target: '>= 2,000',
    pass: ocspRate >= 2000,
  });

  // 6. Chain validations per second (leaf -> issuing -> root, with a small CRL).
  const smallCa = await createCertificateAuthority({ settings, now });
  const smallCrl = await smallCa.generateCrl({ now });
  const leaf = await smallCa.issue({ publicKey: subjectSpki, holder, now, notAfter: life(now) });
  const validations = await opsPerSecond(300, () =>
    validateCertificate({
      leaf: leaf.certificate,
      intermediates: [smallCa.issuingCertificate],
      trustedRoot: smallCa.rootCertificate,
      now,
      crls: [smallCrl],
    }),
  );
  rows.push({
    measure: 'chain validations with CRL (validations/s)',
    careid: fmt(validations),
    baseline: '-',
    target: 'info',
    pass: undefined,
  });

  // 4. Revocation lookup is O(1): a CA holding ten times the revocations answers as fast
  // (a linear scan would be ~10x slower). Same 1,000 serials looked up in both; rounds
  // interleaved and the best kept, so garbage collection does not pick a side.
  const lookupCas = new Map<number, Awaited<ReturnType<typeof createCertificateAuthority>>>();
  const probe: string[] = [];
  for (const size of [10_000, 100_000]) {
    const repo = memoryCaRepository();
    const lca = await createCertificateAuthority({ settings, now, repository: repo });
    for (let i = 0; i < size; i++) {
      const serialHex =
        i < 1000 && size === 10_000 ? randomHex() : i < 1000 ? probe[i]! : randomHex();
      if (size === 10_000 && i < 1000) probe.push(serialHex);
      await repo.insertIssued({
        serialHex,
        certificate: new Uint8Array(0),
        uuid: holder.uuid,
        notBefore: now,
        notAfter,
      });
      await repo.insertRevocation({ serialHex, reason: 'keyCompromise', revokedAt: now });
    }
    lookupCas.set(size, lca);
  }
  const best = new Map<number, number>();
  for (let round = 0; round < 3; round++) {
    for (const [size, lca] of lookupCas) {
      const rate = await opsPerSecond(50_000, (i) => lca.status(probe[i % probe.length]!));
      best.set(size, Math.max(best.get(size) ?? 0, rate));
    }
  }
  const l10k = best.get(10_000)!;
  const l100k = best.get(100_000)!;
  rows.push({
    measure: 'revocation lookup at 100k vs 10k revoked (lookups/s)',
    careid: fmt(l100k),
    baseline: fmt(l10k),
    target: `O(1): within 2x (${(l10k / l100k).toFixed(2)}x)`,
    pass: l10k / l100k < 2,
  });

  // 3 (continued). The same CRLs built, and the smaller one read, by PKI.js used directly.
  for (const run of crlRuns) {
    globalThis.gc?.();
    const pkijsBuild = await seconds(() =>
      pkijsCrl(
        ca.issuingCertificate,
        issuingPair.privateKey,
        entries.slice(0, run.size),
        now,
        new Date(now.getTime() + 7 * 86_400_000),
      ),
    );
    const label = `CRL ${run.size.toLocaleString('en-GB')} entries`;
    rows.push({
      measure: `${label}, build+sign (s)`,
      careid: run.build.toFixed(3),
      baseline: pkijsBuild.toFixed(3),
      target:
        run.size === 100_000
          ? `< 0.5 s, openssl ${run.verified ? 'OK' : 'FAIL'}`
          : `openssl ${run.verified ? 'OK' : 'FAIL'}`,
      pass: run.verified && (run.size !== 100_000 || run.build < 0.5),
    });
    // PKI.js reading 100,000 entries takes minutes here: only the smaller CRL is read.
    let pkijsParse: number | undefined;
    if (run.size <= 10_000) {
      globalThis.gc?.();
      let count = 0;
      pkijsParse = await seconds(async () => {
        count = pkijsParseCrl(run.der).size;
      });
      if (count !== run.size) throw new Error('PKI.js read another CRL');
    }
    rows.push({
      measure: `${label}, parse (s)`,
      careid: run.parse.toFixed(3),
      baseline: pkijsParse === undefined ? 'not run' : pkijsParse.toFixed(3),
      target: 'info (PKI.js: node cap lifted)',
      pass: undefined,
    });
  }

  const header = ['measure', 'careid', 'baseline', 'target', 'result'];
  const lines = rows.map((r) => [
    r.measure,
    r.careid,
    r.baseline,
    r.target,
    r.pass === undefined ? '-' : r.pass ? 'PASS' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`careid/pki bench, node ${process.version}, ${new Date().toISOString()}`);
  console.log(row(header));
  console.log(`|${widths.map((w) => ` ${'-'.repeat(w)} `).join('|')}|`);
  for (const l of lines) console.log(row(l));
  if (rows.some((r) => r.pass === false)) process.exitCode = 1;
}

await main();
