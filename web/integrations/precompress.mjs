// @ts-check
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

const COMPRESSIBLE = /\.(?:html|js|mjs|css|svg|json|txt|xml|webmanifest)$/;
// Below this the headers cost more than compression saves.
const MIN_BYTES = 1024;

/**
 * @param {string} directory
 * @returns {AsyncGenerator<string>}
 */
async function* filesIn(directory) {
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* filesIn(path);
    else if (entry.isFile()) yield path;
  }
}

/**
 * Writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip -9) beside every text file of the build, once, at
 * build time. The API serves them with `serveStatic({ precompressed: true })`, picking what the browser accepts,
 * so no CPU is spent compressing per request and the landing page's JavaScript travels at its smallest.
 * @returns {import('astro').AstroIntegration}
 */
export function precompress() {
  return {
    name: 'aibc:precompress',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const root = fileURLToPath(dir);
        let files = 0;
        let raw = 0;
        let compressed = 0;
        for await (const path of filesIn(root)) {
          if (!COMPRESSIBLE.test(path) || (await stat(path)).size < MIN_BYTES) continue;
          const source = await readFile(path);
          const [br, gz] = await Promise.all([
            brotli(source, {
              params: {
                [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
                [constants.BROTLI_PARAM_SIZE_HINT]: source.length,
              },
            }),
            gzipAsync(source, { level: 9 }),
          ]);
          await Promise.all([writeFile(`${path}.br`, br), writeFile(`${path}.gz`, gz)]);
          files += 1;
          raw += source.length;
          compressed += br.length;
        }
        const kb = (/** @type {number} */ bytes) => `${(bytes / 1024).toFixed(1)} KB`;
        logger.info(`${files} files precompressed: ${kb(raw)} → ${kb(compressed)} brotli`);
      },
    },
  };
}
