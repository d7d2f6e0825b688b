import { describe, expect, it } from 'vitest';
import { client, createUser, loginAs, refreshCookieHeader, withStatus } from '../test/fixtures';
import { useTestApp } from '../test/setup';

// The writes a stolen token could loop on are budgeted per session (RATE_LIMIT_SESSION_WRITES_PER_MINUTE,
// default 60): a loop of 200 meets a 429, and the owner's other sessions keep their own budgets.
const { app } = useTestApp();
const LIMIT = 60;

function refresh(refresh_token: string) {
  return client(app).api.v1.auth.refresh.$post({ json: { refresh_token } });
}

function renameMe(token: string, full_name: string) {
  return client(app, token).api.v1.users.me.$patch({ json: { full_name } });
}

describe('POST /auth/refresh is limited per session', () => {
  it('a loop of 200 refreshes, rotating the token each time, meets a 429 after the budget', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    let token = session.refresh_token;
    let refreshed = 0;
    let limited: Awaited<ReturnType<typeof refresh>> | undefined;
    for (let i = 0; i < 200; i++) {
      // Half through the body, half through the cookie: both name the same session.
      const res =
        i % 2 === 0
          ? await refresh(token)
          : await client(app).api.v1.auth.refresh.$post({ json: {} }, { headers: refreshCookieHeader(app, token) });
      if (res.status === 429) {
        limited = res;
        break;
      }
      token = (await withStatus(res, 200).json()).refresh_token;
      refreshed++;
    }
    expect(refreshed).toBe(LIMIT);
    expect(limited?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await limited?.json()).toMatchObject({ status: 429 });
    // The refused request rotated nothing: the session still has exactly one live token, the last one handed out.
    const live = await app.sql`
      select 1 from refresh_tokens rt
      join sessions s on s.id = rt.session_id
      where s.user_id = ${user.id} and rt.used_at is null and rt.revoked_at is null
    `;
    expect(live).toHaveLength(1);

    // Another session of the same account refreshes freely.
    const other = await loginAs(app, user);
    const res = await refresh(other.refresh_token);
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('ratelimit-remaining'))).toBe(LIMIT - 1);
  });

  it('an unknown refresh token is answered 401, counted against the client, not a session', async () => {
    const res = await refresh('not-a-token');
    expect(res.status).toBe(401);
    const [row] = await app.sql`select key from rate_limit_hits where key like 'refresh-session:ip:%'`;
    expect(row).toBeDefined();
  });
});

describe('PATCH /users/me is limited per session', () => {
  it('a loop of 200 profile writes meets a 429; another session of the same user is not limited', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    let written = 0;
    let status = 0;
    for (let i = 0; i < 200; i++) {
      const res = await renameMe(session.access_token, `Name ${i}`);
      status = res.status;
      if (status === 429) break;
      expect(status).toBe(200);
      written++;
    }
    expect(status).toBe(429);
    expect(written).toBe(LIMIT);
    const [stored] = await app.sql<{ full_name: string }[]>`select full_name from users where id = ${user.id}`;
    expect(stored?.full_name).toBe(`Name ${LIMIT - 1}`);

    const other = await loginAs(app, user);
    const res = await renameMe(other.access_token, 'Other Device');
    expect(res.status).toBe(200);
  });
});
