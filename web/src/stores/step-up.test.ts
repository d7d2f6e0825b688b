// The step-up store (./step-up.ts) against a scripted API: the rules every island's `withStepUp` relies on, call by
// call. Runs in Node with fetch, localStorage and document stubbed, like session.test.ts; the OAuth browser test
// (tests/e2e/oauth.test.ts) drives the same code through the real dialog, API and providers.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { type Call, type ScriptedApi, stubBrowser } from './fake-browser';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

// What require-recent-auth.ts answers (RFC 9470).
const stepUpRequired = () =>
  json(
    401,
    { status: 401, code: 'reauthentication_required', methods: ['password', 'github'], detail: 'Confirm it is you' },
    { 'WWW-Authenticate': 'Bearer error="insufficient_user_authentication", max_age=600' },
  );

async function loadStores(api: ScriptedApi) {
  const { calls, storage } = stubBrowser(api);
  const session = await import('./session');
  const stepUp = await import('./step-up');
  return { session, stepUp, calls, storage };
}

const pair = json(200, {
  access_token: 'a1',
  token_type: 'bearer',
  expires_in: 3600,
  refresh_token: 'r',
  refresh_expires_in: 604800,
});

/** A scripted API with one step-up route: DELETE /users/me/oauth/github, accepted once the session stepped up. */
function scriptedApi() {
  let steppedUp = false;
  return async (call: Call, body: string | null) => {
    if (call.path === '/api/v1/auth/refresh') return pair.clone();
    if (call.path === '/api/v1/auth/reauthenticate') {
      if (body === JSON.stringify({ password: 'Right#Pass1' })) {
        steppedUp = true;
        return new Response(null, { status: 204 });
      }
      return json(401, { status: 401, detail: 'The password is incorrect.' });
    }
    if (call.path === '/api/v1/users/me/oauth/github' && call.method === 'DELETE') {
      return steppedUp ? new Response(null, { status: 204 }) : stepUpRequired();
    }
    return json(404, {});
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('step-up store', () => {
  test('a step-up 401 opens the prompt with the offered methods, no refresh; after the proof the call is retried once', async () => {
    const { stepUp, session, calls } = await loadStores(scriptedApi());
    const unlink = stepUp.withStepUp((options) =>
      fetch('/api/v1/users/me/oauth/github', { method: 'DELETE', headers: options.headers as Record<string, string> }),
    );
    await vi.waitFor(() => expect(stepUp.$stepUp.get()).not.toBeNull());
    expect(stepUp.$stepUp.get()).toEqual({ methods: ['password', 'github'] });
    // The challenge is not a refused token: one refresh (the first token), none after the 401, still signed in.
    expect(calls.filter((call) => call.path === '/api/v1/auth/refresh')).toHaveLength(1);
    expect(session.$session.get().status).not.toBe('signed-out');

    // A wrong password is the form's to show: a 401 without a challenge, no refresh, no sign-out.
    const wrong = await stepUp.reauthenticate({ password: 'nope' });
    expect(wrong?.status).toBe(401);
    expect(calls.filter((call) => call.path === '/api/v1/auth/refresh')).toHaveLength(1);
    expect(stepUp.$stepUp.get()).not.toBeNull();

    const right = await stepUp.reauthenticate({ password: 'Right#Pass1' });
    expect(right?.status).toBe(204);
    stepUp.completeStepUp();
    expect((await unlink)?.status).toBe(204);
    expect(stepUp.$stepUp.get()).toBeNull();
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      'POST /api/v1/auth/refresh',
      'DELETE /api/v1/users/me/oauth/github',
      'POST /api/v1/auth/reauthenticate',
      'POST /api/v1/auth/reauthenticate',
      'DELETE /api/v1/users/me/oauth/github',
    ]);
  });

  test('cancelling rejects with StepUpCancelledError and does not retry', async () => {
    const { stepUp, calls } = await loadStores(scriptedApi());
    const unlink = stepUp.withStepUp((options) =>
      fetch('/api/v1/users/me/oauth/github', { method: 'DELETE', headers: options.headers as Record<string, string> }),
    );
    await vi.waitFor(() => expect(stepUp.$stepUp.get()).not.toBeNull());
    stepUp.cancelStepUp();
    const error = await unlink.catch((caught: unknown) => caught);
    expect(stepUp.isStepUpCancelled(error)).toBe(true);
    expect(stepUp.$stepUp.get()).toBeNull();
    expect(calls.filter((call) => call.method === 'DELETE')).toHaveLength(1);
  });

  test('two actions asking at once share one prompt, and both go on after one proof', async () => {
    const { stepUp, calls } = await loadStores(scriptedApi());
    const call = (options: { headers?: unknown }) =>
      fetch('/api/v1/users/me/oauth/github', { method: 'DELETE', headers: options.headers as Record<string, string> });
    const prompts: unknown[] = [];
    stepUp.$stepUp.listen((prompt) => prompt && prompts.push(prompt));
    const both = Promise.all([stepUp.withStepUp(call), stepUp.withStepUp(call)]);
    await vi.waitFor(() => expect(calls.filter((entry) => entry.method === 'DELETE')).toHaveLength(2));
    // Both challenges read (a body read is a few turns of the event loop), and one prompt shown for the two.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(prompts).toHaveLength(1);
    expect(await stepUp.reauthenticate({ password: 'Right#Pass1' })).toHaveProperty('status', 204);
    stepUp.completeStepUp();
    expect((await both).map((response) => response?.status)).toEqual([204, 204]);
    expect(calls.filter((entry) => entry.path === '/api/v1/auth/reauthenticate')).toHaveLength(1);
  });

  test('a second challenge after the proof comes back to the caller: no loop', async () => {
    const { stepUp, calls } = await loadStores(async (call) =>
      call.path === '/api/v1/auth/refresh' ? pair.clone() : stepUpRequired(),
    );
    const unlink = stepUp.withStepUp((options) =>
      fetch('/api/v1/users/me/oauth/github', { method: 'DELETE', headers: options.headers as Record<string, string> }),
    );
    await vi.waitFor(() => expect(stepUp.$stepUp.get()).not.toBeNull());
    stepUp.completeStepUp();
    expect((await unlink)?.status).toBe(401);
    expect(calls.filter((call) => call.method === 'DELETE')).toHaveLength(2);
  });
});
