// @ts-check
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEnv } from 'vite';

/** Where the policies go, beside the pages; the API reads it once at start (api/src/platform/static-site.ts). */
export const CSP_MANIFEST = 'csp.json';

/** @param {string} text */
const sha256 = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** @type {Record<string, string>} */
const NAMED = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>', nbsp: '\u00a0' };

/**
 * Attribute values reach CSP decoded (the hash is of what the parser hands over); script and style element text
 * is raw text and is hashed as written.
 * @param {string} value
 */
function decodeEntities(value) {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity) => {
    if (entity[0] === '#') {
      const code =
        entity[1] === 'x' || entity[1] === 'X' ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1));
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return NAMED[entity.toLowerCase()] ?? whole;
  });
}

/**
 * The inline code of one built page, as hashes: `<script>` without `src` (Astro's island loader and hydration
 * directives, `is:inline` scripts, small bundled scripts Astro inlines), `<style>` elements (Astro's island style,
 * inlined stylesheets, `is:inline` styles) and `style="…"` attributes (Shiki colours every token of a code block
 * with one). Comments are skipped; a tag-like string inside text is escaped by Astro, so it never matches.
 * @param {string} html
 */
export function inlineHashes(html) {
  const scripts = new Set();
  const styles = new Set();
  const styleAttributes = new Set();
  const withoutComments = html.replace(/<!--[\s\S]*?-->/g, '');
  // Raw-text elements first, so their bodies are not scanned for attributes.
  const rest = withoutComments.replace(
    /<(script|style)\b((?:[^>"']|"[^"]*"|'[^']*')*)>([\s\S]*?)<\/\1\s*>/gi,
    (_whole, tag, attributes, body) => {
      const name = tag.toLowerCase();
      if (name === 'script' && !/\ssrc\s*=/i.test(attributes)) scripts.add(sha256(body));
      else if (name === 'style') styles.add(sha256(body));
      // Keep the start tag: its own attributes may carry a style="".
      return `<${name}${attributes}>`;
    },
  );
  for (const tag of rest.matchAll(
    /<[a-z][\w:-]*((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*\/?>/gi,
  )) {
    for (const attribute of (tag[1] ?? '').matchAll(
      /\s([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g,
    )) {
      if (attribute[1]?.toLowerCase() !== 'style') continue;
      styleAttributes.add(sha256(decodeEntities(attribute[2] ?? attribute[3] ?? attribute[4] ?? '')));
    }
  }
  return { scripts: [...scripts].sort(), styles: [...styles].sort(), styleAttributes: [...styleAttributes].sort() };
}

/**
 * The policy of one page. Scripts: our own files and this page's inline code by hash, never 'unsafe-inline';
 * 'wasm-unsafe-eval' lets Pagefind compile its WebAssembly (it allows WebAssembly only, not eval()). Styles: the
 * same, with 'unsafe-hashes' for the style attributes (CSP 3: a hash may then match an attribute's value).
 * @param {ReturnType<typeof inlineHashes>} hashes
 * @param {string[]} apiOrigins another origin the pages call (PUBLIC_API_URL), if any
 */
export function policyFor(hashes, apiOrigins = []) {
  const styleAttributes = hashes.styleAttributes.length > 0 ? ["'unsafe-hashes'", ...hashes.styleAttributes] : [];
  return [
    "default-src 'self'",
    ['script-src', "'self'", "'wasm-unsafe-eval'", ...hashes.scripts].join(' '),
    ['style-src', "'self'", ...hashes.styles, ...styleAttributes].join(' '),
    // data: for the TOTP enrolment QR code (an SVG data URL, src/islands/settings/Security.tsx).
    "img-src 'self' data:",
    ['connect-src', "'self'", ...apiOrigins].join(' '),
    "object-src 'none'",
    "base-uri 'self'",
    ['form-action', "'self'", ...apiOrigins].join(' '),
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * @param {string} directory
 * @returns {AsyncGenerator<string>}
 */
async function* htmlFilesIn(directory) {
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* htmlFilesIn(path);
    else if (entry.isFile() && entry.name.endsWith('.html')) yield path;
  }
}

/**
 * Writes `dist/csp.json`: a Content-Security-Policy per built HTML page (path relative to dist → policy), with the
 * hashes of exactly the inline scripts and styles that page holds, and `default`, the same policy with no hashes,
 * for an HTML file the build did not write. Runs after the pages are written and before precompress().
 * @returns {import('astro').AstroIntegration}
 */
export function contentSecurityPolicy() {
  /** @type {string[]} */
  let apiOrigins = [];
  return {
    name: 'aibc:csp',
    hooks: {
      'astro:config:setup': ({ config, command }) => {
        if (command !== 'build') return;
        // What Astro bakes into the pages' JavaScript: the browser calls this origin for /api (src/lib/api.ts).
        const env = loadEnv('production', fileURLToPath(config.root), 'PUBLIC_');
        const apiUrl = process.env.PUBLIC_API_URL ?? env.PUBLIC_API_URL;
        if (apiUrl) apiOrigins = [new URL(apiUrl).origin];
      },
      'astro:build:done': async ({ dir, logger }) => {
        const root = fileURLToPath(dir);
        /** @type {Record<string, string>} */
        const pages = {};
        let inline = 0;
        for await (const path of htmlFilesIn(root)) {
          const hashes = inlineHashes(await readFile(path, 'utf8'));
          inline += hashes.scripts.length;
          pages[relative(root, path).split(sep).join('/')] = policyFor(hashes, apiOrigins);
        }
        const sorted = Object.fromEntries(Object.entries(pages).sort(([a], [b]) => a.localeCompare(b)));
        const manifest = {
          default: policyFor({ scripts: [], styles: [], styleAttributes: [] }, apiOrigins),
          pages: sorted,
        };
        await writeFile(join(root, CSP_MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
        logger.info(
          `${Object.keys(pages).length} page policies written to ${CSP_MANIFEST} (${inline} inline scripts hashed)`,
        );
      },
    },
  };
}
