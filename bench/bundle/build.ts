import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';

const root = join(import.meta.dirname, '..', '..');

/** A browser bundle made by esbuild: its code and what went into it. */
export interface Bundle {
  readonly code: string;
  readonly metafile: Metafile;
}

/**
 * Bundles `names` from a module for the browser with esbuild, as a front end's bundler
 * would (platform browser, tree-shaken, minified). `iife` exposes them as `globalName`.
 * Fails when anything cannot be resolved for the browser (a Node built-in, for one).
 */
export async function bundleFor(
  module: string,
  names: readonly string[],
  options: {
    readonly format: 'esm' | 'iife';
    readonly globalName?: string;
    /** `'external'`: leave npm packages out, to see careid's own code alone. */
    readonly packages?: 'external';
  },
): Promise<Bundle> {
  const result = await build({
    stdin: {
      contents: `export { ${names.join(', ')} } from ${JSON.stringify(module)};`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'browser',
    format: options.format,
    ...(options.globalName === undefined ? {} : { globalName: options.globalName }),
    ...(options.packages === undefined ? {} : { packages: options.packages }),
    minify: true,
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0]!.text, metafile: result.metafile };
}

/** careid's policy module, as a front end imports it. */
export const POLICY = join(root, 'src', 'policy', 'index.ts');

/** careid's root module (`careid`), as built by tsup (`npx tsup` first): what a front end's bundler meets. */
export const ROOT_DIST = join(root, 'dist', 'index.js');
