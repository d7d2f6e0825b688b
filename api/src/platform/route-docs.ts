// Pieces of route declarations (createRoute) that many routes share, so the spec says them the same way everywhere.

// Routes that need the Bearer access token: from Swagger UI's password-flow dialog, or pasted as is (BearerToken) —
// the way for an account with MFA, whose token comes from POST /auth/login with `totp` or POST /auth/mfa/verify.
export const bearerSecurity: Record<string, string[]>[] = [{ OAuth2PasswordBearer: [] }, { BearerToken: [] }];
// The empty requirement makes the token optional: anyone may call, a signed-in caller gets more.
export const optionalBearerSecurity: Record<string, string[]>[] = [
  {},
  { OAuth2PasswordBearer: [] },
  { BearerToken: [] },
];

export const rateLimitHeaders = {
  'RateLimit-Limit': { schema: { type: 'integer' as const }, description: 'Requests allowed per window' },
  'RateLimit-Remaining': { schema: { type: 'integer' as const }, description: 'Requests left in this window' },
  'RateLimit-Reset': { schema: { type: 'integer' as const }, description: 'Seconds until the window resets' },
};

export const jsonBody = <S>(schema: S) => ({ required: true, content: { 'application/json': { schema } } });
