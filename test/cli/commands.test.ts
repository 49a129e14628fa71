import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, webcrypto } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectVirtualCard, VirtualPivCard } from '../../src/card/index.js';
import { pem } from '../../src/cli/format.js';
import { main, runCardCommand } from '../../src/cli/main.js';
import { DEFAULT_CA_SETTINGS, printableStoreUrl } from '../../src/cli/workspace.js';
import { createRegistrationAuthority } from '../../src/index.js';
import {
  createCertificateAuthority,
  createOcspRequest,
  parseOcspResponse,
  type Signer,
  softwareSigner,
} from '../../src/pki/index.js';
import { fileCheckpointSink } from '../../src/storage/file/index.js';
import { storeCaRepository, withAuditCheckpoints } from '../../src/storage/index.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import { applicant } from '../ra/fixtures.js';
import { POSTGRES_URL, postgresSkip } from '../support/postgres.js';
import { buildCli, type CliRun, COMMAND_NAMES, collect, runCli, waitForLine } from './support.js';

const VAULT_KEY = randomBytes(32);
const ENV = { CAREID_VAULT_KEY: VAULT_KEY.toString('base64') };
const AGENT = '555000000002';
const CRL_URL = 'http://pki.dorset.example.nhs.uk/issuing.crl';
const OCSP_URL = 'http://ocsp.dorset.example.nhs.uk/';

/** The example of docs/seed-file.md, as a reader would copy it. */
function seedExample(): string {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'seed-file.md'), 'utf8');
  const block = /```json\n([\s\S]*?)```/.exec(doc)?.[1];
  if (block === undefined) throw new Error('docs/seed-file.md has no json example');
  return block;
}

