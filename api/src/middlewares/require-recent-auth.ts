import type { Context, MiddlewareHandler } from 'hono';
import type { AuthContext } from '../auth/sessions';
import { hasRecentStepUp, stepUpMethods } from '../auth/step-up';
import { problem } from '../platform/problem';
import type { AppBindings } from '../platform/types';
import { getAuth } from './require-auth';

// For routes that change what protects an account or hand out its data: after requireAuth(), the session must have
// stepped up within REAUTH_MAX_AGE_SECONDS. Otherwise RFC 9470's answer, a 401 whose challenge names the error and
// the maximum age, with `code: reauthentication_required` and the `methods` this user can step up with. The token
// itself is fine: a client must not refresh or sign out on this 401, but confirm it's you and retry.
export function requireRecentAuth(): MiddlewareHandler<AppBindings> {
  return async function requireRecentAuthMiddleware(c, next) {
    const auth = getAuth(c);
    if (hasRecentStepUp(auth, c.var.deps.clock.now(), c.var.deps.config.reauthMaxAgeSeconds)) return next();
    return reauthenticationRequired(c, auth);
  };
}

// The same answer, for a route that needs a step-up only for some requests (POST /users/me/oauth/{p}/start links).
export async function reauthenticationRequired(c: Context<AppBindings>, auth: AuthContext) {
  const maxAge = c.var.deps.config.reauthMaxAgeSeconds;
  return problem(c, 401, 'Confirm it is you to continue: this action needs a recent sign-in.', {
    code: 'reauthentication_required',
    methods: await stepUpMethods(c.var.deps, auth.user.id),
    headers: {
      'WWW-Authenticate': `Bearer error="insufficient_user_authentication", error_description="A recent authentication is required", max_age=${maxAge}`,
    },
  });
}
