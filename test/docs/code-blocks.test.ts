import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

// The README's and the guides' TypeScript blocks, exactly as a reader copies them: each is
// written to a file inside the package (so `import ... from 'careid'` resolves through the
// package's own `exports`, to the built dist), type-checked together with strict settings,
// then run as a child process. A block fenced ```ts runs; ```ts check is only type-checked
// (it needs a card reader or another outside service).

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const out = join(root, '.tmp', 'doc-blocks');

interface Block {
  readonly source: string;
  readonly line: number;
  readonly code: string;
  readonly runs: boolean;
  readonly file: string;
}

function blocksOf(source: string): Block[] {
  const lines = readFileSync(join(root, source), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript)(\s+check)?\s*$/.exec(lines[i] ?? '');
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !(lines[end] ?? '').startsWith('```')) end++;
    const name = `${source.replace(/[^a-z0-9]+/gi, '-')}-L${start}.ts`;
    blocks.push({
      source,
      line: start,
      code: lines.slice(start, end).join('\n'),
      runs: open[2] === undefined,
      file: join(out, name),
    });
    i = end;
  }
  return blocks;
}

const documents = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const blocks = documents.flatMap(blocksOf);

describe('code blocks in the README and the guides', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist', 'index.js'))) {
      throw new Error('dist/ is missing: run `npx tsup` first (npm test builds before vitest)');
    }
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    for (const b of blocks) writeFileSync(b.file, `${b.code}\n`);
    writeFileSync(
      join(out, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023', 'DOM'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          types: ['node'],
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: false,
          noEmit: true,
        },
        include: ['*.ts'],
      }),
    );
  });

  it('finds code blocks in the README and in every guide', () => {
    expect(blocks.filter((b) => b.source === 'README.md').length).toBeGreaterThanOrEqual(2);
  });

  it('type-checks every block as written (strict)', async () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', join(out, 'tsconfig.json')], {
      cwd: root,
    }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? String(e) }));
    // Name each error by its document and line, not by the generated file.
    const report = result.stdout.replace(/[^\s(]*doc-blocks\/([^(]+)\.ts/g, (_m, name: string) => {
      const b = blocks.find((x) => x.file.endsWith(`${name}.ts`));
      return b ? `${b.source} (block at line ${b.line})` : name;
    });
    expect(report).toBe('');
  }, 120_000);

  for (const b of blocks.filter((x) => x.runs)) {
    it(`runs ${b.source}, the block at line ${b.line}`, async () => {
      const { stdout, stderr } = await run(
        process.execPath,
        ['--import', 'tsx', relative(root, b.file)],
        { cwd: root, timeout: 60_000 },
      );
      expect(stderr).toBe('');
      expect(stdout.length).toBeGreaterThan(0);
    }, 90_000);
  }
});
