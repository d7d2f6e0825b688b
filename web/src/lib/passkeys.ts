import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import type { client } from './api';

// What the API takes: its own zod schemas of the JSON forms (shared/passkeys.ts). The library's types are the same
// shapes, except that its extension outputs are an interface without an index signature, hence the casts below.
type RegistrationBody = Parameters<typeof client.api.v1.users.me.passkeys.$post>[0]['json']['response'];
type AssertionBody = Parameters<typeof client.api.v1.auth.passkey.verify.$post>[0]['json']['response'];

/*
 * Passkeys in the browser, through @simplewebauthn/browser. Loaded on first use (a dynamic import): the landing page,
 * which carries the sign-in modal, has a JavaScript budget, and most visits never touch a passkey.
 */

const browserLibrary = () => import('@simplewebauthn/browser');

/** Whether this browser can make and use passkeys at all (a check without the library, so it costs nothing). */
export function supportsPasskeys() {
  return typeof window !== 'undefined' && typeof window.PublicKeyCredential === 'function';
}

/** Whether the browser offers passkeys in the username field's autofill (`autocomplete="username webauthn"`). */
export async function supportsPasskeyAutofill() {
  if (!supportsPasskeys()) return false;
  const { browserSupportsWebAuthnAutofill } = await browserLibrary();
  return browserSupportsWebAuthnAutofill();
}

/** `options`: the API's creation options, passed through as they came. */
export async function createPasskey(options: object): Promise<RegistrationBody> {
  const { startRegistration } = await browserLibrary();
  const created = await startRegistration({ optionsJSON: options as PublicKeyCredentialCreationOptionsJSON });
  return created as RegistrationBody;
}

/** `autofill`: wait for the visitor to pick a passkey in the username field's suggestions (conditional UI). */
export async function getPasskeyAssertion(
  options: object,
  { autofill = false }: { autofill?: boolean } = {},
): Promise<AssertionBody> {
  const { startAuthentication } = await browserLibrary();
  const asserted = await startAuthentication({
    optionsJSON: options as PublicKeyCredentialRequestOptionsJSON,
    useBrowserAutofill: autofill,
  });
  return asserted as AssertionBody;
}

/**
 * The visitor closed the browser's passkey prompt, it timed out, or another ceremony replaced it: nothing to say.
 * @simplewebauthn/browser passes the browser's DOMException through (or wraps it with the same name as `cause`).
 */
export function isPasskeyCancelled(error: unknown) {
  const names = [error, (error as { cause?: unknown } | undefined)?.cause]
    .map((value) => (value instanceof Error ? value.name : undefined))
    .filter(Boolean);
  return names.some((name) => name === 'NotAllowedError' || name === 'AbortError');
}
