import type { AppType } from '@aibc/api/app';
import { hc } from 'hono/client';

/**
 * The typed API client. `AppType` is a type-only import: the API's route types reach the editor and `astro check`,
 * none of its server code reaches the bundle. A route or field renamed in the API fails the web build.
 *
 * The base URL is the page's own origin unless the site is built for a static host elsewhere
 * (`PUBLIC_API_URL=https://api.example.com npm run build --workspace web`; the API must list the site's origin in
 * `CORS_ORIGINS`). `credentials: 'include'` sends the HttpOnly refresh cookie to the auth routes either way.
 */
export const client = hc<AppType>(import.meta.env.PUBLIC_API_URL ?? '', { init: { credentials: 'include' } });
