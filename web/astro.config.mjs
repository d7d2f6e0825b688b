// @ts-check
import react from '@astrojs/react';
import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'astro/config';
import { precompress } from './integrations/precompress.mjs';

// Astro reads this lazily, after the config has loaded, so setting it here covers every command
// without a shell-specific prefix in package.json.
process.env.ASTRO_TELEMETRY_DISABLED ??= '1';

// 127.0.0.1, not localhost: Node may resolve localhost to ::1 first while the API listens on IPv4.
const api = 'http://127.0.0.1:8000';

// https://docs.astro.build/en/reference/configuration-reference/
export default defineConfig({
  // Static by default: every page is HTML at build time; React only where interaction needs it (src/islands).
  output: 'static',
  // precompress(): .br and .gz beside each text file of the build, served by the API (see integrations/).
  integrations: [react(), precompress()],
  // No `astro:assets` optimisation: the sharp install script is denied (root package.json `allowScripts`).
  image: { service: { entrypoint: 'astro/assets/services/noop' } },
  devToolbar: { enabled: false },
  server: { port: 3001, host: 'localhost' },
  vite: {
    plugins: [tailwindcss()],
    server: {
      // One origin in development too: the browser only talks to :3001, so the refresh cookie (Path=/api/v1/auth)
      // is first-party as in production. The Host header is kept; the API lists :3001 in CORS_ORIGINS for CSRF.
      proxy: {
        '/api': api,
        '/docs': api,
        '/openapi.json': api,
        '/health': api,
      },
    },
  },
});
