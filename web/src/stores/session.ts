import type { ClientRequestOptions, InferResponseType } from 'hono/client';
import { atom } from 'nanostores';
import { client } from '../lib/api';

/*
 * The session, shared by every island.
 *
 * - The access token lives only in this module's memory: no storage, no cookie, gone with the page.
 * - The refresh token lives only in the API's HttpOnly cookie (`__Host-aibc_refresh`); this code never sees it.
 * - On load the app refreshes silently with that cookie, then reads /users/me.
 * - A call answered 401 triggers one refresh and one retry.
 * - Concurrent refreshes fold into one request. Each refresh token works once (rotation), so two refreshes racing
 *   with the same cookie would look like reuse to the API; one shared in-flight promise makes that impossible here.
 */

export type User = InferResponseType<typeof client.api.v1.users.me.$get, 200>;
type TokenPair = InferResponseType<typeof client.api.v1.auth.login.$post, 200>;
type PasskeyAssertion = Parameters<typeof client.api.v1.auth.passkey.verify.$post>[0]['json']['response'];

/**
 * `signed-out` carries `onPurpose` when the learner signed out in this tab (the header's account menu, the sessions
 * list): the page then goes to the landing page instead of asking them to sign in again.
 */
export type Session =
  | { status: 'loading' }
  | { status: 'signed-out'; onPurpose?: boolean }
  | { status: 'signed-in'; user: User };

export const $session = atom<Session>({ status: 'loading' });

/** An unexpected answer (5xx, a misconfigured origin): not a reason to sign the visitor out. */
export class SessionError extends Error {
  constructor(readonly status: number) {
    super(`The API answered ${status}`);
  }
}

let accessToken: string | undefined;
let refreshInFlight: Promise<boolean> | undefined;
let started: Promise<void> | undefined;

/*
 * A hint, not a secret: "this browser signed in and has not signed out". Without it the app skips the refresh on
 * load, so an anonymous visitor's landing page makes no API call at all (and no 401 shows up in the console). A
 * forged or stale hint costs one refresh that fails, after which it is removed. The HttpOnly cookie stays the only
 * credential. Another tab signing out removes it, which the `storage` listener below turns into a sign-out here.
 */
const HINT_KEY = 'aibc.session';

function hasHint() {
  try {
    return localStorage.getItem(HINT_KEY) === '1';
  } catch {
    return true; // Storage blocked: fall back to always trying the cookie.
  }
}

function setHint(present: boolean) {
  try {
    if (present) localStorage.setItem(HINT_KEY, '1');
    else localStorage.removeItem(HINT_KEY);
  } catch {
    // Storage blocked: the hint is an optimisation only.
  }
  document.documentElement.dataset.session = present ? 'signed-in' : 'signed-out';
}

function endLocalSession(onPurpose = false) {
  accessToken = undefined;
  setHint(false);
  $session.set(onPurpose ? { status: 'signed-out', onPurpose } : { status: 'signed-out' });
}

function acceptTokenPair(pair: TokenPair) {
  accessToken = pair.access_token;
  setHint(true);
}

/** Rotates the refresh cookie for a new access token. Resolves false when there is no session to refresh. */
export function refreshAccessToken(): Promise<boolean> {
  refreshInFlight ??= (async () => {
    try {
      const response = await client.api.v1.auth.refresh.$post({ json: {} });
      if (response.status === 401) {
        endLocalSession();
        return false;
      }
      if (!response.ok) throw new SessionError(response.status);
      acceptTokenPair(await response.json());
      return true;
    } finally {
      refreshInFlight = undefined;
    }
  })();
  return refreshInFlight;
}

export type AccessTokenOptions = {
  /**
   * Whether an answer means "this access token was refused" (refresh and retry). Every 401 by default. A route
   * whose own 401 means something else (a wrong current password) passes `tokenRefusedByChallenge`, so that 401
   * comes back to the caller: no refresh, no retry, no sign-out.
   */
  isTokenRefused?: (response: Response) => boolean;
};

/**
 * RFC 9470's step-up challenge: the token is fine, but the route wants a recent proof of who you are
 * (`code: reauthentication_required`). Never a reason to refresh or sign out; `withStepUp` (stores/step-up.ts) answers it.
 */
export const isStepUpChallenge = (response: Response) =>
  response.status === 401 &&
  (response.headers.get('WWW-Authenticate') ?? '').includes('insufficient_user_authentication');

/** A refused token is a 401 with the `WWW-Authenticate: Bearer` challenge (RFC 6750); other 401s are the route's own. */
export const tokenRefusedByChallenge = (response: Response) =>
  response.status === 401 && response.headers.has('WWW-Authenticate') && !isStepUpChallenge(response);

const anyUnauthorized = (response: Response) => response.status === 401 && !isStepUpChallenge(response);

/**
 * Runs a typed client call with the access token. On a 401 it refreshes once and retries once; resolves undefined
 * when there is no session (the store is then `signed-out`). Pass the options on to the call:
 * `withAccessToken((options) => client.api.v1.users.me.$get({}, options))`.
 */
