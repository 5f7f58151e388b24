// Builds main + preload (esbuild, CommonJS for Electron) and the renderer (Vite) into out/.
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const rendererOnly = process.argv.includes('--renderer-only');

if (!rendererOnly) {
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    sourcemap: true,
    logLevel: 'warning',
    // pdfkit's ESM build reads import.meta.url at load time, which a CJS bundle cannot give it
    external: ['electron', 'better-sqlite3', 'pdfkit'],
  };
  await esbuild({
    ...common,
    entryPoints: [path.join(root, 'main/electron/index.ts')],
    outfile: path.join(root, 'out/main/index.cjs'),
  });
  // Worker threads run from their own bundles next to index.cjs (rule 7): the alert import
  // (ALR-6), its parser (the CLI's parallel import), the CSV export (TBL-7), the case table's
  // position lists (case-positions.ts) and the demo load (issue 12.7).
  for (const worker of [
    'import-worker',
    'parse-worker',
    'export-worker',
    'positions-worker',
    'demo-worker',
  ]) {
    await esbuild({
      ...common,
      entryPoints: [path.join(root, `main/jobs/${worker}.ts`)],
      outfile: path.join(root, `out/main/${worker}.cjs`),
    });
  }
  await esbuild({
    ...common,
    entryPoints: [path.join(root, 'preload/index.ts')],
    outfile: path.join(root, 'out/preload/index.cjs'),
  });
  fs.cpSync(path.join(root, 'main/store/migrations'), path.join(root, 'out/main/migrations'), {
    recursive: true,
  });
}
await viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
console.log(`built ${rendererOnly ? 'renderer' : 'main, preload and renderer'} into out/`);
