/**
 * bench/bundle: what `careid/policy` costs a front end. Bundles `decide` + `whatCan` +
 * `explain` with esbuild for the browser (tree-shaken, minified) and prints the minified
 * and gzipped sizes, with the largest inputs; CASL's equivalent (`createMongoAbility` +
 * `subject`) bundled the same way in the same run as the named baseline. When
 * `npm run build` has made `dist/`, the published `careid/policy` is bundled too.
 * Run: `npm run bench -- bundle`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BenchRow, type BenchTarget, printTables } from '../lib/table.js';
import { type Bundle, bundleFor, POLICY } from './build.js';

const kb = (bytes: number) => bytes / 1024;
const gzipped = (code: string) => gzipSync(code, { level: 9 }).length;

/** The inputs that put the most bytes into the bundle, with their share. */
function largest(bundle: Bundle, count: number): string {
  const output = Object.values(bundle.metafile.outputs)[0]!;
  const total = output.bytes;
  const byPackage = new Map<string, number>();
  for (const [path, input] of Object.entries(output.inputs)) {
    const name = path.startsWith('node_modules/')
      ? path
          .split('/')
          .slice(0, path.split('/')[1]!.startsWith('@') ? 3 : 2)
          .join('/')
      : path.split('/').slice(0, 2).join('/');
    byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput);
  }
  return [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, bytes]) => `${name} ${((100 * bytes) / total).toFixed(0)}%`)
    .join(', ');
}

const policy = await bundleFor(POLICY, ['decide', 'whatCan', 'explain'], { format: 'esm' });
const casl = await bundleFor('@casl/ability', ['createMongoAbility', 'subject'], {
  format: 'esm',
});
const policyGzip = gzipped(policy.code);
// The published build (`npm run build`), as a front end bundling the npm package meets it:
// tsup's shared chunks included.
const DIST = join(import.meta.dirname, '..', '..', 'dist', 'policy', 'index.js');
const published = existsSync(DIST)
  ? await bundleFor(DIST, ['decide', 'whatCan', 'explain'], { format: 'esm' })
  : undefined;
const caslGzip = gzipped(casl.code);

const rows: BenchRow[] = [
  {
    name: 'careid/policy: decide + whatCan + explain, minified',
    value: kb(policy.code.length),
    unit: 'KB',
    note: `largest inputs: ${largest(policy, 4)}`,
  },
  { name: 'careid/policy: decide + whatCan + explain, gzipped', value: kb(policyGzip), unit: 'KB' },
  ...(published === undefined
    ? []
    : [
        {
          name: 'the same from the published build (dist/policy), gzipped',
          value: kb(gzipped(published.code)),
          unit: 'KB',
          note: 'tsup output with its shared chunks, as bundled from the npm package',
        },
      ]),
  {
    name: '@casl/ability: createMongoAbility + subject, minified (baseline)',
    value: kb(casl.code.length),
    unit: 'KB',
  },
  {
    name: '@casl/ability: createMongoAbility + subject, gzipped (baseline)',
    value: kb(caslGzip),
    unit: 'KB',
    note: 'CASL holds no matrix, rules, reasons or validation: the host writes those',
  },
];
const targets: BenchTarget[] = [
  {
    name: 'decide + whatCan + explain <= 25 KB gzipped',
    pass: policyGzip <= 25 * 1024,
    detail: `${kb(policyGzip).toFixed(1)} KB (${(policyGzip / caslGzip).toFixed(1)} x CASL)`,
  },
];
printTables(`bench/bundle (esbuild, platform browser, minified, gzip -9)`, rows, targets);
