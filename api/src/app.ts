import type { Deps } from './deps';
import { adminRouter } from './features/admin/admin.index';
import { authRouter } from './features/auth/auth.index';
import { curriculumRouter } from './features/curriculum/curriculum.index';
import { healthRouter } from './features/health/health.index';
import { mfaRouter } from './features/mfa/mfa.index';
import { oauthAccountsRouter, oauthRouter } from './features/oauth/oauth.index';
import { passkeysRouter } from './features/passkeys/passkeys.index';
import { progressRouter } from './features/progress/progress.index';
import { usersRouter } from './features/users/users.index';
import { limitRequestBody } from './middlewares/body-limit';
import { corsForOrigins } from './middlewares/cors';
import { originCheck } from './middlewares/origin-check';
import { requestContext } from './middlewares/request-context';
import { requestLog } from './middlewares/request-log';
import { allowedMethodsOf } from './platform/allowed-methods';
import { createRouter } from './platform/create-router';
import { onError } from './platform/errors';
import { mountApiDocs } from './platform/openapi';
import { requestIdentity } from './platform/serve';
import { mountStaticSite, notFound } from './platform/static-site';

// The app around its dependencies, and its URL map. No I/O happens here, so tests build as many apps as they like.
// Security headers and X-Request-Id are set by the server layer (platform/serve.ts), where they cost nothing.
export function createApp(deps: Deps) {
  const { config } = deps;
  const app = createRouter();
  app.use(requestIdentity(), requestContext(deps), requestLog());
  app.use('/api/*', corsForOrigins(config.corsOrigins), originCheck(config.corsOrigins), limitRequestBody());

  const routes = app
    .route('/health', healthRouter)
    .route('/api/v1/auth', authRouter)
    .route('/api/v1/auth/oauth', oauthRouter)
    .route('/api/v1/users', usersRouter)
    .route('/api/v1/users/me/oauth', oauthAccountsRouter)
    .route('/api/v1/users/me/passkeys', passkeysRouter)
    .route('/api/v1/users/me/mfa', mfaRouter)
    .route('/api/v1/users/me/progress', progressRouter)
    .route('/api/v1/courses', curriculumRouter)
    .route('/api/v1/admin', adminRouter);

  mountApiDocs(app, deps.version);
  const site = mountStaticSite(app, config.webDistDir, deps.logger);
  app.notFound(notFound(site, allowedMethodsOf(app)));
  app.onError(onError);
  return routes;
}

export type AppType = ReturnType<typeof createApp>;
