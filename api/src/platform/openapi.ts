import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { SwaggerUI, swaggerUI } from '@hono/swagger-ui';
import type { createRouter } from './create-router';
import { setResponseHeader } from './serve';

const SWAGGER_FILES = new Set(['swagger-ui.css', 'swagger-ui-bundle.js']);
const swaggerUiDistDir = () => dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const SWAGGER_OPTIONS = {
  url: '/openapi.json',
  baseUrl: '/docs/assets',
  title: 'AI Bootcamp API — docs',
  persistAuthorization: false,
};

// /docs gets a policy of its own, as strict as the site's (decision 0012): its one inline script (the call that
// starts Swagger UI, the same on every request) by hash, everything else from this origin. Swagger UI adds styles
// through the CSSOM and draws its icons from data: URLs in its stylesheet.
function swaggerPolicy() {
  const page = SwaggerUI(SWAGGER_OPTIONS);
  const hashes = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    ([, body = '']) => `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`,
  );
  return [
    "default-src 'self'",
    ['script-src', "'self'", ...hashes].join(' '),
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

// GET /openapi.json (OpenAPI 3.1, generated from the same zod schemas that validate requests) and GET /docs.
export function mountApiDocs(app: ReturnType<typeof createRouter>, version: string) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'OAuth2PasswordBearer', {
    type: 'oauth2',
    flows: { password: { tokenUrl: '/api/v1/auth/login', scopes: {} } },
  });
  // An access token pasted as is: how an account with MFA authorizes in Swagger UI (the password-flow dialog has
  // no field for the second factor; POST /auth/login's `totp` or POST /auth/mfa/verify gives the token).
  app.openAPIRegistry.registerComponent('securitySchemes', 'BearerToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'AI Bootcamp API',
      version,
      description: 'Authentication, sessions, curriculum and progress for AI Bootcamp. Errors are RFC 9457 problems.',
    },
  });
  // Swagger UI's assets are served from the installed swagger-ui-dist, not a CDN: /docs works offline and
  // sends no visitor to a third party.
  app.use('/docs/assets/swagger-ui-dist/*', async function swaggerAssets(c, next) {
    const file = c.req.path.slice('/docs/assets/swagger-ui-dist/'.length);
    if (!SWAGGER_FILES.has(file)) return next();
    c.header('Cache-Control', 'public, max-age=86400');
    return serveStatic({ root: swaggerUiDistDir(), rewriteRequestPath: () => `/${file}` })(c, next);
  });
  const policy = swaggerPolicy();
  app.get(
    '/docs',
    async function swaggerPolicyHeader(c, next) {
      setResponseHeader(c, 'Content-Security-Policy', policy);
      await next();
    },
    swaggerUI(SWAGGER_OPTIONS),
  );
}
