// Bundles the test pages' scripts: node build.mjs <outdir> -> <outdir>/faro.js, otel.js, spa.js.
import { build } from 'esbuild';

const outdir = process.argv[2] || 'dist';
await build({
  entryPoints: { faro: 'src/faro.js', otel: 'src/otel.js', spa: 'src/spa.js' },
  bundle: true,
  format: 'iife',
  target: 'chrome120',
  outdir,
  logLevel: 'warning',
});
console.log('bundled faro.js, otel.js, spa.js into ' + outdir);
