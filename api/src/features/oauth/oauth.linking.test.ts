import { describe, expect, it } from 'vitest';
import { client, createUser, loginAs, uniqueEmail, withStatus } from '../../test/fixtures';
import {
  accessTokenFrom,
  accountFlow,
  approveAtProvider,
  callbackAtApp,
  githubAccount,
  googleAccount,
  PUBLIC_APP_URL,
  signInWith,
  startAccountFlow,
  startSignIn,
  useOAuthTestApp,
} from '../../test/oauth';
import { NOT_VERIFY } from '../../test/smtp';

// The linking rules of a provider sign-in whose account is not linked yet (API.md "Linking"): an existing account
// with the same email is linked only for Google, with Google's email_verified true and the local account verified.

const suite = useOAuthTestApp();

async function localAccount({ verified }: { verified: boolean }) {
  const user = await createUser(suite.app, { email: uniqueEmail('local') });
  if (verified) await suite.app.sql`update users set is_verified = true where id = ${user.id}`;
  return user;
}

async function linksOf(userId: string) {
  return suite.app.sql`select provider, provider_account_id from oauth_accounts where user_id = ${userId}`;
}

async function sessionsOf(userId: string) {
  const [row] = await suite.app.sql`select count(*)::int as n from sessions where user_id = ${userId}`;
  return row?.n as number;
}

async function expectNotLinked(res: { status: number; location: string | null }, userId: string) {
  expect(res.status).toBe(303);
  expect(res.location).toBe(`${PUBLIC_APP_URL}/?auth_error=account_exists_sign_in_to_link`);
  expect(await linksOf(userId)).toEqual([]);
  expect(await sessionsOf(userId)).toBe(0);
}

