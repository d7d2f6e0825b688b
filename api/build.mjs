import { build } from 'esbuild';

// One ESM bundle per entry, npm packages included: resolving and loading hundreds of module files was most of
// the cold start (~560 ms → ~330 ms measured on the 2-core box). Native and WASM packages stay external.
await build({
  entryPoints: ['src/index.ts', 'src/migrate-cli.ts', 'src/admin-grant-cli.ts'],
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['@node-rs/bcrypt', '@electric-sql/pglite', '@electric-sql/pglite-socket'],
  // CommonJS dependencies inside an ESM bundle still call require().
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  sourcemap: true,
  logLevel: 'warning',
});
