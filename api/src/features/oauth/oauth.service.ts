import { recordAudit } from '../../audit/audit';
import { type AuthContext, sessionIdleSince } from '../../auth/sessions';
import { findActiveSessionUser, stampReauthentication } from '../../auth/sessions.queries';
import { completeSignIn, secondFactorFor } from '../../auth/sign-in';
import { findSignInMethods } from '../../auth/sign-in.queries';
import { generateOpaqueToken, hashToken } from '../../auth/tokens';
import type { AuthUser } from '../../auth/user';
import { isUniqueViolation } from '../../db/pg-errors';
import type { Deps } from '../../deps';
import { signInProviderMail } from '../../mail/account-mail';
import { addSeconds } from '../../platform/clock';
import type { RequestMeta } from '../../platform/request-meta';
import { emailSchema, fullNameSchema } from '../../shared/fields';
import type { OAuthLink, OAuthProviderId } from '../../shared/oauth';
import type { ProblemCode } from '../../shared/problem';
import {
  authorizationUrl,
  exchangeCode,
  isConfigured,
  newFlowSecrets,
  type ProviderIdentity,
  providerName,
} from './oauth.providers';
import {
  consumeFlow,
  deleteLink,
  type FlowPurpose,
  type FlowRow,
  findLinkedUser,
  findUserByEmail,
  insertFlow,
  insertLink,
  insertUserWithLink,
  listLinks,
  touchLink,
} from './oauth.queries';

// A flow lives 10 minutes (API.md): long enough for a person at a consent screen, short enough to be useless later.
export const FLOW_TTL_SECONDS = 600;
export const DEFAULT_RETURN_TO = '/dashboard';

// `return_to` must be a path on this site; anything else (another origin, `//evil.example`, `/\evil.example`, a
// scheme, control characters the URL parser would drop) becomes /dashboard. The path keeps its query string. The
// value is parsed as the browser will read it, and the parsed form is what is kept.
export function safeReturnTo(value: string | undefined): string {
  if (!value || value.length > 1024 || !value.startsWith('/')) return DEFAULT_RETURN_TO;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return DEFAULT_RETURN_TO;
  const base = 'https://return-to.invalid';
  if (!URL.canParse(value, base)) return DEFAULT_RETURN_TO;
  const url = new URL(value, base);
  if (url.origin !== base || url.pathname.startsWith('//')) return DEFAULT_RETURN_TO;
  const path = `${url.pathname}${url.search}`;
  // Percent-encoding can make the parsed form longer than the input; the column holds 2048 characters.
  return path.length <= 2048 ? path : DEFAULT_RETURN_TO;
}

export type StartResult = { ok: true; flowId: string; authorizationUrl: string } | { ok: false; reason: 'unavailable' };

// Starts an authorization request: the flow row (any instance can finish it) and the provider's URL. The flow id
// goes to the browser in the flow cookie; only its SHA-256 is stored, like the state's.
export async function startFlow(
  deps: Deps,
  params: {
    provider: OAuthProviderId;
    purpose: FlowPurpose;
    auth?: AuthContext;
    returnTo: string | undefined;
  },
): Promise<StartResult> {
  const { config, sql } = deps;
  const secrets = await newFlowSecrets(params.provider);
  let url: string;
  try {
    url = await authorizationUrl(config, params.provider, secrets, params.purpose);
  } catch (error) {
    // Discovery failed (the provider is down or misconfigured): nothing is stored, the visitor is told.
    deps.logger.warn({ provider: params.provider, err: String(error) }, 'oauth provider unavailable');
    return { ok: false, reason: 'unavailable' };
  }
  const flowId = generateOpaqueToken();
  const now = deps.clock.now();
  await insertFlow(sql, {
    idHash: hashToken(flowId),
    provider: params.provider,
    purpose: params.purpose,
    userId: params.auth?.user.id ?? null,
    sessionId: params.auth?.sessionId ?? null,
    stateHash: hashToken(secrets.state),
    codeVerifier: secrets.codeVerifier,
    nonce: secrets.nonce,
    returnTo: safeReturnTo(params.returnTo),
    now,
    expiresAt: addSeconds(now, FLOW_TTL_SECONDS),
  });
  return { ok: true, flowId, authorizationUrl: url };
}

export type CallbackOutcome =
  | { ok: true; kind: 'signed_in'; returnTo: string; refreshToken: string; refreshExpiresAt: Date }
  | { ok: true; kind: 'linked' | 'reauthenticated'; returnTo: string }
  // The user has MFA: no session yet; the browser finishes the second step with this token (in the mfa cookie).
  | { ok: true; kind: 'mfa_required'; mfaToken: string; expiresAt: Date }
  | { ok: false; code: ProblemCode };

