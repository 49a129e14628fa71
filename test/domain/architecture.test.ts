import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph } from './import-graph.js';

const SRC = resolve(import.meta.dirname, '../../src');

describe('the shape of src/ (issue 12: the domain owns state, no import cycle)', () => {
  const graph = importGraph(SRC);

  it('the walker sees the imports tsc sees, type-only ones included, and finds a planted cycle', () => {
    const ra = graph.get(join(SRC, 'ra/registration-authority.ts')) ?? [];
    expect(ra).toContain(join(SRC, 'ra/command-catalogue.ts'));
    // `import type` counts: a cycle through types is still a cycle.
    expect(graph.get(join(SRC, 'ra/smartcards/context.ts'))).toContain(
      join(SRC, 'ra/smartcards/types.ts'),
    );
    const dir = mkdtempSync(join(tmpdir(), 'careid-cycle-'));
    try {
      mkdirSync(join(dir, 'sub'));
      writeFileSync(
        join(dir, 'a.ts'),
        "import type { B } from './sub/b.js';\nexport type A = B;\n",
      );
      writeFileSync(join(dir, 'sub/b.ts'), "export { c } from '../c.js';\nexport type B = 1;\n");
      writeFileSync(join(dir, 'c.ts'), "import './a.js';\nexport const c = 1;\n");
      writeFileSync(join(dir, 'd.ts'), "import { c } from './c.js';\nexport const d = c;\n");
      expect(importCycles(importGraph(dir), dir)).toEqual([['a.ts', 'c.ts', 'sub/b.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('no import cycle in src/ (type-only imports included)', () => {
    expect(graph.size).toBeGreaterThan(150);
    expect(importCycles(graph, SRC)).toEqual([]);
  });

  it('nothing outside src/domain imports immer: state changes are domain transitions', () => {
    const domain = join(SRC, 'domain');
    const offenders = [...graph.keys()].filter(
      (file) =>
        !file.startsWith(`${domain}/`) &&
        /from\s+['"]immer['"]|import\s*\(\s*['"]immer['"]|require\(\s*['"]immer['"]/.test(
          readFileSync(file, 'utf8'),
        ),
    );
    expect(offenders.map((f) => relative(SRC, f))).toEqual([]);
    // The check can fail: the domain itself does use immer.
    const inDomain = [...graph.keys()].filter(
      (file) =>
        file.startsWith(`${domain}/`) && /from\s+['"]immer['"]/.test(readFileSync(file, 'utf8')),
    );
    expect(inDomain.length).toBeGreaterThan(0);
  });

  it('issue 15: nothing reachable from src/index.ts imports a Node built-in or uses Buffer or process (type-only imports aside)', () => {
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const next of graph.get(file) ?? []) visit(next);
    };
    visit(join(SRC, 'index.ts'));
    expect(reached.size).toBeGreaterThan(100);
    const offences = (file: string): string[] => {
      const source = ts.createSourceFile(
        file,
        readFileSync(file, 'utf8'),
        ts.ScriptTarget.ES2022,
        true,
      );
      const found: string[] = [];
      const walk = (node: ts.Node): void => {
        const specifier =
          ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly
            ? node.moduleSpecifier
            : ts.isExportDeclaration(node) && !node.isTypeOnly
              ? node.moduleSpecifier
              : ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword
                ? node.arguments[0]
                : undefined;
        if (specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith('node:')) {
          found.push(specifier.text);
        }
        // `Buffer.from(…)`, `new Buffer`, `process.pid`, `: Buffer`: Node's globals, not a browser's.
        if (ts.isIdentifier(node) && (node.text === 'Buffer' || node.text === 'process')) {
          const parent = node.parent;
          const used =
            (ts.isPropertyAccessExpression(parent) && parent.expression === node) ||
            ts.isNewExpression(parent) ||
            ts.isTypeReferenceNode(parent) ||
            ts.isTypeOfExpression(parent);
          if (used) found.push(node.text);
        }
        ts.forEachChild(node, walk);
      };
      walk(source);
      return found;
    };
    const found = [...reached].flatMap((file) =>
      offences(file).map((what) => `${relative(SRC, file)}: ${what}`),
    );
    expect(found).toEqual([]);
    // The check can fail: the file sink and the card simulator (not reached) do both.
    expect(offences(join(SRC, 'storage/file/file-checkpoint-sink.ts'))).toEqual(
      expect.arrayContaining(['node:fs/promises', 'process']),
    );
    expect(offences(join(SRC, 'card/sim/public-key-template.ts'))).toContain('Buffer');
  });
});
