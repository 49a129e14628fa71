/**
 * Runs one named bench: `npm run bench -- policy` (or pki, storage, card, lifecycle when
 * they exist). Each bench prints its table and compares against baselines in the same run.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const name = process.argv[2];
const script = name ? join(import.meta.dirname, name, 'run.ts') : undefined;
if (!script || !existsSync(script)) {
  console.error(`usage: npm run bench -- <name>   (a folder of bench/ with a run.ts)`);
  process.exit(2);
}
// The bench reads its own flags from process.argv: hand it everything after its name.
process.argv.splice(2, 1);
await import(script);
