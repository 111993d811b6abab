// Bundles src/extension.ts and vscode-languageclient into dist/extension.js (CommonJS, Node).
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const options = {
  entryPoints: ['src/extension.ts'],
  bundle: true,
  outfile: 'dist/extension.js',
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  external: ['vscode'],
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
};

// `node esbuild.mjs --tests` builds the unit tests of the vscode-free modules for `node --test`.
if (process.argv.includes('--tests')) {
  const { readdirSync } = await import('node:fs');
  await esbuild.build({
    entryPoints: readdirSync('src/test').filter((name) => name.endsWith('.test.ts')).map((name) => `src/test/${name}`),
    bundle: true,
    outdir: 'out/test',
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    logLevel: 'warning',
  });
} else if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
