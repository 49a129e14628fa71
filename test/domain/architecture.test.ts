import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
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
});
