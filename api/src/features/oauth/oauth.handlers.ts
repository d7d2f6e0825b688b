import { setMfaCookie } from '../../auth/mfa-cookie';
import { setRefreshCookie } from '../../auth/refresh-cookie';
import { MFA_CHALLENGE_TTL_SECONDS } from '../../auth/sign-in';
import { hasRecentStepUp } from '../../auth/step-up';
import { getAuth } from '../../middlewares/require-auth';
import { reauthenticationRequired } from '../../middlewares/require-recent-auth';
import { problem } from '../../platform/problem';
import { requestMeta } from '../../platform/request-meta';
import type { AppRouteHandler } from '../../platform/types';
import { clearFlowCookie, readFlowCookie, setFlowCookie } from './oauth.cookie';
import { configuredProviders, isConfigured, providerName } from './oauth.providers';
import type {
  CallbackRoute,
  ListLinksRoute,
  ListProvidersRoute,
  StartFromAccountRoute,
  StartSignInRoute,
  UnlinkRoute,
} from './oauth.routes';
import * as oauth from './oauth.service';

export const listProviders: AppRouteHandler<ListProvidersRoute> = (c) =>
  c.json(configuredProviders(c.var.deps.config), 200);

// Where the browser lands: a path of the site (PUBLIC_APP_URL), never a URL from the request.
function siteUrl(c: { var: { deps: { config: { oauth: { publicAppUrl: string } } } } }, path: string) {
  return `${c.var.deps.config.oauth.publicAppUrl}${path}`;
}

export const startSignIn: AppRouteHandler<StartSignInRoute> = async (c) => {
  const { provider } = c.req.valid('param');
  if (!isConfigured(c.var.deps.config, provider)) {
    return problem(c, 404, `Sign-in with ${providerName(provider)} is not configured on this server.`);
  }
  const started = await oauth.startFlow(c.var.deps, {
    provider,
    purpose: 'sign_in',
    returnTo: c.req.valid('query').return_to,
  });
  c.header('Cache-Control', 'no-store');
  if (!started.ok) return c.redirect(siteUrl(c, '/?auth_error=oauth_failed'), 303);
  setFlowCookie(c, started.flowId);
  return c.redirect(started.authorizationUrl, 302);
};

export const callback: AppRouteHandler<CallbackRoute> = async (c) => {
  const { provider } = c.req.valid('param');
  const query = new URL(c.req.url).search;
  const outcome = await oauth.finishFlow(c.var.deps, {
    provider,
    flowId: readFlowCookie(c),
    query,
    meta: requestMeta(c),
  });
  clearFlowCookie(c);
  c.header('Cache-Control', 'no-store');
  if (!outcome.ok) return c.redirect(siteUrl(c, `/?auth_error=${outcome.code}`), 303);
  if (outcome.kind === 'mfa_required') {
    // The site opens its second step on /?auth=mfa; the token rides in the HttpOnly mfa cookie, never in the URL.
    setMfaCookie(c, outcome.mfaToken, MFA_CHALLENGE_TTL_SECONDS);
    return c.redirect(siteUrl(c, '/?auth=mfa'), 303);
  }
  // The site's silent refresh turns the refresh cookie into an access token on the page it lands on.
  if (outcome.kind === 'signed_in') setRefreshCookie(c, outcome.refreshToken, outcome.refreshExpiresAt);
  return c.redirect(siteUrl(c, outcome.returnTo), 303);
};

export const listLinks: AppRouteHandler<ListLinksRoute> = async (c) => {
  c.header('Cache-Control', 'no-store');
  return c.json(await oauth.listAccountLinks(c.var.deps, getAuth(c).user.id), 200);
};

export const startFromAccount: AppRouteHandler<StartFromAccountRoute> = async (c) => {
  const { provider } = c.req.valid('param');
  const body = c.req.valid('json');
  const { deps } = c.var;
  const auth = getAuth(c);
  if (!isConfigured(deps.config, provider)) {
    return problem(c, 404, `Sign-in with ${providerName(provider)} is not configured on this server.`);
  }
  if (body.purpose === 'link' && !hasRecentStepUp(auth, deps.clock.now(), deps.config.reauthMaxAgeSeconds)) {
    return reauthenticationRequired(c, auth);
  }
  const result = await oauth.startFromAccount(deps, auth, {
    provider,
    purpose: body.purpose,
    returnTo: body.return_to,
  });
  if (!result.ok) {
    switch (result.reason) {
      case 'already_linked':
        return problem(
          c,
          409,
          `${providerName(provider)} is already connected. Disconnect it first to connect another.`,
        );
      case 'not_linked':
        return problem(c, 404, `${providerName(provider)} is not connected to your account.`);
      default:
        return problem(c, 503, `${providerName(provider)} cannot be reached right now. Try again in a moment.`, {
          headers: { 'Retry-After': '30' },
        });
    }
  }
  setFlowCookie(c, result.flowId);
  c.header('Cache-Control', 'no-store');
  return c.json({ authorization_url: result.authorizationUrl }, 200);
};

export const unlink: AppRouteHandler<UnlinkRoute> = async (c) => {
  const { provider } = c.req.valid('param');
  const result = await oauth.unlinkProvider(c.var.deps, getAuth(c), provider, requestMeta(c));
  if (!result.ok) {
    if (result.reason === 'not_linked') {
      return problem(c, 404, `${providerName(provider)} is not connected to your account.`);
    }
    return problem(
      c,
      409,
      'This is the only way into your account: set a password or connect another provider first.',
      {
        code: 'last_sign_in_method',
      },
    );
  }
  return c.body(null, 204);
};
