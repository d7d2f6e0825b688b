// The browser session store (./session.ts) against a scripted API: the rules the auth flow relies on, checked call
// by call where a real browser cannot easily provoke them (two 401s at once, a refresh in flight). It runs in Node
// with fetch, localStorage and document stubbed, and with fake timers: a "slow" answer is one that waits for a timer
// the test advances, so the order of events is the test's, not the machine's load. The browser tests cover the same
// code end to end.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { type ScriptedApi, stubBrowser } from './fake-browser';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const pair = (token: string) =>
  json(200, {
    access_token: token,
    token_type: 'bearer',
    expires_in: 3600,
    refresh_token: 'r',
    refresh_expires_in: 604800,
  });
const user = {
  id: '00000000-0000-4000-8000-000000000000',
  email: 'ada@example.com',
  full_name: 'Ada Lovelace',
  role: 'student',
  is_active: true,
  is_verified: false,
  created_at: '2026-01-01T00:00:00.000Z',
  last_login_at: null,
};
const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

/** Settles `work` while the fake clock runs every timer it waits on. */
async function settle<T>(work: Promise<T>): Promise<T> {
  await vi.runAllTimersAsync();
  return work;
}

/** A fresh copy of the store (its token lives in module state) over a scripted `fetch`. */
async function loadStore(api: ScriptedApi, { hint = true } = {}) {
  const { calls, storage } = stubBrowser(api, { hint });
  const store = await import('./session');
  return { store, calls, storage };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('session store', () => {
  test('concurrent refreshes fold into one request, and a later one makes a new request', async () => {
    let issued = 0;
    const { store, calls } = await loadStore(async (call) => {
      if (call.path !== '/api/v1/auth/refresh') return json(404, {});
      await tick();
      issued += 1;
      return pair(`a${issued}`);
    });

    expect(
      await settle(Promise.all([store.refreshAccessToken(), store.refreshAccessToken(), store.refreshAccessToken()])),
    ).toEqual([true, true, true]);
    expect(calls.map((call) => call.path)).toEqual(['/api/v1/auth/refresh']);

    await settle(store.refreshAccessToken());
    expect(calls).toHaveLength(2);
  });

  test('startSession refreshes silently with the cookie, then loads the user; islands share one start', async () => {
    const { store, calls } = await loadStore((call) =>
      call.path === '/api/v1/auth/refresh' ? pair('a1') : json(200, user),
    );
    await Promise.all([store.startSession(), store.startSession()]);
    expect(calls).toEqual([
      { path: '/api/v1/auth/refresh', method: 'POST', authorization: null },
      { path: '/api/v1/users/me', method: 'GET', authorization: 'Bearer a1' },
    ]);
    expect(store.$session.get()).toEqual({ status: 'signed-in', user });
  });

  test('a 401 triggers one refresh and one retry; two 401s at once share that refresh', async () => {
    let issued = 0;
    let accepted = 'a1';
    const { store, calls } = await loadStore(async (call) => {
      if (call.path === '/api/v1/auth/refresh') {
        await tick();
        issued += 1;
        return pair(`a${issued}`);
      }
      return call.authorization === `Bearer ${accepted}` ? json(200, user) : json(401, { status: 401 });
    });
    await settle(store.startSession());
    expect(calls.map((call) => call.authorization ?? call.path)).toEqual(['/api/v1/auth/refresh', 'Bearer a1']);

    // The access token "expires": both calls get a 401, one refresh runs, both retry with the new token.
    accepted = 'a2';
    calls.length = 0;
    const me = (options: { headers?: unknown }) =>
      fetch('/api/v1/users/me', { headers: options.headers as Record<string, string> });
    const responses = await settle(Promise.all([store.withAccessToken(me), store.withAccessToken(me)]));
    expect(responses.map((response) => response?.status)).toEqual([200, 200]);
    expect(calls.filter((call) => call.path === '/api/v1/auth/refresh')).toHaveLength(1);
    expect(calls.filter((call) => call.authorization === 'Bearer a2')).toHaveLength(2);

    // A 401 that arrives after another call already refreshed: retry with the new token, no second rotation.
    accepted = 'a3';
    calls.length = 0;
    let stale = 0;
    const slowSecond = async (options: { headers?: unknown }) => {
      stale += 1;
      if (stale === 2) await new Promise((resolve) => setTimeout(resolve, 60));
      return me(options);
    };
    const late = await settle(Promise.all([store.withAccessToken(slowSecond), store.withAccessToken(slowSecond)]));
    expect(late.map((response) => response?.status)).toEqual([200, 200]);
    expect(calls.filter((call) => call.path === '/api/v1/auth/refresh')).toHaveLength(1);
  });

  test('a refresh answered 401 signs out and drops the hint; a retry answered 401 does too', async () => {
    const { store, storage } = await loadStore((call) =>
      call.path === '/api/v1/auth/refresh' ? json(401, { status: 401 }) : json(200, user),
    );
    await store.startSession();
    expect(store.$session.get()).toEqual({ status: 'signed-out' });
    expect(storage.has('aibc.session')).toBe(false);

    let refreshed = false;
    const second = await loadStore((call) => {
      if (call.path === '/api/v1/auth/refresh') {
        refreshed = true;
        return pair('a1');
      }
      return json(401, { status: 401 });
    });
    expect(
      await second.store.withAccessToken((options) =>
        fetch('/api/v1/users/me', { headers: options.headers as Record<string, string> }),
      ),
    ).toBe(undefined);
    expect(refreshed).toBe(true);
    expect(second.store.$session.get()).toEqual({ status: 'signed-out' });
    expect(second.storage.has('aibc.session')).toBe(false);
  });

  test('with tokenRefusedByChallenge, a 401 without WWW-Authenticate is the route’s answer: no refresh, no sign-out', async () => {
    let expired = false;
    const { store, calls, storage } = await loadStore((call) => {
      if (call.path === '/api/v1/auth/refresh') return pair(expired ? 'a2' : 'a1');
      if (call.path === '/api/v1/users/me') return json(200, user);
      // The password change: a refused token carries the Bearer challenge; a wrong current password does not.
      if (expired && call.authorization === 'Bearer a1') {
        return new Response('{"status":401}', { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } });
      }
      return json(401, { status: 401, detail: 'The current password is incorrect.' });
    });
    await store.startSession();
    const change = (options: { headers?: unknown }) =>
      fetch('/api/v1/users/me/password', { method: 'POST', headers: options.headers as Record<string, string> });
    const options = { isTokenRefused: store.tokenRefusedByChallenge };

    calls.length = 0;
    expect((await store.withAccessToken(change, options))?.status).toBe(401);
    expect(calls.map((call) => call.path)).toEqual(['/api/v1/users/me/password']);
    expect(store.$session.get().status).toBe('signed-in');
    expect(storage.get('aibc.session')).toBe('1');

    // An expired token still gets its one refresh and retry; the retry's own 401 comes back to the caller.
    expired = true;
    calls.length = 0;
    expect((await store.withAccessToken(change, options))?.status).toBe(401);
    expect(calls.map((call) => call.authorization ?? call.path)).toEqual([
      'Bearer a1',
      '/api/v1/auth/refresh',
      'Bearer a2',
    ]);
    expect(store.$session.get().status).toBe('signed-in');
  });

  test('without the hint nothing is requested: an anonymous visitor is signed out at once', async () => {
    const { store, calls } = await loadStore(() => json(500, {}), { hint: false });
    await store.startSession();
    expect(calls).toEqual([]);
    expect(store.$session.get()).toEqual({ status: 'signed-out' });
  });

  test('an unexpected answer is an error, not a sign-out, and startSession can be tried again', async () => {
    let status = 503;
    const { store, storage } = await loadStore((call) =>
      call.path === '/api/v1/auth/refresh' ? (status === 200 ? pair('a1') : json(status, {})) : json(200, user),
    );
    await expect(store.startSession()).rejects.toBeInstanceOf(store.SessionError);
    expect(storage.get('aibc.session')).toBe('1');
    status = 200;
    await store.startSession();
    expect(store.$session.get()).toEqual({ status: 'signed-in', user });
  });

  test('signOut calls logout with the cookie and the access token, then forgets both here', async () => {
    const { store, calls, storage } = await loadStore((call) => {
      if (call.path === '/api/v1/auth/refresh') return pair('a1');
      if (call.path === '/api/v1/auth/logout') return new Response(null, { status: 204 });
      return json(200, user);
    });
    await store.startSession();
    await store.signOut();
    expect(calls.at(-1)).toEqual({ path: '/api/v1/auth/logout', method: 'POST', authorization: 'Bearer a1' });
    expect(store.$session.get()).toEqual({ status: 'signed-out', onPurpose: true });
    expect(storage.has('aibc.session')).toBe(false);
  });
});