type Failure = { ok: false; code: ProblemCode };

type CallbackContext = {
  deps: Deps;
  provider: OAuthProviderId;
  meta: RequestMeta;
  fail: (code: ProblemCode, reason: string, userId?: string | null) => Promise<Failure>;
};

// The callback. Nothing is created (no user, no link, no session) unless every step passes: the flow cookie and
// `state` name an unexpired flow of this provider, which is spent here; the provider did not answer `error`; the
// code exchange and every ID-token check passed. Then the flow's purpose decides what happens.
export async function finishFlow(
  deps: Deps,
  params: { provider: OAuthProviderId; flowId: string | undefined; query: string; meta: RequestMeta },
): Promise<CallbackOutcome> {
  const { provider, meta } = params;
  const ctx: CallbackContext = {
    deps,
    provider,
    meta,
    fail: async (code, reason, userId) => {
      await recordAudit(deps.sql, { event: 'oauth_failed', userId, meta, metadata: { provider, code, reason } });
      return { ok: false, code };
    },
  };
  const search = new URLSearchParams(params.query);
  const state = search.get('state');
  if (!isConfigured(deps.config, provider)) return ctx.fail('oauth_state', 'provider_not_configured');
  if (!params.flowId || params.flowId.length > 64) return ctx.fail('oauth_state', 'no_flow_cookie');
  if (!state || state.length > 512) return ctx.fail('oauth_state', 'no_state');
  const flow = await consumeFlow(deps.sql, {
    idHash: hashToken(params.flowId),
    provider,
    stateHash: hashToken(state),
    now: deps.clock.now(),
  });
  if (!flow) return ctx.fail('oauth_state', 'no_matching_flow');
  const providerError = search.get('error');
  if (providerError !== null)
    return ctx.fail('oauth_denied', `provider_error:${providerError.slice(0, 64)}`, flow.user_id);

  const exchange = await exchangeCode(
    deps.config,
    provider,
    params.query,
    { state, codeVerifier: flow.code_verifier, nonce: flow.nonce },
    deps.logger,
    // A step-up must prove a login made for it, not a provider session still live from earlier (Google only: GitHub
    // has no auth_time, see oauth.providers.ts).
    flow.purpose === 'reauth' ? { flowCreatedAt: flow.created_at, now: deps.clock.now() } : undefined,
  );
  if (!exchange.ok) return ctx.fail('oauth_failed', exchange.reason, flow.user_id);
  const subject = exchange.identity.subject;
  if (subject.length < 1 || subject.length > 255) return ctx.fail('oauth_failed', 'unusable_subject', flow.user_id);
  // The address as this API stores emails (trimmed, lower-cased, valid), or none at all.
  const email = emailSchema.safeParse(exchange.identity.email ?? '');
  const identity = { ...exchange.identity, email: exchange.identity.email && email.success ? email.data : null };

  switch (flow.purpose) {
    case 'sign_in':
      return signInWith(ctx, identity, flow.return_to);
    case 'link':
      return linkTo(ctx, flow, identity);
    case 'reauth':
      return reauthenticateWith(ctx, flow, identity);
  }
}

