// @ts-check
import { fileURLToPath } from 'node:url';

/**
 * Registers the `client:intent` directive (./intent-directive.mjs).
 * @returns {import('astro').AstroIntegration}
 */
export function intentDirective() {
  return {
    name: 'aibc:client-intent',
    hooks: {
      'astro:config:setup': ({ addClientDirective }) => {
        addClientDirective({
          name: 'intent',
          entrypoint: fileURLToPath(new URL('./intent-directive.mjs', import.meta.url)),
        });
      },
    },
  };
}
