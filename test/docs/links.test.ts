import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

// Relative links in the README and the guides must reach a file the npm package ships
// (package.json `files`), so they work from the registry's page and from node_modules too.
const root = join(import.meta.dirname, '..', '..');
const shipped: string[] = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).files;
const ships = (path: string) =>
  shipped.some((pattern) =>
    pattern.includes('*')
      ? new RegExp(`^${pattern.replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}$`).test(path)
      : path === pattern || path.startsWith(`${pattern}/`),
  );

const documents = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

describe('links in the README and the guides', () => {
  for (const document of documents) {
    it(`${document}: every relative link reaches a file the package ships`, () => {
      const text = readFileSync(join(root, document), 'utf8');
      const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)]
        .map((m) => m[1]!.split('#')[0]!)
        .filter((t) => t !== '' && !/^[a-z]+:/i.test(t));
      const broken = targets.filter((t) => {
        const path = normalize(join(dirname(document), t));
        return !existsSync(join(root, path)) || !ships(path);
      });
      expect(broken).toEqual([]);
    });
  }
});
