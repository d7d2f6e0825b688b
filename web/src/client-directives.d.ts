import 'astro';

declare module 'astro' {
  interface AstroClientDirectives {
    /** Hydrate once the visitor shows intent to use the island (integrations/intent-directive.mjs). */
    'client:intent'?: boolean;
  }
}
