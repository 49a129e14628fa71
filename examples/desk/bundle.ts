import { join } from 'node:path';
import { build } from 'esbuild';

/**
 * Bundles the page's script for the browser with esbuild: plain TypeScript that imports
 * `careid/policy` (resolved through the package's own `exports`, to the built dist).
 */
export async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [join(import.meta.dirname, 'page', 'main.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}
