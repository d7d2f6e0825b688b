import type { StepUpMethod } from '@aibc/api/shared/problem';
import type { ClientRequestOptions } from 'hono/client';
import { atom } from 'nanostores';
import { client } from '../lib/api';
import { type AccessTokenOptions, isStepUpChallenge, tokenRefusedByChallenge, withAccessToken } from './session';

/*
 * Step-up ("Confirm it's you", API.md "Step-up", RFC 9470), shared by every island.
 *
 * A route that changes what protects the account answers 401 `reauthentication_required` with the `methods` this
 * user can prove themselves with, unless this session proved a factor in the last few minutes. Any island writes
 *
 *   const response = await withStepUp((options) => client.api.v1.users.me.oauth[':provider'].$delete({ param }, options));
 *
 * and gets the route's own answer: on that 401 the one dialog (islands/StepUpDialog.tsx, on every page) asks for a
 * proof, POSTs /auth/reauthenticate, and the call is made once more. Cancelling rejects with `StepUpCancelledError`
 * (check with `isStepUpCancelled`), which callers ignore: the visitor chose not to go on.
 *
 * The ways to prove it are views in islands/step-up/methods.tsx, keyed by the API's method names. The MFA issue adds
 * `totp` and `recovery_code` there, passkeys `webauthn` (its options come from `reauthenticationOptions`).
 */

export type { StepUpMethod };

/** One proof for POST /auth/reauthenticate, as its body takes it. */
export type StepUpProof = Parameters<typeof client.api.v1.auth.reauthenticate.$post>[0]['json'];

export type StepUpPrompt = {
  /** The methods the API offered, in its order. */
  methods: StepUpMethod[];
};

/** Set in the address a provider step-up comes back to: the dialog then says the visitor is confirmed. */
export const STEPPED_UP_PARAM = 'stepped_up';

/** The open prompt, or null. The dialog follows it. */
export const $stepUp = atom<StepUpPrompt | null>(null);

export class StepUpCancelledError extends Error {
  override name = 'StepUpCancelledError';
  constructor() {
    super('Step-up cancelled');
  }
}

export function isStepUpCancelled(error: unknown): error is StepUpCancelledError {
  return error instanceof StepUpCancelledError;
}

let pending: { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } | undefined;

/**
 * Opens the dialog and resolves once this session has stepped up; rejects with `StepUpCancelledError` when the
 * visitor closes it. Two calls while it is open share the one prompt (two sections asking at once).
 */
export function requestStepUp(prompt: StepUpPrompt): Promise<void> {
  if (pending) return pending.promise;
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((done, fail) => {
    resolve = done;
    reject = fail;
  });
  pending = { promise, resolve, reject };
  $stepUp.set(prompt);
  return promise;
}

/** The dialog calls this after a proof was accepted (a 204 from /auth/reauthenticate). */
export function completeStepUp() {
  const current = pending;
  pending = undefined;
  $stepUp.set(null);
  current?.resolve();
}

/** Escape, the close button, Cancel, or a sign-out while the dialog was open. */
export function cancelStepUp() {
  const current = pending;
  pending = undefined;
  $stepUp.set(null);
  current?.reject(new StepUpCancelledError());
}

/**
 * `withAccessToken` plus the step-up: the call, and on 401 `reauthentication_required` the dialog, then the call
 * once more. Resolves with the route's answer (a second step-up challenge included: no loop), or undefined when
 * there is no session. Rejects with `StepUpCancelledError` when the visitor cancels.
 */
export async function withStepUp<R extends Response>(
  call: (options: ClientRequestOptions) => Promise<R>,
  accessOptions?: AccessTokenOptions,
): Promise<R | undefined> {
  const first = await withAccessToken(call, accessOptions);
  if (!first || !isStepUpChallenge(first)) return first;
  const methods = await offeredMethods(first.clone());
  await requestStepUp({ methods });
  return withAccessToken(call, accessOptions);
}

/**
 * The `methods` of the challenge, or the password when the body says none. Read by hand rather than with
 * lib/problems (zod): this module rides in the island every page loads, and the landing page has a JS budget.
 */
async function offeredMethods(response: Response): Promise<StepUpMethod[]> {
  const known: readonly string[] = ['password', 'totp', 'recovery_code', 'webauthn', 'google', 'github'];
  try {
    const body: unknown = await response.json();
    const methods = typeof body === 'object' && body !== null ? (body as { methods?: unknown }).methods : undefined;
    const offered = Array.isArray(methods)
      ? methods.filter((method): method is StepUpMethod => typeof method === 'string' && known.includes(method))
      : [];
    return offered.length > 0 ? offered : ['password'];
  } catch {
    return ['password'];
  }
}

/**
 * POST /auth/reauthenticate with one proof. A wrong password or code is a 401 without a challenge: the caller's to
 * show.
 */
export function reauthenticate(proof: StepUpProof) {
  return withAccessToken((options) => client.api.v1.auth.reauthenticate.$post({ json: proof }, options), {
    isTokenRefused: tokenRefusedByChallenge,
  });
}

/**
 * POST /auth/reauthenticate/webauthn/options: request options for this user's passkeys, a challenge of this session
 * (its assertion goes back as `{webauthn}` to `reauthenticate`). 404 when the account has no passkey.
 */
export function reauthenticationOptions() {
  return withAccessToken((options) => client.api.v1.auth.reauthenticate.webauthn.options.$post({}, options), {
    isTokenRefused: tokenRefusedByChallenge,
  });
}
