// @ts-check
import react from '@astrojs/react';
import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'astro/config';
import { contentSecurityPolicy } from './integrations/csp.mjs';
import { intentDirective } from './integrations/intent.mjs';
import { pagefindIndex } from './integrations/pagefind.mjs';
import { precompress } from './integrations/precompress.mjs';

// Astro reads this lazily, after the config has loaded, so setting it here covers every command
// without a shell-specific prefix in package.json.
process.env.ASTRO_TELEMETRY_DISABLED ??= '1';

// 127.0.0.1, not localhost: Node may resolve localhost to ::1 first while the API listens on IPv4. scripts/dev.mjs
// sets AIBC_DEV_API_URL when the API runs on another PORT.
const api = process.env.AIBC_DEV_API_URL ?? 'http://127.0.0.1:8000';

/**
 * Lesson tables scroll sideways on a phone (global.css), so they must be reachable by keyboard, as Shiki already
 * makes code blocks (`tabindex="0"`); axe's scrollable-region-focusable rule checks it in the browser tests.
 * @returns {(tree: any) => void}
 */
function focusableTables() {
  /** @param {any} node */
  const walk = (node) => {
    if (node.type === 'element' && node.tagName === 'table') node.properties = { ...node.properties, tabIndex: 0 };
    for (const child of node.children ?? []) walk(child);
  };
  return walk;
}

// https://docs.astro.build/en/reference/configuration-reference/
export default defineConfig({
  // Static by default: every page is HTML at build time; React only where interaction needs it (src/islands).
  output: 'static',
  // precompress(): .br and .gz beside each text file of the build, served by the API (see integrations/).
  // intentDirective(): `client:intent`, for islands that must cost nothing before the visitor reaches for them.
  // pagefindIndex(): the lessons' search index (dist/pagefind), built before precompress() runs over it.
  // contentSecurityPolicy(): dist/csp.json, each page's policy with the hashes of its inline scripts and styles,
  // which the API sends as the page's Content-Security-Policy header (docs/decisions/0012).
  integrations: [react(), intentDirective(), pagefindIndex(), contentSecurityPolicy(), precompress()],
  // No `astro:assets` optimisation: the sharp install script is denied (root package.json `allowScripts`).
  image: { service: { entrypoint: 'astro/assets/services/noop' } },
  // Lesson code is highlighted at build time by Shiki (no JavaScript in the page). The high-contrast theme keeps
  // every token, comments included, above 4.5:1 on its near-black background (the browser tests run axe on it).
  // ```output (what a code example prints) is plain text to Shiki but keeps its name on the block, so the page labels
  // it "Output"; ```text (formulas, diagrams) gets no label.
  markdown: {
    shikiConfig: { theme: 'github-dark-high-contrast', wrap: false, langAlias: { output: 'text' } },
    rehypePlugins: [focusableTables],
  },
  devToolbar: { enabled: false },
  server: { port: 3001, host: 'localhost' },
  vite: {
    plugins: [tailwindcss()],
    server: {
      // The port asked for or none: the API accepts requests from the site's origin (CORS_ORIGINS), so a dev server
      // that moved to the next free port would fail every form. Astro logs the address it listens on.
      strictPort: true,
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
