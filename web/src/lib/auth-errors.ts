import type { ProblemCode } from '@aibc/api/shared/problem';

/*
 * The `auth_error` a failed provider round trip lands with (`/?auth_error=<code>`, API.md "OAuth sign-in"), in
 * plain words. The API's own three extra codes are here too; an unknown one gets the general sentence.
 */
const MESSAGES: Partial<Record<ProblemCode, string>> = {
  oauth_state:
    'That sign-in expired or was started in another tab or browser, so nothing happened. Please start it again.',
  oauth_denied: 'The sign-in was cancelled at the provider. Nothing was changed.',
  oauth_failed: "We couldn't complete the sign-in with the provider. Please try again in a moment.",
  account_exists_sign_in_to_link:
    'An account with that email already exists. Sign in with your password, then connect the provider under Connected accounts.',
  account_disabled: 'This account has been disabled. If you think that is a mistake, contact us.',
  oauth_linked_elsewhere: 'That provider account is already connected to another AI Bootcamp account.',
  oauth_wrong_account:
    'That was a different provider account from the one connected here. Sign in there with the connected account and try again.',
  oauth_email_unverified:
    "The provider didn't share a verified email address, so we couldn't create your account. Verify your email there, or sign up with an email and password.",
};

export const GENERAL_AUTH_ERROR = "We couldn't complete the sign-in. Please try again.";

export function authErrorMessage(code: string): string {
  return MESSAGES[code as ProblemCode] ?? GENERAL_AUTH_ERROR;
}

/** Reads `auth_error` from the address once and takes it out, so a reload does not show it again. */
export function takeAuthError(): string | undefined {
  const url = new URL(window.location.href);
  const code = url.searchParams.get('auth_error');
  if (code === null) return undefined;
  url.searchParams.delete('auth_error');
  window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  return code;
}
