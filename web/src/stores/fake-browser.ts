// The browser the stores run in, stubbed for their unit tests (session.test.ts, step-up.test.ts): localStorage over a
// Map, an empty `document.documentElement.dataset`, a `window` that takes listeners, and a `fetch` that records each
// call and answers with the test's scripted API. Undo with `vi.unstubAllGlobals()`.
import { vi } from 'vitest';

/** One request, as `calls` records it. */
export type Call = { path: string; method: string; authorization: string | null };

/** The test's API: answers each call; `body` is the request's string body, if it sent one. */
export type ScriptedApi = (call: Call, body: string | null) => Response | Promise<Response>;

/**
 * Stubs the globals and resets the module registry, so the test's next `import('./session')` is a fresh store (its
 * token lives in module state). `hint`: the "signed in on this browser" flag is in localStorage.
 */
export function stubBrowser(api: ScriptedApi, { hint = true } = {}) {
  const calls: Call[] = [];
  const storage = new Map<string, string>(hint ? [['aibc.session', '1']] : []);
  vi.stubGlobal('localStorage', {
    getItem: (key: string) => storage.get(key) ?? null,
    setItem: (key: string, value: string) => storage.set(key, String(value)),
    removeItem: (key: string) => storage.delete(key),
  });
  vi.stubGlobal('document', { documentElement: { dataset: {} } });
  vi.stubGlobal('window', { addEventListener: () => {} });
  vi.stubGlobal('fetch', async (input: string, init: RequestInit = {}) => {
    const call: Call = {
      path: new URL(input, 'http://localhost').pathname,
      method: init.method ?? 'GET',
      authorization: new Headers(init.headers).get('authorization'),
    };
    calls.push(call);
    return api(call, typeof init.body === 'string' ? init.body : null);
  });
  vi.resetModules();
  return { calls, storage };
}