// The linking rules (API.md), the security core:
// 1. A known (provider, subject) signs its user in.
// 2. Otherwise an account with the same email is linked ONLY when the provider is Google, Google says the email is
//    verified, the local account is verified, and it has no Google link yet. Every other case (GitHub, an unverified
//    email on either side, another Google account already linked) links nothing: `account_exists_sign_in_to_link`,
//    and the owner links from the dashboard after signing in.
// 3. No account with that email: a new one, verified as the provider says, without a password.
// Then the same gate as a password login. `retried`: a parallel callback won a race for the same account or email,
// so the rules run once more and find what it made.
async function signInWith(
  ctx: CallbackContext,
  identity: ProviderIdentity,
  returnTo: string,
  retried = false,
): Promise<CallbackOutcome> {
  const { deps, provider, meta } = ctx;
  const { sql } = deps;
  const linked = await findLinkedUser(sql, { provider, subject: identity.subject });
  if (linked) return admit(ctx, linked, identity, returnTo);

  const { email } = identity;
  if (!email) return ctx.fail('oauth_email_unverified', 'no_usable_email');

  const existing = await findUserByEmail(sql, { email, provider, subject: identity.subject });
  // Made (or linked) by a parallel callback for this same provider account since the lookup above: rule 1 holds.
  if (existing?.linked_to_subject) return admit(ctx, existing, identity, returnTo);
  if (existing) {
    const refusal = autoLinkRefusal(provider, identity, existing);
    if (refusal) return ctx.fail('account_exists_sign_in_to_link', refusal, existing.id);
    // A disabled account is not linked to: the gate answers account_disabled.
    if (!existing.is_active) return admit(ctx, existing, identity, returnTo);
    const now = deps.clock.now();
    try {
      const recipient = await insertLink(sql, {
        userId: existing.id,
        provider,
        subject: identity.subject,
        email,
        now,
        usedNow: true,
        audit: { meta, metadata: { via: 'verified_email' } },
      });
      if (recipient) await mailLinkChange(deps, recipient, provider, 'connected', now, meta);
    } catch (error) {
      if (!isUniqueViolation(error) || retried) throw error;
      return signInWith(ctx, identity, returnTo, true);
    }
    return admit(ctx, existing, identity, returnTo);
  }

  try {
    const created = await insertUserWithLink(sql, {
      email,
      fullName: displayName(identity, email),
      isVerified: identity.emailVerified,
      provider,
      subject: identity.subject,
      now: deps.clock.now(),
      meta,
    });
    if (created) return admit(ctx, created, identity, returnTo);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  if (retried) return ctx.fail('oauth_failed', 'account_race');
  return signInWith(ctx, identity, returnTo, true);
}

// Why an existing account with the provider's email is not linked automatically, or undefined when it may be.
function autoLinkRefusal(
  provider: OAuthProviderId,
  identity: ProviderIdentity,
  existing: AuthUser & { has_provider_link: boolean },
): string | undefined {
  if (provider !== 'google') return `account_exists_${provider}_never_links`;
  if (!identity.emailVerified) return 'account_exists_provider_email_unverified';
  if (!existing.is_verified) return 'account_exists_local_email_unverified';
  if (existing.has_provider_link) return 'account_exists_other_google_account_linked';
  return undefined;
}

// Through the sign-in gate (disabled? MFA? session, audit `oauth_login`); a sign-in marks the link used.
async function admit(
  ctx: CallbackContext,
  user: AuthUser,
  identity: ProviderIdentity,
  returnTo: string,
): Promise<CallbackOutcome> {
  const { deps, provider, meta } = ctx;
  const outcome = await completeSignIn(deps, user, provider, meta);
  if (!outcome.ok) {
    if (outcome.reason === 'mfa_required') {
      // The provider vouched for the first factor only; the link is marked used once the sign-in completes.
      return { ok: true, kind: 'mfa_required', mfaToken: outcome.mfaToken, expiresAt: outcome.expiresAt };
    }
    return { ok: false, code: 'account_disabled' };
  }
  await touchLink(deps.sql, { provider, subject: identity.subject, email: identity.email, now: deps.clock.now() });
  return {
    ok: true,
    kind: 'signed_in',
    returnTo,
    refreshToken: outcome.pair.refresh_token,
    refreshExpiresAt: outcome.refreshExpiresAt,
  };
}

// The user of a link or reauth flow: the session that started it must still be live (not signed out, not revoked,
// the account not disabled) — a flow outlives nothing it was started from.
async function flowUser(deps: Deps, flow: FlowRow) {
  if (!flow.user_id || !flow.session_id) return undefined;
  const now = deps.clock.now();
  return findActiveSessionUser(deps.sql, {
    sessionId: flow.session_id,
    userId: flow.user_id,
    now,
    idleSince: sessionIdleSince(deps, now),
  });
}

// Connect from the dashboard (the start required a step-up). The provider account must not belong to someone else.
async function linkTo(ctx: CallbackContext, flow: FlowRow, identity: ProviderIdentity): Promise<CallbackOutcome> {
  const { deps, provider, meta } = ctx;
  const user = await flowUser(deps, flow);
  if (!user) return ctx.fail('oauth_state', 'session_ended', flow.user_id);
  const owner = await findLinkedUser(deps.sql, { provider, subject: identity.subject });
  if (owner && owner.id !== user.id) return ctx.fail('oauth_linked_elsewhere', 'linked_to_another_user', user.id);
  if (owner) return { ok: true, kind: 'linked', returnTo: flow.return_to };
  const now = deps.clock.now();
  try {
    const recipient = await insertLink(deps.sql, {
      userId: user.id,
      provider,
      subject: identity.subject,
      email: identity.email,
      now,
      usedNow: false,
      audit: { meta, metadata: { via: 'dashboard', session_id: flow.session_id } },
    });
    if (recipient) await mailLinkChange(deps, recipient, provider, 'connected', now, meta);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Lost a race. To a parallel link of this same provider account to this same user, that is done; otherwise the
    // provider account was linked to someone meanwhile, or this user linked another account of the same provider
    // (one link per provider).
    const winner = await findLinkedUser(deps.sql, { provider, subject: identity.subject });
    if (winner?.id === user.id) return { ok: true, kind: 'linked', returnTo: flow.return_to };
    return ctx.fail('oauth_linked_elsewhere', 'link_conflict', user.id);
  }
  return { ok: true, kind: 'linked', returnTo: flow.return_to };
}

// Step-up by signing in at the provider again: only with the provider account linked to this user, and it stamps
// the session that started the flow (API.md: for accounts that have no password to step up with).
async function reauthenticateWith(
  ctx: CallbackContext,
  flow: FlowRow,
  identity: ProviderIdentity,
): Promise<CallbackOutcome> {
  const { deps, provider, meta } = ctx;
  const user = await flowUser(deps, flow);
  if (!user || !flow.session_id) return ctx.fail('oauth_state', 'session_ended', flow.user_id);
  const owner = await findLinkedUser(deps.sql, { provider, subject: identity.subject });
  if (owner?.id !== user.id) return ctx.fail('oauth_wrong_account', 'reauth_with_another_account', user.id);
  // A provider round trip is one factor: a user with MFA steps up with a second factor instead (API.md).
  const secondFactor = await secondFactorFor(deps, user, provider);
  if (secondFactor.required) return ctx.fail('mfa_required', 'reauth_needs_second_factor', user.id);
  const now = deps.clock.now();
  const stamped = await stampReauthentication(deps.sql, {
    sessionId: flow.session_id,
    userId: user.id,
    now,
    idleSince: sessionIdleSince(deps, now),
    method: provider,
    clearFailuresOf: null,
    meta,
  });
  if (!stamped) return ctx.fail('oauth_state', 'session_ended', user.id);
  await touchLink(deps.sql, { provider, subject: identity.subject, email: identity.email, now });
  return { ok: true, kind: 'reauthenticated', returnTo: flow.return_to };
}

// A new account's name: the provider's display name, cleaned to what the sign-up form accepts, else the email's
// local part.
function displayName(identity: ProviderIdentity, email: string): string {
  // Control characters (\p{Cc}: C0, DEL, C1) become spaces, runs of spaces one, at most 100 characters.
  const clean = (value: string) =>
    [
      ...value
        .replace(/\p{Cc}/gu, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    ]
      .slice(0, 100)
      .join('')
      .trim();
  for (const candidate of [identity.name ?? '', email.split('@')[0] ?? '', 'Learner']) {
    const parsed = fullNameSchema.safeParse(clean(candidate));
    if (parsed.success) return parsed.data;
  }
  return 'Learner';
}

async function mailLinkChange(
  deps: Deps,
  recipient: { email: string; full_name: string },
  provider: OAuthProviderId,
  change: 'connected' | 'disconnected',
  at: Date,
  meta: RequestMeta,
) {
  deps.mailer.send(
    await signInProviderMail(deps.config.mail.publicAppUrl, recipient, {
      provider: providerName(provider),
      change,
      at,
      ip: meta.ip,
    }),
  );
}

export type StartFromAccountResult =
  | StartResult
  | { ok: false; reason: 'already_linked' }
  | { ok: false; reason: 'not_linked' };

// POST /users/me/oauth/{provider}/start: a link (the caller has stepped up; checked by the handler) or a step-up
// through the provider. One link per provider: linking another account of it needs the first disconnected.
export async function startFromAccount(
  deps: Deps,
  auth: AuthContext,
  params: { provider: OAuthProviderId; purpose: 'link' | 'reauth'; returnTo: string | undefined },
): Promise<StartFromAccountResult> {
  const methods = await findSignInMethods(deps.sql, auth.user.id);
  const linked = methods?.providers.includes(params.provider) ?? false;
  if (params.purpose === 'link' && linked) return { ok: false, reason: 'already_linked' };
  if (params.purpose === 'reauth' && !linked) return { ok: false, reason: 'not_linked' };
  return startFlow(deps, { ...params, auth });
}

export async function listAccountLinks(deps: Deps, userId: string): Promise<OAuthLink[]> {
  const rows = await listLinks(deps.sql, userId);
  return rows.map((row) => ({
    provider: row.provider,
    email: row.email,
    linked_at: row.created_at.toISOString(),
    last_used_at: row.last_used_at ? row.last_used_at.toISOString() : null,
  }));
}

export async function unlinkProvider(deps: Deps, auth: AuthContext, provider: OAuthProviderId, meta: RequestMeta) {
  const result = await deleteLink(deps.sql, { userId: auth.user.id, provider, meta });
  if (result.ok) await mailLinkChange(deps, result.recipient, provider, 'disconnected', deps.clock.now(), meta);
  return result;
}
