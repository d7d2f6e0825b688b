import { nanoquery } from '@nanostores/query';
import type { InferResponseType } from 'hono/client';
import { client } from '../lib/api';
import { SessionError, withAccessToken } from './session';

/*
 * Reads of the signed-in account through @nanostores/query: loading and error state, one request for several
 * readers, revalidation on demand. Each fetcher calls the typed client through withAccessToken (one refresh and
 * retry on an expired token). A read while signing out resolves to undefined: the page is on its way elsewhere.
 * Errors are shown, not retried behind the visitor's back (the section offers "try again").
 */
const [createFetcherStore, , { revalidateKeys }] = nanoquery({
  dedupeTime: 0,
  revalidateOnFocus: false,
  revalidateOnReconnect: false,
  onErrorRetry: null,
});

export type SessionList = InferResponseType<typeof client.api.v1.users.me.sessions.$get, 200>;

const SESSIONS = 'me/sessions';

/** The live sessions of the signed-in user (GET /users/me/sessions). */
export const $sessions = createFetcherStore<SessionList | undefined>([SESSIONS], {
  fetcher: async () => {
    const response = await withAccessToken((options) => client.api.v1.users.me.sessions.$get({}, options));
    if (!response) return undefined;
    if (!response.ok) throw new SessionError(response.status);
    return response.json();
  },
});

/** Asks for the sessions again (after one was ended, or a password change ended the others). */
export function reloadSessions() {
  revalidateKeys(SESSIONS);
}
