import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { swaggerUI } from '@hono/swagger-ui';
import type { createRouter } from './create-router';

const SWAGGER_FILES = new Set(['swagger-ui.css', 'swagger-ui-bundle.js']);
const swaggerUiDistDir = () => dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

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
  app.get(
    '/docs',
    swaggerUI({
      url: '/openapi.json',
      baseUrl: '/docs/assets',
      title: 'AI Bootcamp API — docs',
      persistAuthorization: false,
    }),
  );
}
