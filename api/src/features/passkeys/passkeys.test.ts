import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RegistrationResponse } from '../../shared/passkeys';
import { api, client, createUser, loginAs, withStatus } from '../../test/fixtures';
import { useTestApp } from '../../test/setup';
import { NOT_VERIFY } from '../../test/smtp';

// The passkey routes' rules that need no authenticator: step-up, ownership, renaming, the last way in, challenge
// bookkeeping. Making and using passkeys in a real browser: tests/e2e/passkeys-webauthn.test.ts.
const { app, smtp } = useTestApp({ smtp: true });

async function signedInWithStepUp() {
  const user = await createUser(app);
  const session = await loginAs(app, user);
  const stepUp = await client(app, session.access_token).api.v1.auth.reauthenticate.$post({
    json: { password: user.password },
  });
  expect(stepUp.status).toBe(204);
  return { user, token: session.access_token };
}

function passkeys(token?: string) {
  return client(app, token).api.v1.users.me.passkeys;
}

// A stored passkey as a registration leaves it (the signature check never runs in these tests).
async function seedPasskey(userId: string, name = 'Phone') {
  const [row] = await app.sql`
    insert into passkeys (user_id, credential_id, public_key, counter, device_type, backed_up, name, created_at)
    values (${userId}, ${randomBytes(16).toString('base64url')}, ${randomBytes(77)}, 0, 'multiDevice', true, ${name},
      ${app.clock.now()})
    returning id
  `;
  return row?.id as string;
}

