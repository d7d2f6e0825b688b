import { rateLimit } from '../../middlewares/rate-limit';
import { createRouter } from '../../platform/create-router';
import * as handlers from './oauth.handlers';
import * as routes from './oauth.routes';

// Sign-in with Google and GitHub, at /api/v1/auth/oauth. Starting a flow stores a row and a callback may write an
// audit row, so both are limited per IP with the login's budget (each its own window).
const signInRouter = createRouter();
const loginBudget = (config: { rateLimits: { loginPerMinute: number } }) => config.rateLimits.loginPerMinute;
signInRouter.use('/:provider/start', rateLimit({ name: 'oauth-start', limit: loginBudget }));
signInRouter.use('/:provider/callback', rateLimit({ name: 'oauth-callback', limit: loginBudget }));

export const oauthRouter = signInRouter
  .openapi(routes.listProviders, handlers.listProviders)
  .openapi(routes.startSignIn, handlers.startSignIn)
  .openapi(routes.callback, handlers.callback);

// The signed-in user's connected accounts, at /api/v1/users/me/oauth.
const accountsRouter = createRouter();
accountsRouter.use('/:provider/start', rateLimit({ name: 'oauth-account-start', limit: loginBudget }));

export const oauthAccountsRouter = accountsRouter
  .openapi(routes.listLinks, handlers.listLinks)
  .openapi(routes.startFromAccount, handlers.startFromAccount)
  .openapi(routes.unlink, handlers.unlink);
