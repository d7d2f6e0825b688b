import { build } from 'esbuild';

// One ESM bundle per entry with npm packages left external: fast cold start, no TypeScript at run time.
await build({
  entryPoints: ['src/index.ts', 'src/migrate-cli.ts'],
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
