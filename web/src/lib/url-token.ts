let taken: { token: string | undefined } | undefined;

/**
 * The `?token=` of a mailed link, read once per page and then taken out of the address bar, so the secret does not
 * linger in the history, a bookmark or a screenshot. Later calls return the same value (an island mounting twice
 * must not lose it). The page keeps it in memory only: reloading the page forgets it, and opening the link from
 * the email again brings it back (a link is only used up when it succeeds).
 */
export function takeTokenFromUrl(): string | undefined {
  if (!taken) {
    const url = new URL(window.location.href);
    taken = { token: url.searchParams.get('token')?.trim() || undefined };
    if (url.searchParams.has('token')) {
      url.searchParams.delete('token');
      window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    }
  }
  return taken.token;
}
