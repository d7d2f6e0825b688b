// @ts-check
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pagefind from 'pagefind';

/**
 * Builds the Pagefind search index from the built HTML, once per `astro build`, into `dist/pagefind/`. Only pages
 * with `data-pagefind-body` are indexed (the lesson pages), so search finds lessons, not the landing page or the
 * account pages. The browser loads `/pagefind/pagefind.js` and the index chunks only when the search opens
 * (src/scripts/search.ts). Listed before precompress() so the index's own scripts get .br/.gz copies too.
 * @returns {import('astro').AstroIntegration}
 */
export function pagefindIndex() {
  return {
    name: 'aibc:pagefind',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const root = fileURLToPath(dir);
        const { index, errors } = await pagefind.createIndex({});
        if (!index) throw new Error(`Pagefind could not start: ${errors.join('; ')}`);
        try {
          const added = await index.addDirectory({ path: root });
          if (added.errors.length > 0) throw new Error(`Pagefind could not index the site: ${added.errors.join('; ')}`);
          const written = await index.writeFiles({ outputPath: join(root, 'pagefind') });
          if (written.errors.length > 0)
            throw new Error(`Pagefind could not write its index: ${written.errors.join('; ')}`);
          logger.info(`${added.page_count} pages indexed for search`);
        } finally {
          await pagefind.close();
        }
      },
    },
  };
}