describe('/users/me/passkeys', () => {
  it('GET /users/me/passkeys lists only your passkeys, oldest first', async () => {
    const { user, token } = await signedInWithStepUp();
    const stranger = await createUser(app);
    const first = await seedPasskey(user.id, 'Phone');
    app.clock.advance(1);
    const second = await seedPasskey(user.id, 'Laptop');
    await seedPasskey(stranger.id, 'Not yours');
    const res = await passkeys(token).$get();
    const body = await withStatus(res, 200).json();
    expect(body.map((passkey) => passkey.id)).toEqual([first, second]);
    expect(body[0]).toEqual({
      id: first,
      name: 'Phone',
      created_at: expect.any(String),
      last_used_at: null,
      backed_up: true,
    });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await passkeys().$get()).status).toBe(401);
  });

  it('PATCH /users/me/passkeys/{id} renames yours, 404 for another user’s, 422 for a bad name', async () => {
    const { user, token } = await signedInWithStepUp();
    const stranger = await createUser(app);
    const mine = await seedPasskey(user.id);
    const theirs = await seedPasskey(stranger.id);
    const renamed = await passkeys(token)[':id'].$patch({ param: { id: mine }, json: { name: '  Pixel 9  ' } });
    expect(await withStatus(renamed, 200).json()).toMatchObject({ id: mine, name: 'Pixel 9' });
    const other = await passkeys(token)[':id'].$patch({ param: { id: theirs }, json: { name: 'x' } });
    expect(other.status).toBe(404);
    const [unchanged] = await app.sql`select name from passkeys where id = ${theirs}`;
    expect(unchanged?.name).toBe('Phone');
    for (const name of ['', ' ', 'a'.repeat(65), 'bad\u0000name', 'evil\u202ename']) {
      const bad = await passkeys(token)[':id'].$patch({ param: { id: mine }, json: { name } });
      expect((await withStatus(bad, 422).json()).errors?.[0]?.field).toBe('name');
    }
    expect((await passkeys(token)[':id'].$patch({ param: { id: 'not-a-uuid' }, json: { name: 'x' } })).status).toBe(
      422,
    );
  });

  it('DELETE /users/me/passkeys/{id} needs a step-up, and answers 404 for a passkey that is not yours', async () => {
    const { user, token } = await signedInWithStepUp();
    const mine = await seedPasskey(user.id);
    const stranger = await createUser(app);
    const theirs = await seedPasskey(stranger.id);
    const fresh = await loginAs(app, user);
    const noStepUp = await passkeys(fresh.access_token)[':id'].$delete({ param: { id: mine } });
    expect(await withStatus(noStepUp, 401).json()).toMatchObject({
      code: 'reauthentication_required',
      methods: ['password', 'webauthn'],
    });
    expect(noStepUp.headers.get('www-authenticate')).toContain('insufficient_user_authentication');
    expect((await passkeys(token)[':id'].$delete({ param: { id: theirs } })).status).toBe(404);
    expect((await passkeys(token)[':id'].$delete({ param: { id: crypto.randomUUID() } })).status).toBe(404);
    expect(await app.sql`select id from passkeys where id in (${mine}, ${theirs})`).toHaveLength(2);
  });

  it('DELETE /users/me/passkeys/{id} removes it, ends every other session, audits and keeps this session', async () => {
    const { user, token } = await signedInWithStepUp();
    const other = await loginAs(app, user);
    const mine = await seedPasskey(user.id);
    const res = await passkeys(token)[':id'].$delete({ param: { id: mine } });
    expect(res.status).toBe(204);
    expect(await app.sql`select id from passkeys where id = ${mine}`).toHaveLength(0);
    expect((await client(app, other.access_token).api.v1.users.me.$get()).status).toBe(401);
    expect((await client(app, token).api.v1.users.me.$get()).status).toBe(200);
    const [audit] =
      await app.sql`select metadata from audit_logs where user_id = ${user.id} and event = 'passkey_removed'`;
    expect(audit?.metadata).toMatchObject({ passkey_id: mine, sessions_ended: 1 });
    // The owner hears of it, with the way to their passkeys: Settings, where the section lives (not the dashboard).
    const mail = await smtp.waitForMessage(user.email, { subject: NOT_VERIFY });
    expect(mail.subject).toBe('A passkey was removed from your AI Bootcamp account');
    const settings = `${app.deps.config.mail.publicAppUrl}/settings`;
    expect(mail.links).toEqual([settings]);
    expect(mail.html).toContain(`href="${settings}"`);
    expect(mail.html).not.toContain('/dashboard');
  });

  it('DELETE /users/me/passkeys/{id} refuses the last way in with 409 last_sign_in_method, also when two race', async () => {
    const { user, token } = await signedInWithStepUp();
    // An account whose only ways in are two passkeys (made through a provider, the link since removed).
    await app.sql`update users set hashed_password = null where id = ${user.id}`;
    const first = await seedPasskey(user.id, 'One');
    const second = await seedPasskey(user.id, 'Two');
    const answers = await Promise.all([first, second].map((id) => passkeys(token)[':id'].$delete({ param: { id } })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([204, 409]);
    const refused = answers.find((answer) => answer.status === 409);
    expect(await refused?.json()).toMatchObject({ status: 409, code: 'last_sign_in_method' });
    expect(await app.sql`select id from passkeys where user_id = ${user.id}`).toHaveLength(1);
  });

  it('POST /users/me/passkeys/options keeps one random user handle per user and stores a 5-minute challenge', async () => {
    const { user, token } = await signedInWithStepUp();
    const firstRes = await passkeys(token).options.$post();
    const secondRes = await passkeys(token).options.$post();
    const first = await withStatus(firstRes, 200).json();
    const second = await withStatus(secondRes, 200).json();
    expect(first.user.id).toBe(second.user.id);
    expect(first.challenge).not.toBe(second.challenge);
    expect(first.timeout).toBe(300_000);
    const challenges = await app.sql`
      select purpose, user_id, extract(epoch from expires_at - created_at)::int as ttl
      from webauthn_challenges where challenge in (${first.challenge}, ${second.challenge})
    `;
    expect(challenges).toEqual([
      { purpose: 'registration', user_id: user.id, ttl: 300 },
      { purpose: 'registration', user_id: user.id, ttl: 300 },
    ]);
    const other = await signedInWithStepUp();
    const theirs = await withStatus(await passkeys(other.token).options.$post(), 200).json();
    expect(theirs.user.id).not.toBe(first.user.id);
  });

  it('POST /users/me/passkeys answers 400 for an answer to no challenge of this session, 422 for a malformed one', async () => {
    const { token } = await signedInWithStepUp();
    const clientData = Buffer.from(
      JSON.stringify({
        type: 'webauthn.create',
        challenge: randomBytes(32).toString('base64url'),
        origin: 'http://localhost:8000',
      }),
    ).toString('base64url');
    const response: RegistrationResponse = {
      id: 'AAAA',
      rawId: 'AAAA',
      type: 'public-key',
      clientExtensionResults: {},
      response: { clientDataJSON: clientData, attestationObject: 'AAAA' },
    };
    const res = await passkeys(token).$post({ json: { name: 'Key', response } });
    expect(res.status).toBe(400);
    // A response the typed client would refuse to send.
    const malformed = await api(app, '/api/v1/users/me/passkeys', {
      token,
      json: { name: 'Key', response: { id: 1 } },
    });
    expect(malformed.status).toBe(422);
  });

  it('POST /auth/passkey/options answers a challenge id and discoverable request options', async () => {
    const res = await client(app).api.v1.auth.passkey.options.$post();
    const body = await withStatus(res, 200).json();
    expect(body).toEqual({
      challenge_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      options: expect.objectContaining({ rpId: 'localhost', userVerification: 'required', timeout: 300_000 }),
    });
    expect(body.options.allowCredentials).toBeUndefined();
    expect(body.options.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('POST /auth/reauthenticate/webauthn/options answers 404 for an account without passkeys', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    const res = await client(app, session.access_token).api.v1.auth.reauthenticate.webauthn.options.$post();
    expect(res.status).toBe(404);
  });
});