describe('provider sign-in for an email that already has an account', () => {
  it('Google verified + local verified: links the Google account, signs in and mails the owner', async () => {
    const user = await localAccount({ verified: true });
    const account = googleAccount({ email: user.email.toUpperCase() });
    suite.google.signInAs(account);
    const res = await signInWith(suite.app, 'google');
    expect(res.location).toBe(`${PUBLIC_APP_URL}/dashboard`);
    const me = await client(suite.app, await accessTokenFrom(suite.app, res.refreshToken ?? '')).api.v1.users.me.$get();
    expect((await withStatus(me, 200).json()).id).toBe(user.id);
    expect(await linksOf(user.id)).toEqual([{ provider: 'google', provider_account_id: account.sub }]);
    const events = await suite.app.sql`select event, metadata from audit_logs where user_id = ${user.id} order by id`;
    expect(events.map((row) => row.event)).toEqual(['signup', 'oauth_linked', 'oauth_login', 'refresh']);
    expect(events[1]?.metadata).toEqual({ provider: 'google', via: 'verified_email' });
    const mail = await suite.smtp.waitForMessage(user.email, { subject: NOT_VERIFY });
    expect(mail.subject).toBe('Google was connected to your AI Bootcamp account');
    expect(mail.text).toContain('you can now sign in with it');
    // The password still works too.
    expect((await client(suite.app).api.v1.auth.login.$post({ json: user })).status).toBe(200);
  });

  it('parallel first Google sign-ins (several flows) link once and sign in every one', async () => {
    // Whichever callback links first, each other one finds the link, by its subject or through the email, in
    // whatever order its lookups meet that commit: none is refused as "another Google account already linked".
    const user = await localAccount({ verified: true });
    const account = googleAccount({ email: user.email });
    suite.google.signInAs(account);
    const flows = await Promise.all(Array.from({ length: 6 }, () => startSignIn(suite.app, 'google')));
    const callbacks = await Promise.all(flows.map((flow) => approveAtProvider(flow.authorizationUrl)));
    const results = await Promise.all(
      flows.map((flow, i) => callbackAtApp(suite.app, callbacks[i] ?? '', flow.flowCookie)),
    );
    for (const res of results) expect(res.location).toBe(`${PUBLIC_APP_URL}/dashboard`);
    expect(await linksOf(user.id)).toEqual([{ provider: 'google', provider_account_id: account.sub }]);
    expect(await sessionsOf(user.id)).toBe(6);
    const [linked] = await suite.app.sql`
      select count(*)::int as n from audit_logs where user_id = ${user.id} and event = 'oauth_linked'
    `;
    expect(linked?.n).toBe(1);
  });

  it('Google verified + local unverified: nothing is linked (account_exists_sign_in_to_link)', async () => {
    const user = await localAccount({ verified: false });
    suite.google.signInAs(googleAccount({ email: user.email }));
    await expectNotLinked(await signInWith(suite.app, 'google'), user.id);
  });

  it('Google unverified + local verified: nothing is linked (account_exists_sign_in_to_link)', async () => {
    const user = await localAccount({ verified: true });
    suite.google.signInAs(googleAccount({ email: user.email, email_verified: false }));
    await expectNotLinked(await signInWith(suite.app, 'google'), user.id);
  });

  it('Google unverified + local unverified: nothing is linked (account_exists_sign_in_to_link)', async () => {
    const user = await localAccount({ verified: false });
    suite.google.signInAs(googleAccount({ email: user.email, email_verified: false }));
    await expectNotLinked(await signInWith(suite.app, 'google'), user.id);
  });

  it('GitHub never links by email, even verified on both sides (account_exists_sign_in_to_link)', async () => {
    const user = await localAccount({ verified: true });
    suite.github.signInAs(githubAccount({ email: user.email }));
    await expectNotLinked(await signInWith(suite.app, 'github'), user.id);
    const [audit] = await suite.app.sql`
      select metadata from audit_logs where user_id = ${user.id} and event = 'oauth_failed'
    `;
    expect(audit?.metadata).toMatchObject({
      code: 'account_exists_sign_in_to_link',
      reason: 'account_exists_github_never_links',
    });
  });

  it('the same email with another Google subject, while one Google account is linked: nothing changes', async () => {
    const user = await localAccount({ verified: true });
    const first = googleAccount({ email: user.email });
    suite.google.signInAs(first);
    expect((await signInWith(suite.app, 'google')).location).toBe(`${PUBLIC_APP_URL}/dashboard`);
    const sessions = await sessionsOf(user.id);
    suite.google.signInAs(googleAccount({ email: user.email }));
    const res = await signInWith(suite.app, 'google');
    expect(res.location).toBe(`${PUBLIC_APP_URL}/?auth_error=account_exists_sign_in_to_link`);
    expect(await linksOf(user.id)).toEqual([{ provider: 'google', provider_account_id: first.sub }]);
    expect(await sessionsOf(user.id)).toBe(sessions);
  });

  it('Google verified + local verified but disabled: nothing is linked (account_disabled)', async () => {
    const user = await localAccount({ verified: true });
    await suite.app.sql`update users set is_active = false where id = ${user.id}`;
    suite.google.signInAs(googleAccount({ email: user.email }));
    const res = await signInWith(suite.app, 'google');
    expect(res.location).toBe(`${PUBLIC_APP_URL}/?auth_error=account_disabled`);
    expect(await linksOf(user.id)).toEqual([]);
    expect(await sessionsOf(user.id)).toBe(0);
  });

  it('parallel links of one GitHub account from the dashboard (several flows) all land linked, with one link', async () => {
    const user = await localAccount({ verified: true });
    const account = githubAccount({ email: user.email });
    suite.github.signInAs(account);
    const token = (await loginAs(suite.app, user)).access_token;
    expect(
      (await client(suite.app, token).api.v1.auth.reauthenticate.$post({ json: { password: user.password } })).status,
    ).toBe(204);
    const flows = await Promise.all(
      Array.from({ length: 6 }, () => startAccountFlow(suite.app, 'github', token, { purpose: 'link' })),
    );
    const callbacks = await Promise.all(flows.map((flow) => approveAtProvider(flow.authorizationUrl ?? '')));
    const results = await Promise.all(
      flows.map((flow, i) => callbackAtApp(suite.app, callbacks[i] ?? '', flow.flowCookie)),
    );
    // Whichever links first, the others find the account linked to this user: not "linked elsewhere".
    for (const res of results) expect(res.location).toBe(`${PUBLIC_APP_URL}/dashboard`);
    expect(await linksOf(user.id)).toEqual([{ provider: 'github', provider_account_id: String(account.id) }]);
  });

  it('after the owner links GitHub from the dashboard, GitHub signs them in', async () => {
    const user = await localAccount({ verified: true });
    const account = githubAccount({ email: user.email });
    suite.github.signInAs(account);
    await expectNotLinked(await signInWith(suite.app, 'github'), user.id);

    const token = (await loginAs(suite.app, user)).access_token;
    expect(
      (await client(suite.app, token).api.v1.auth.reauthenticate.$post({ json: { password: user.password } })).status,
    ).toBe(204);
    const link = await accountFlow(suite.app, 'github', token, { purpose: 'link' });
    expect(link.callback?.location).toBe(`${PUBLIC_APP_URL}/dashboard`);

    const res = await signInWith(suite.app, 'github');
    expect(res.location).toBe(`${PUBLIC_APP_URL}/dashboard`);
    const me = await client(suite.app, await accessTokenFrom(suite.app, res.refreshToken ?? '')).api.v1.users.me.$get();
    expect((await withStatus(me, 200).json()).id).toBe(user.id);
  });
});