export async function withAccessToken<R extends Response>(
  call: (options: ClientRequestOptions) => Promise<R>,
  { isTokenRefused = anyUnauthorized }: AccessTokenOptions = {},
): Promise<R | undefined> {
  if (!accessToken && !(await refreshAccessToken())) return undefined;
  const used = accessToken;
  const response = await call({ headers: { Authorization: `Bearer ${used}` } });
  if (!isTokenRefused(response)) return response;
  // Another call may have refreshed while this one was in flight: then retry with its token, no second rotation.
  if (accessToken === used && !(await refreshAccessToken())) return undefined;
  if (!accessToken) return undefined;
  const retried = await call({ headers: { Authorization: `Bearer ${accessToken}` } });
  if (isTokenRefused(retried)) {
    endLocalSession();
    return undefined;
  }
  return retried;
}

async function loadUser() {
  const response = await withAccessToken((options) => client.api.v1.users.me.$get({}, options));
  if (!response) return;
  if (!response.ok) throw new SessionError(response.status);
  $session.set({ status: 'signed-in', user: await response.json() });
}

/**
 * Starts the session once per page, whichever island asks first; the others share the same promise.
 * Rejects on a network failure or an unexpected status, and may then be called again.
 */
export function startSession(): Promise<void> {
  started ??= (async () => {
    if (!hasHint()) {
      endLocalSession();
      return;
    }
    await loadUser();
  })().catch((error: unknown) => {
    started = undefined;
    throw error;
  });
  return started;
}

/**
 * Signs in with a password. The response goes back to the caller, which turns failures into words; on success the
 * access token is kept and the refresh cookie is set by the API.
 */
export async function signIn(credentials: { email: string; password: string }) {
  // The login route takes the OAuth2 form or JSON (either, typed as such by the API); the browser sends JSON.
  const response = await client.api.v1.auth.login.$post({ json: credentials });
  if (response.ok) acceptTokenPair(await response.json());
  return response;
}

/**
 * Before a navigation that comes back signed in through the refresh cookie alone (a provider sign-in): set the hint,
 * so the page it lands on refreshes silently. If the sign-in fails, that one refresh answers 401 and removes it.
 */
export function expectSessionAfterRedirect() {
  setHint(true);
}

/**
 * The second step of a sign-in for an account with MFA: the `mfa_token` of the 403 `mfa_required` answer (none after
 * a provider sign-in: the HttpOnly mfa cookie holds it) and a code or a recovery code.
 */
export async function finishMfaSignIn(proof: { mfa_token?: string } & ({ totp: string } | { recovery_code: string })) {
  const response = await client.api.v1.auth.mfa.verify.$post({ json: proof });
  if (response.ok) acceptTokenPair(await response.json());
  return response;
}

/**
 * The second step with a passkey instead of a code: request options for the challenge's user (POST
 * /auth/mfa/webauthn/options, with the same `mfa_token`, or none after a provider sign-in: the HttpOnly mfa cookie),
 * let `answer` get the assertion (the browser's prompt), and post it to /auth/mfa/verify. `stage` says which call
 * answered: a refused `options` means the challenge (401: spent or expired) or the account (404: no passkey), a
 * refused `verify` the passkey. On success the access token is kept and the API has set the refresh cookie.
 */
export async function finishMfaSignInWithPasskey(
  mfaToken: string | undefined,
  answer: (options: object) => Promise<PasskeyAssertion>,
): Promise<{ stage: 'options' | 'verify'; response: Response }> {
  const token = mfaToken ? { mfa_token: mfaToken } : {};
  const started = await client.api.v1.auth.mfa.webauthn.options.$post({ json: token });
  if (!started.ok) return { stage: 'options', response: started };
  const webauthn = await answer(await started.json());
  const response = await client.api.v1.auth.mfa.verify.$post({ json: { ...token, webauthn } });
  if (response.ok) acceptTokenPair(await response.json());
  return { stage: 'verify', response };
}

/**
 * Passwordless sign-in: asks for a challenge, lets `answer` get the passkey's assertion for its options (the
 * browser's prompt, or the username field's autofill), and posts it. The response goes back to the caller, as with
 * `signIn`; on success the access token is kept and the API has set the refresh cookie.
 */
export async function signInWithPasskey(answer: (options: object) => Promise<PasskeyAssertion>): Promise<Response> {
  const started = await client.api.v1.auth.passkey.options.$post();
  if (!started.ok) return started;
  const { challenge_id, options } = await started.json();
  const response = await answer(options);
  const verified = await client.api.v1.auth.passkey.verify.$post({ json: { challenge_id, response } });
  if (verified.ok) acceptTokenPair(await verified.json());
  return verified;
}

let leaving = false;

/**
 * Leaves for another page, once. A sign-out is seen twice on a signed-in page (the header's menu, which leaves for the
 * landing page, and the page's frame, which leaves when the session ends): a second navigation would abort the first.
 */
export function leaveFor(url: string, options: { replace?: boolean } = {}) {
  if (leaving) return;
  leaving = true;
  if (options.replace) window.location.replace(url);
  else window.location.assign(url);
}

/** Ends the session on the API (which clears the cookie), then here. Rejects if the API could not be reached. */
export async function signOut() {
  const headers: Record<string, string> = accessToken ? { Authorization: `Bearer ${accessToken}` } : {};
  await client.api.v1.auth.logout.$post({ json: {} }, { headers });
  endLocalSession(true);
}

if (typeof window !== 'undefined') {
  window.addEventListener('storage', (event) => {
    if (event.key === HINT_KEY && event.newValue === null && $session.get().status === 'signed-in') endLocalSession();
  });
}