function openssl(args: string[], input?: string): string {
  return execFileSync('openssl', args, {
    encoding: 'utf8',
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** `main` in this process, for the checks that need no separate process. */
async function inProcess(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** A finished command: it exited by itself (no kill), with this code. */
function exited(run: CliRun, code: number): CliRun {
  expect(run.signal, `killed after the timeout: it hung\n${run.stdout}\n${run.stderr}`).toBeNull();
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(code);
  return run;
}

describe('careid as a desk runs it: every command a separate process, with a timeout', () => {
  let bin: string;
  let cleanup = () => {};
  let dir: string;
  let store: string;
  let cli: (args: string[], options?: Parameters<typeof runCli>[2]) => Promise<CliRun>;
  let cardSerial: string;
  let certificateSerial: string;

  beforeAll(async () => {
    ({ bin, cleanup } = await buildCli());
    dir = mkdtempSync(join(tmpdir(), 'careid-cli-'));
    store = join(dir, 'ra.sqlite');
    cli = (args, options = {}) =>
      runCli(bin, args, { ...options, env: { ...ENV, ...options.env } });
  });
  afterAll(() => {
    cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--version, --help and -h; every command has --help; usage errors exit 2 with a clear message', async () => {
    const version = exited(await cli(['--version']), 0);
    expect(version.stdout.trim()).toBe(
      JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'))
        .version,
    );
    const help = exited(await cli(['--help']), 0);
    for (const name of COMMAND_NAMES) expect(help.stdout).toContain(`  ${name} `);
    expect(exited(await cli(['-h']), 0).stdout).toBe(help.stdout);
    expect(exited(await cli(['card', 'issue', '-h']), 0).stdout).toMatch(
      /^usage: careid card issue [\s\S]*--user UUID[\s\S]*-h, --help/,
    );
    // Every command's help and usage checks, from the same table, in this process.
    for (const name of COMMAND_NAMES) {
      const run = await inProcess([...name.split(' '), '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^usage: careid ${name}`));
      expect(run.stdout).toContain('-h, --help');
    }

    const children = await Promise.all([
      cli(['card', 'cancel', '--store', store, '--bogus']),
      cli(['card', 'status', '--reader']),
      cli(['frobnicate']),
    ]);
    for (const run of children) {
      exited(run, 2);
      expect(run.stdout).toBe('');
    }
    expect(children[0]?.stderr).toContain("Unknown option '--bogus'");
    expect(children[0]?.stderr).toContain("run 'careid card cancel --help'");
    expect(children[1]?.stderr).toContain("Option '--reader <value>' argument missing");
    expect(children[2]?.stderr).toContain("unknown command 'frobnicate'");
    const cases: [string[], string | RegExp][] = [
      [
        ['card', 'issue', '--store', store, '--actor', AGENT, '--reader', '--user-present'],
        "'--reader'",
      ],
      [['audit', 'verify'], '--store is required'],
      [['seed', '--store', store], 'missing argument'],
      [['audit', 'verify', '--store', store, 'extra'], /unexpected argument 'extra'/i],
      [['card', 'frobnicate'], "unknown command 'frobnicate'"],
      [
        [
          'reports',
          'export',
          '--store',
          store,
          '--actor',
          AGENT,
          '--report',
          'x',
          '--filter',
          'nonsense',
        ],
        '--filter takes NAME=VALUE',
      ],
      [['ocsp', 'serve', '--store', store, '--port', 'eighty'], '--port takes a TCP port'],
      [
        [
          'init',
          '--store',
          store,
          '--crl-url',
          CRL_URL,
          '--ocsp-url',
          OCSP_URL,
          '--validity-days',
          '730',
        ],
        "CARD-04: card certificate life is the rule pack's certificateLifeYears",
      ],
      [['ca', 'export', '--store', store, '--only', 'keys'], '--only takes chain or crl'],
    ];
    for (const [args, message] of cases) {
      const run = await inProcess(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      if (typeof message === 'string') expect(run.stderr).toContain(message);
      else expect(run.stderr).toMatch(message);
    }
  });

  it('init: refuses without a vault key and with a bad URL (nothing left behind), then sets up store, CA and vault once', async () => {
    const noKey = exited(
      await cli(['init', '--store', store, '--crl-url', CRL_URL, '--ocsp-url', OCSP_URL], {
        env: { CAREID_VAULT_KEY: '' },
      }),
      1,
    );
    expect(noKey.stderr).toContain('CAREID_VAULT_KEY');
    const badUrl = exited(
      await cli(['init', '--store', store, '--crl-url', 'ftp://x', '--ocsp-url', OCSP_URL]),
      1,
    );
    expect(badUrl.stderr).toMatch(/crlUrl.*http\(s\) URL.*\[VALIDATION\]/);
    expect(existsSync(join(`${store}.ca`, 'keys.sealed'))).toBe(false);

    const init = exited(
      await cli([
        'init',
        '--store',
        store,
        '--crl-url',
        CRL_URL,
        '--ocsp-url',
        OCSP_URL,
        '--root-name',
        'Dorset RA Root',
        '--issuing-name',
        'Dorset RA Issuing',
        '--organization',
        'NHS Dorset',
      ]),
      0,
    );
    expect(init.stdout).toContain('root CA: O=NHS Dorset, CN=Dorset RA Root');
    expect(init.stdout).toContain('issuing CA: O=NHS Dorset, CN=Dorset RA Issuing');
    expect(init.stdout).toContain(`CRL URL ${CRL_URL}; OCSP URL ${OCSP_URL}`);
    // The CA keys are sealed: no JWK, no private scalar, in any file of the CA directory.
    const sealed = readFileSync(join(`${store}.ca`, 'keys.sealed'));
    expect(sealed.includes('"d"')).toBe(false);
    expect(sealed.includes('kty')).toBe(false);
    expect(existsSync(`${store}.vault`)).toBe(true);

    const again = exited(
      await cli(['init', '--store', store, '--crl-url', CRL_URL, '--ocsp-url', OCSP_URL]),
      1,
    );
    expect(again.stderr).toContain('already holds a CA');
    const wrongKey = exited(
      await cli(['ca', 'export', '--store', store], {
        env: { CAREID_VAULT_KEY: randomBytes(32).toString('base64') },
      }),
      1,
    );
    expect(wrongKey.stderr).toContain('do not open with this CAREID_VAULT_KEY');
  });

  it('seed: the documented example loads; a bad record or a second load writes nothing', async () => {
    const bad = JSON.parse(seedExample());
    bad.positions[1].jobRole = 'nurse';
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    const refused = exited(await cli(['seed', '--store', store, join(dir, 'bad.json')]), 1);
    expect(refused.stderr).toContain('positions.1.jobRole');
    const typo = { ...JSON.parse(seedExample()), organizations: [] };
    writeFileSync(join(dir, 'typo.json'), JSON.stringify(typo));
    expect(
      exited(await cli(['seed', '--store', store, join(dir, 'typo.json')]), 1).stderr,
    ).toContain('organizations');
    expect(
      exited(await cli(['seed', '--store', store, join(dir, 'missing.json')]), 1).stderr,
    ).toContain('not readable JSON');

    writeFileSync(join(dir, 'seed.json'), seedExample());
    const seeded = exited(await cli(['seed', '--store', store, join(dir, 'seed.json')]), 0);
    expect(seeded.stdout).toContain('seeded 2 organisations, 4 positions, 3 users, 3 assignments');
    const twice = exited(await cli(['seed', '--store', store, join(dir, 'seed.json')]), 1);
    expect(twice.stderr).toContain('[DUPLICATE]');
    const audit = exited(await cli(['audit', 'verify', '--store', store]), 0);
    expect(audit.stdout).toContain('audit chain intact: 1 records');
  });

  it('CARD-01 a card issued at the desk (in process, virtual card) is in the store; card record shows holder, status and certificate without a reader', async () => {
    const card = new VirtualPivCard({ serial: 60_000_001 });
    const io = { out: (_: string) => {}, err: (l: string) => errors.push(l) };
    const errors: string[] = [];
    const options = {
      connect: async () => connectVirtualCard(card),
      readSecret: async () => '246810',
      vaultKey: new Uint8Array(VAULT_KEY),
    };
    const common = ['--store', store, '--actor', AGENT];
    expect(await runCardCommand(['stock', ...common], io, options), errors.join('\n')).toBe(0);
    const photo = join(dir, 'photo.jpg');
    writeFileSync(photo, 'a facial image');
    // The holder: a profile with a complete identity check (ID-01), made through the RA.
    const db = sqliteStore(store);
    const ra = createRegistrationAuthority({ store: db });
    const holder = (await ra.users.create(AGENT, applicant)).uuid;
    await ra.assignments.assign(AGENT, {
      user: holder,
      position: 'pos-dispenser',
      start: new Date().toISOString().slice(0, 10),
    });
    await db.close();
    const issued = await runCardCommand(
      ['issue', ...common, '--user', holder, '--photo', photo, '--user-present'],
      io,
      options,
    );
    expect(issued, errors.join('\n')).toBe(0);
    cardSerial = '0060000001';

    const record = exited(
      await cli(['card', 'record', '--store', store, '--serial', cardSerial], {
        env: { CAREID_HIDE_PEERS: 'pcsclite' },
      }),
      0,
    );
    expect(record.stdout).toContain(`card ${cardSerial}: issued`);
    expect(record.stdout).toContain(`holder: ${holder} (Alex Rivers)`);
    expect(record.stdout).toContain('certificates: 1');
    const cert = /^ {2}([0-9a-f]+): active; valid .*CN=Alex Rivers/m.exec(record.stdout);
    expect(cert, record.stdout).not.toBeNull();
    certificateSerial = cert?.[1] as string;
    const unknown = exited(
      await cli(['card', 'record', '--store', store, '--serial', '0099999999']),
      1,
    );
    expect(unknown.stderr).toContain('[NOT_FOUND]');
  });

  it('ocsp serve answers openssl (POST) and a GET (RFC 6960 A.1): good, then revoked once the card is cancelled without a reader; ca export gives a chain and CRL openssl verifies', async () => {
    const exported = exited(await cli(['ca', 'export', '--store', store, '--only', 'chain']), 0);
    const pems = exported.stdout.match(
      /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/g,
    );
    expect(pems).toHaveLength(2);
    const [issuingPem, rootPem] = pems as [string, string];
    writeFileSync(join(dir, 'issuing.pem'), issuingPem);
    writeFileSync(join(dir, 'root.pem'), rootPem);
    expect(
      openssl(['verify', '-CAfile', join(dir, 'root.pem'), join(dir, 'issuing.pem')]),
    ).toContain('OK');

    const server = spawn(
      process.execPath,
      [bin, 'ocsp', 'serve', '--store', store, '--port', '0'],
      {
        env: { ...process.env, ...ENV },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    const done = collect(server, undefined, 60_000);
    try {
      const [, url] = await waitForLine(server, /listening on (http:\/\/127\.0\.0\.1:\d+\/)/);
      const ask = () =>
        openssl([
          'ocsp',
          '-issuer',
          join(dir, 'issuing.pem'),
          '-CAfile',
          join(dir, 'root.pem'),
          '-serial',
          `0x${certificateSerial}`,
          '-url',
          url as string,
        ]);
      expect(ask()).toMatch(new RegExp(`0x${certificateSerial}: good`, 'i'));
      const getStatus = async () => {
        const request = await createOcspRequest({
          issuer: new Uint8Array(
            Buffer.from(issuingPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'),
          ),
          serials: [certificateSerial],
        });
        const response = await fetch(
          `${url}${encodeURIComponent(Buffer.from(request).toString('base64'))}`,
        );
        expect(response.headers.get('content-type')).toBe('application/ocsp-response');
        const parsed = parseOcspResponse(new Uint8Array(await response.arrayBuffer()));
        return parsed.basic?.responses[0]?.answer.status;
      };
      expect(await getStatus()).toBe('good');
      // Not OCSP: refused by method; a malformed request gets malformedRequest (1), unsigned.
      expect((await fetch(url as string, { method: 'PUT' })).status).toBe(405);
      const junk = await fetch(url as string, {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request' },
        body: new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]),
      });
      expect(parseOcspResponse(new Uint8Array(await junk.arrayBuffer())).status).toBe(1);

      // CARD-10: cancelled at the desk with no reader and no PC/SC library at all.
      const notAUser = exited(
        await cli([
          'card',
          'cancel',
          '--store',
          store,
          '--actor',
          '555000000099',
          '--serial',
          cardSerial,
          '--reason',
          'lost',
        ]),
        1,
      );
      expect(notAUser.stderr).toContain(
        'actor 555000000099 (no user profile with this UUID in the store) does not exist',
      );
      expect(notAUser.stderr).not.toContain('profile is closed');
      const cancelled = exited(
        await cli(
          [
            'card',
            'cancel',
            '--store',
            store,
            '--actor',
            AGENT,
            '--serial',
            cardSerial,
            '--reason',
            'lost',
          ],
          { env: { CAREID_HIDE_PEERS: 'pcsclite' } },
        ),
        0,
      );
      expect(cancelled.stdout).toContain(`card ${cardSerial}: cancelled`);
      expect(cancelled.stdout).toContain(`revoked: ${certificateSerial}`);
      expect(ask()).toMatch(new RegExp(`0x${certificateSerial}: revoked`, 'i'));
      expect(await getStatus()).toBe('revoked');
      const refusedAgain = exited(
        await cli([
          'card',
          'cancel',
          '--store',
          store,
          '--actor',
          AGENT,
          '--serial',
          cardSerial,
          '--reason',
          'lost',
        ]),
        1,
      );
      expect(refusedAgain.stderr).toMatch(/careid card cancel: /);
    } finally {
      server.kill('SIGTERM');
    }
    const stopped = exited(await done, 0);
    expect(stopped.stdout).toContain('OCSP responder stopped');

    const record = exited(
      await cli(['card', 'record', '--store', store, '--serial', cardSerial]),
      0,
    );
    expect(record.stdout).toContain(`card ${cardSerial}: cancelled`);
    expect(record.stdout).toMatch(/cancelled: .* by 555000000002, reason lost/);
    expect(record.stdout).toMatch(
      new RegExp(`${certificateSerial}: revoked \\(keyCompromise|${certificateSerial}: revoked`),
    );

    const all = exited(await cli(['ca', 'export', '--store', store]), 0);
    const crl = /-----BEGIN X509 CRL-----[\s\S]*?-----END X509 CRL-----\n/.exec(all.stdout)?.[0];
    expect(crl).toBeDefined();
    writeFileSync(join(dir, 'crl.pem'), crl as string);
    const text = openssl([
      'crl',
      '-in',
      join(dir, 'crl.pem'),
      '-CAfile',
      join(dir, 'issuing.pem'),
      '-text',
      '-noout',
    ]);
    expect(text.toUpperCase()).toContain(certificateSerial.toUpperCase());
  });

  it('reports: list and export (CSV on stdout, progress on stderr); an unknown report is refused', async () => {
    const list = exited(await cli(['reports', 'list', '--store', store, '--actor', AGENT]), 0);
    expect(list.stdout).toMatch(/^certificates-expiring /m);
    const csv = exited(
      await cli([
        'reports',
        'export',
        '--store',
        store,
        '--actor',
        AGENT,
        '--report',
        'card-types',
        '--filter',
        'organisation=FA123',
      ]),
      0,
    );
    expect(csv.stdout.split('\r\n')[0]).toMatch(/,/);
    expect(csv.stderr).toMatch(/card-types: \d+ rows written/);
    const unknown = exited(
      await cli(['reports', 'export', '--store', store, '--actor', AGENT, '--report', 'nonsense']),
      1,
    );
    expect(unknown.stderr).toContain('[VALIDATION]');
    expect(unknown.stdout).toBe('');
  });

  it('AUD-01 audit verify: progress and the head; an anchor that still holds; then a changed record is named', async () => {
    const ok = exited(await cli(['audit', 'verify', '--store', store]), 0);
    expect(ok.stderr).toMatch(/\d+ records to check/);
    const head = /^head (\d+:[0-9a-f]{64})$/m.exec(ok.stdout)?.[1] as string;
    expect(head).toBeDefined();
    exited(await cli(['audit', 'verify', '--store', store, '--anchor', head]), 0);
    exited(await cli(['audit', 'verify', '--store', store, '--anchor', 'nonsense']), 2);

    // Someone with the database file drops the append-only triggers and edits record 2.
    const db = new Database(store);
    for (const { name } of db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")
      .all() as { name: string }[]) {
      db.exec(`DROP TRIGGER "${name}"`);
    }
    const row = db.prepare('SELECT event FROM audit_log WHERE seq = 2').get() as { event: string };
    db.prepare('UPDATE audit_log SET event = ? WHERE seq = 2').run(
      row.event.replace('555000000002', '555000000001'),
    );
    db.close();
    const broken = exited(await cli(['audit', 'verify', '--store', store]), 1);
    expect(broken.stdout).toContain('audit chain BROKEN at record 2 (hash)');
    const anchored = exited(await cli(['audit', 'verify', '--store', store, '--anchor', head]), 1);
    expect(anchored.stdout).toContain('BROKEN');
  });

  it('AUD-03 audit verify --checkpoints: a store written through withAuditCheckpoints verifies; a cut tail is named truncated; no key is refused', async () => {
    const file = join(dir, 'anchored.sqlite');
    const sinkFile = join(dir, 'anchored.checkpoints.json');
    const key = randomBytes(32);
    const anchored = withAuditCheckpoints(sqliteStore(file), {
      key,
      sink: fileCheckpointSink(sinkFile),
    });
    for (let i = 0; i < 5; i++) {
      await anchored.transaction((tx) =>
        tx.audit.append({
          at: '2026-11-22T10:00:00.000Z' as never,
          actor: AGENT,
          activity: 'user.find',
          target: `t${i}`,
          outcome: 'allowed',
          reasons: [],
          details: {},
        }),
      );
    }
    await anchored.close();
    const withKey = { env: { CAREID_AUDIT_KEY: key.toString('base64') } };
    const args = ['audit', 'verify', '--store', file, '--checkpoints', sinkFile];
    const ok = exited(await cli(args, withKey), 0);
    expect(ok.stdout).toContain('audit chain intact: 5 records');
    expect(ok.stdout).toMatch(/checkpoints matched: [1-9]/);
    const noKey = exited(await cli(args), 1);
    expect(noKey.stderr).toContain('CAREID_AUDIT_KEY');

    // Someone with the database file drops the triggers, deletes the last two records and
    // moves the head back: the chain alone still verifies, the checkpoints do not.
    const db = new Database(file);
    for (const { name } of db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
      .all() as { name: string }[]) {
      db.exec(`DROP TRIGGER "${name}"`);
    }
    db.prepare('DELETE FROM audit_log WHERE seq > 3').run();
    const kept = db.prepare('SELECT hash FROM audit_log WHERE seq = 3').get() as { hash: string };
    db.prepare('UPDATE audit_head SET seq = 3, hash = ? WHERE id = 1').run(kept.hash);
    db.close();
    exited(await cli(['audit', 'verify', '--store', file]), 0);
    const cut = exited(await cli(args, withKey), 1);
    expect(cut.stdout).toMatch(/audit chain BROKEN at record \d+ \(truncated\)/);
  });

  it('a missing optional peer is named with its install command, in the CLI too (exit 1, no stack trace)', async () => {
    const run = exited(
      await cli(['audit', 'verify', '--store', store], {
        env: { CAREID_HIDE_PEERS: 'better-sqlite3' },
      }),
      1,
    );
    expect(run.stderr).toContain(
      'careid/storage/sqlite needs the optional peer dependency `better-sqlite3`, which is not installed: run `npm install better-sqlite3` [OPTIONAL_PEER_MISSING]',
    );
    expect(run.stderr).not.toContain('    at ');
  });

  it.skipIf(postgresSkip !== undefined)(
    'on PostgreSQL (a schema of its own): init needs --ca-dir and --vault-dir, then init, seed and audit verify run and exit',
    async () => {
      const schema = `cli_${randomBytes(6).toString('hex')}`;
      const at = ['--store', POSTGRES_URL, '--schema', schema];
      const urls = ['--crl-url', CRL_URL, '--ocsp-url', OCSP_URL];
      try {
        const noDirs = exited(await cli(['init', ...at, ...urls]), 2);
        expect(noDirs.stderr).toContain('give --ca-dir and --vault-dir');
        const dirs = ['--ca-dir', join(dir, 'pg.ca'), '--vault-dir', join(dir, 'pg.vault')];
        const init = exited(await cli(['init', ...at, ...urls, ...dirs]), 0);
        expect(init.stdout).toContain('schema migrated');
        exited(await cli(['seed', ...at, join(dir, 'seed.json')]), 0);
        const audit = exited(await cli(['audit', 'verify', ...at]), 0);
        expect(audit.stdout).toContain('audit chain intact: 1 records');
        const chain = exited(await cli(['ca', 'export', ...at, ...dirs, '--only', 'chain']), 0);
        expect(chain.stdout.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
      } finally {
        const client = new pg.Client({ connectionString: POSTGRES_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
    },
  );

  it('a password in a PostgreSQL URL is never printed', () => {
    expect(printableStoreUrl('postgres://ra:s3cret@db.example/careid')).toBe(
      'postgres://ra:***@db.example/careid',
    );
    expect(printableStoreUrl('ra.sqlite')).toBe('ra.sqlite');
  });

  it('the plain JWK CA keys of an earlier careid are sealed under the vault key on first use, and the CA opens with them', async () => {
    const legacy = join(dir, 'legacy.sqlite');
    const caDir = `${legacy}.ca`;
    mkdirSync(caDir);
    const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
    const signers = new Map<string, Signer>();
    for (const role of ['root', 'issuing', 'ocsp']) {
      const pair = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
      const jwk = await webcrypto.subtle.exportKey('jwk', pair.privateKey);
      writeFileSync(join(caDir, `${role}.jwk.json`), JSON.stringify(jwk), { mode: 0o600 });
      signers.set(
        role,
        await softwareSigner({ privateKey: pair.privateKey, publicKey: pair.publicKey }),
      );
    }
    const db = sqliteStore(legacy);
    const ca = await createCertificateAuthority({
      settings: DEFAULT_CA_SETTINGS,
      now: new Date(),
      repository: storeCaRepository(db),
      rootSigner: signers.get('root') as Signer,
      issuingSigner: signers.get('issuing') as Signer,
      ocspSigner: signers.get('ocsp') as Signer,
    });
    await db.close();
    const chain = exited(await cli(['ca', 'export', '--store', legacy, '--only', 'chain']), 0);
    expect(chain.stdout.startsWith(pem('CERTIFICATE', ca.issuingCertificate))).toBe(true);
    expect(readdirSync(caDir).sort()).toEqual(['keys.sealed', 'settings.json']);
  });
});
