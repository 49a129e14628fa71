import { parseCertificate } from '../../pki/index.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { subjectOf } from '../format.js';
import {
  createWorkspaceCa,
  DIR_FLAGS,
  hasCa,
  openStore,
  printableStoreUrl,
  STORE_FLAGS,
  upgradeLegacyCa,
  VAULT_NOTES,
  vaultKeyFrom,
  workspaceChuidSigner,
  workspaceDirs,
  workspaceVault,
} from '../workspace.js';

/** `careid init`: a store migrated, a CA with the operator's names and URLs, a vault. */
export const initCommand: Command = {
  name: 'init',
  synopsis: '--store URL --crl-url URL --ocsp-url URL [--root-name CN] [--issuing-name CN] ...',
  summary:
    'Sets up a store for an RA: migrates its schema, creates the CA (root, issuing CA, OCSP responder) with the names and URLs given, its keys sealed under CAREID_VAULT_KEY, and the vault for card secrets.',
  flags: {
    ...STORE_FLAGS,
    ...DIR_FLAGS,
    'crl-url': {
      type: 'string',
      required: true,
      value: 'URL',
      help: 'where relying parties fetch the issuing CA CRL (written in every card certificate)',
    },
    'ocsp-url': {
      type: 'string',
      required: true,
      value: 'URL',
      help: 'the OCSP responder URL (written in every card certificate)',
    },
    'ca-issuers-url': {
      type: 'string',
      value: 'URL',
      help: 'where the issuing CA certificate is published (AIA caIssuers)',
    },
    'root-name': {
      type: 'string',
      value: 'CN',
      help: 'root CA common name (default careid Root CA)',
    },
    'issuing-name': {
      type: 'string',
      value: 'CN',
      help: 'issuing CA common name (default careid Issuing CA)',
    },
    organization: { type: 'string', value: 'O', help: 'organisation name in both CA names' },
    'validity-days': {
      type: 'string',
      value: 'DAYS',
      help: "removed: card certificate life is the rule pack's certificateLifeYears (CARD-04)",
    },
  },
  notes: VAULT_NOTES,
  async run(flags, ctx) {
    const organization = flags.string('organization');
    const org = organization === undefined ? {} : { organization };
    if (flags.string('validity-days') !== undefined) {
      throw new UsageError(
        "careid init: --validity-days is gone (CARD-04: card certificate life is the rule pack's certificateLifeYears; national: 3 years)",
      );
    }
    const caIssuersUrl = flags.string('ca-issuers-url');
    const settings = {
      root: { commonName: flags.string('root-name') ?? 'careid Root CA', ...org },
      issuing: { commonName: flags.string('issuing-name') ?? 'careid Issuing CA', ...org },
      crlUrl: flags.required('crl-url'),
      ocspUrl: flags.required('ocsp-url'),
      ...(caIssuersUrl === undefined ? {} : { caIssuersUrl }),
    };
    const vaultKey = ctx.vaultKey ?? vaultKeyFrom(ctx.env);
    const dirs = workspaceDirs(flags);
    upgradeLegacyCa(dirs, vaultKey);
    if (hasCa(dirs)) {
      ctx.io.err(`careid init: ${dirs.caDir} already holds a CA; nothing was changed`);
      return 1;
    }
    const store = await openStore(flags);
    try {
      const applied = (await store.migrate?.()) ?? [];
      ctx.io.out(
        `store ${printableStoreUrl(flags.required('store'))}: schema ${applied.length > 0 ? `migrated (${applied.join(', ')})` : 'up to date'}`,
      );
      const ca = await createWorkspaceCa(store, dirs, vaultKey, settings, ctx.clock());
      const chuid = await workspaceChuidSigner(store, dirs, vaultKey, ca, ctx.clock());
      workspaceVault(dirs, vaultKey);
      for (const [what, der] of [
        ['root CA', ca.rootCertificate],
        ['issuing CA', ca.issuingCertificate],
        ['OCSP responder', ca.ocspCertificate],
        ['CHUID content signer', chuid.certificate],
      ] as const) {
        const cert = parseCertificate(der);
        ctx.io.out(`${what}: ${subjectOf(cert)}; valid until ${cert.notAfter.toISOString()}`);
      }
      ctx.io.out(`CRL URL ${settings.crlUrl}; OCSP URL ${settings.ocspUrl}`);
      ctx.io.out(`CA keys sealed under CAREID_VAULT_KEY in ${dirs.caDir}`);
      ctx.io.out(`card secrets vault: ${dirs.vaultDir}`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
