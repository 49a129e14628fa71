/**
 * The RA as a host runs it across restarts, opened the same way by the process that is
 * killed (ra-worker.ts) and by the test process that plays the restarted host: a SQLite
 * file or a PostgreSQL schema, the CA's keys sealed in a file (the CLI's format) with its
 * certificates in the store, and the card secrets sealed in a directory (the CLI's vault).
 * Nothing of one process's memory reaches the other.
 */
import { join } from 'node:path';
import { openCaKeys } from '../../src/cli/ca-keys.js';
import { directorySealedStorage } from '../../src/cli/workspace.js';
import { type CaSettingsInput, createCertificateAuthority } from '../../src/pki/index.js';
import { aesGcmKeyVault, createRegistrationAuthority } from '../../src/ra/index.js';
import { type Store, storeCaRepository } from '../../src/storage/index.js';
import { postgresStore } from '../../src/storage/postgres/index.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';

/** Where one world keeps everything; plain JSON, handed to each worker process. */
export interface WorldConfig {
  readonly adapter: 'sqlite' | 'postgres';
  /** The SQLite file, or the PostgreSQL URL. */
  readonly location: string;
  /** The PostgreSQL schema. */
  readonly schema?: string;
  /** A directory of this world's: the sealed CA keys and the card vault live in it. */
  readonly dir: string;
  /** The vault key, base64 (seals the CA keys and the card secrets). */
  readonly vaultKey: string;
}

export const CA_SETTINGS: CaSettingsInput = {
  root: { commonName: 'careid Crash Root' },
  issuing: { commonName: 'careid Crash Issuing' },
  crlUrl: 'http://pki.careid.test/issuing.crl',
  ocspUrl: 'http://ocsp.careid.test/',
};

/** The sealed CA keys of a world. */
export const caKeysPath = (config: WorldConfig) => join(config.dir, 'ca-keys.sealed');

/** Opens the world's store. */
export function openStore(config: WorldConfig): Store {
  return config.adapter === 'sqlite'
    ? sqliteStore(config.location)
    : postgresStore(config.location, config.schema === undefined ? {} : { schema: config.schema });
}

/**
 * Opens the RA of a world over a fresh store connection, with the CA reopened from the
 * store and the sealed keys (it must exist: the test process creates it first), the vault
 * over the world's directory and the given clock.
 */
export async function openWorld(config: WorldConfig, clock: () => Date, store = openStore(config)) {
  const key = new Uint8Array(Buffer.from(config.vaultKey, 'base64'));
  const keys = await openCaKeys(caKeysPath(config), key);
  const ca = await createCertificateAuthority({
    settings: CA_SETTINGS,
    now: clock(),
    repository: storeCaRepository(store),
    rootSigner: keys.root,
    issuingSigner: keys.issuing,
    ocspSigner: keys.ocsp,
  });
  const keyVault = aesGcmKeyVault({
    key,
    storage: directorySealedStorage(join(config.dir, 'vault')),
  });
  const ra = createRegistrationAuthority({ store, clock, certificateAuthority: ca, keyVault });
  return { store, ca, keyVault, ra };
}

/** The card operations the harness kills, as a worker runs them. */
export const OPERATIONS = ['issue', 'renew', 'repair', 'clear', 'replace', 'unlock'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** One operation for a worker (or the test process) to run on the card in the reader. */
export interface Job {
  readonly op: Operation;
  readonly actor: string;
  readonly input: unknown;
  /** The RA's clock for this job. */
  readonly now: string;
  /** The card's ATR, hex. */
  readonly atr: string;
}

/** Runs a job's operation on an RA. */
export function runOperation(
  ra: Awaited<ReturnType<typeof openWorld>>['ra'],
  job: Pick<Job, 'op' | 'actor' | 'input'>,
  reader: Parameters<typeof ra.smartcards.issue>[2],
) {
  const s = ra.smartcards;
  const input = job.input as never;
  switch (job.op) {
    case 'issue':
      return s.issue(job.actor, input, reader);
    case 'renew':
      return s.renew(job.actor, input, reader);
    case 'repair':
      return s.repair(job.actor, input, reader);
    case 'clear':
      return s.clear(job.actor, input, reader);
    case 'replace':
      return s.replace(job.actor, input, reader);
    case 'unlock':
      return s.unlock(job.actor, input, reader);
  }
}
