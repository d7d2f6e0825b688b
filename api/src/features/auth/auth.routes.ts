import { createRoute } from '@hono/zod-openapi';
import { problemResponses } from '../../lib/problem';
import {
  loginFormSchema,
  loginSchema,
  logoutRequestSchema,
  refreshRequestSchema,
  signupSchema,
  tokenPairSchema,
  userSchema,
} from './auth.schemas';

const tags = ['Auth'];

const rateLimitHeaders = {
  'RateLimit-Limit': { schema: { type: 'integer' as const }, description: 'Requests allowed per window' },
  'RateLimit-Remaining': { schema: { type: 'integer' as const }, description: 'Requests left in this window' },
  'RateLimit-Reset': { schema: { type: 'integer' as const }, description: 'Seconds until the window resets' },
};

export const signup = createRoute({
  method: 'post',
  path: '/signup',
  tags,
  summary: 'Create an account',
  description: 'Rate-limited per IP. The password policy is the one the sign-up form shows.',
  request: { body: { required: true, content: { 'application/json': { schema: signupSchema } } } },
  responses: {
    201: {
      description: 'The new user',
      headers: rateLimitHeaders,
      content: { 'application/json': { schema: userSchema } },
    },
    ...problemResponses(400, 403, 409, 413, 415, 422, 429),
  },
});
export type SignupRoute = typeof signup;

export const login = createRoute({
  method: 'post',
  path: '/login',
  tags,
  summary: 'Sign in (OAuth2 password flow)',
  description:
    'Form `username=<email>&password=...` as in the OAuth2 password flow, or JSON `{email, password}`. ' +
    'Sets the HttpOnly refresh cookie. Five consecutive failures lock the email for 30 minutes.',
  request: {
    body: {
      required: false,
      content: {
        'application/x-www-form-urlencoded': { schema: loginFormSchema },
        'application/json': { schema: loginSchema },
      },
    },
  },
  responses: {
    200: {
      description: 'Token pair; the refresh token is also set as an HttpOnly cookie',
      headers: rateLimitHeaders,
      content: { 'application/json': { schema: tokenPairSchema } },
    },
    ...problemResponses(400, 401, 403, 413, 415, 422, 423, 429),
  },
});
export type LoginRoute = typeof login;

export const refresh = createRoute({
  method: 'post',
  path: '/refresh',
  tags,
  summary: 'Rotate the refresh token',
  description: 'Each refresh token works once; reuse outside the grace window ends the session.',
  request: { body: { required: false, content: { 'application/json': { schema: refreshRequestSchema } } } },
  responses: {
    200: { description: 'A new token pair', content: { 'application/json': { schema: tokenPairSchema } } },
    ...problemResponses(400, 401, 403, 413, 415, 422),
  },
});
export type RefreshRoute = typeof refresh;

export const logout = createRoute({
  method: 'post',
  path: '/logout',
  tags,
  summary: 'End the session',
  description: 'Takes the refresh token (body or cookie) or a Bearer access token. Always 204; clears the cookie.',
  request: { body: { required: false, content: { 'application/json': { schema: logoutRequestSchema } } } },
  responses: {
    204: { description: 'Signed out (idempotent)' },
    ...problemResponses(400, 403, 413, 415, 422),
  },
});
export type LogoutRoute = typeof logout;
