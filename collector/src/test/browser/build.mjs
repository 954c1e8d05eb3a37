// Bundles the two test pages' scripts: node build.mjs <outdir> -> <outdir>/faro.js, otel.js.
import { build } from 'esbuild';

const outdir = process.argv[2] || 'dist';
await build({
  entryPoints: { faro: 'src/faro.js', otel: 'src/otel.js' },
  bundle: true,
  format: 'iife',
  target: 'chrome120',
  outdir,
  logLevel: 'warning',
});
console.log('bundled faro.js, otel.js into ' + outdir);
