import { createHash, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportSections } from '../../test/data-export';
import { client, createUser, loginAs, uniqueEmail, withStatus } from '../../test/fixtures';
import { enableTotp } from '../../test/mfa';
import { accountFlow, googleAccount, useOAuthTestApp } from '../../test/oauth';
import { loadCurriculum } from '../curriculum/curriculum.content';
import { syncCurriculum } from '../curriculum/curriculum.sync';

// GET /users/me/export: everything held about the user, behind the step-up, three times an hour.

const suite = useOAuthTestApp();
const lessonIds: string[] = [];

beforeAll(async () => {
  await syncCurriculum(suite.app.sql, loadCurriculum());
  const course = loadCurriculum().courses[0] ?? expect.fail('the curriculum has no course');
  const res = await client(suite.app).api.v1.courses[':slug'].$get({ param: { slug: course.slug } });
  for (const module of (await withStatus(res, 200).json()).modules)
    for (const lesson of module.lessons) lessonIds.push(lesson.id);
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const sessionIdOf = (accessToken: string) =>
  JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()).sid as string;

// A user signed in with a password and stepped up on that session.
async function steppedUpUser(prefix = 'export') {
  const user = await createUser(suite.app, { email: uniqueEmail(prefix) });
  const session = await loginAs(suite.app, user);
  const res = await client(suite.app, session.access_token).api.v1.auth.reauthenticate.$post({
    json: { password: user.password },
  });
  expect(res.status).toBe(204);
  return { ...user, session, token: session.access_token };
}

function exportData(token: string) {
  return client(suite.app, token).api.v1.users.me.export.$get();
}

describe('GET /users/me/export', () => {
  it('GET /users/me/export without a token returns 401', async () => {
    const res = await client(suite.app).api.v1.users.me.export.$get();
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('GET /users/me/export without a recent step-up returns 401 reauthentication_required and records nothing', async () => {
    const user = await createUser(suite.app, { email: uniqueEmail('export') });
    const session = await loginAs(suite.app, user);
    const res = await exportData(session.access_token);
    expect(await withStatus(res, 401).json()).toMatchObject({
      code: 'reauthentication_required',
      methods: ['password'],
    });
    expect(res.headers.get('www-authenticate')).toMatch(/error="insufficient_user_authentication".*max_age=600/);
    const audit = await suite.app.sql`select 1 from audit_logs where user_id = ${user.id} and event = 'data_exported'`;
    expect(audit).toHaveLength(0);
  });

  it('GET /users/me/export returns 401 once the step-up is older than REAUTH_MAX_AGE_SECONDS', async () => {
    const user = await steppedUpUser();
    suite.app.clock.advance(601);
    expect((await exportData(user.token)).status).toBe(401);
  });

  it('GET /users/me/export returns each kind of data the user has, as an attachment, and no secret', async () => {
    const user = await steppedUpUser();
    const other = await createUser(suite.app, { email: uniqueEmail('bystander') });
    const otherSession = await loginAs(suite.app, other);
    // A second session on another device, the profile, progress, a connected provider and a failed sign-in.
    const phone = await loginAs(suite.app, user);
    const profile = await client(suite.app, user.token).api.v1.users.me.$patch({ json: { full_name: 'Ada Exported' } });
    expect(profile.status).toBe(200);
    const lessonA = lessonIds[0] ?? expect.fail('the course has no lesson');
    const lessonB = lessonIds[1] ?? expect.fail('the course has one lesson only');
    for (const [lesson, status] of [
      [lessonA, 'completed'],
      [lessonB, 'in_progress'],
    ] as const) {
      const res = await client(suite.app, user.token).api.v1.users.me.progress[':lesson_id'].$put({
        param: { lesson_id: lesson },
        json: { status },
      });
      expect(res.status).toBe(200);
    }
    // Another user's progress on the same lesson must not show up.
    await client(suite.app, otherSession.access_token).api.v1.users.me.progress[':lesson_id'].$put({
      param: { lesson_id: lessonA },
      json: { status: 'in_progress' },
    });
    const google = googleAccount({ email: uniqueEmail('google') });
    suite.google.signInAs(google);
    const link = await accountFlow(suite.app, 'google', user.token, { purpose: 'link' });
    expect(link.callback?.status).toBe(303);
    // A passkey as a registration leaves it (the WebAuthn ceremony has its own tests in features/passkeys).
    const credentialId = randomBytes(16).toString('base64url');
    const publicKey = randomBytes(77);
    await suite.app.sql`
      insert into passkeys (user_id, credential_id, public_key, counter, device_type, backed_up, name, created_at)
      values (${user.id}, ${credentialId}, ${publicKey}, 0, 'multiDevice', true, 'Work laptop', ${suite.app.clock.now()})
    `;
    const failed = await client(suite.app).api.v1.auth.login.$post({
      json: { email: user.email, password: 'Wrong-Pa55!x' },
    });
    expect(failed.status).toBe(401);

    const res = await exportData(user.token);
    const body = await withStatus(res, 200).json();
    const doc = { ...body, ...exportSections.parse(body) };
    expect(doc.format).toBe('ai-bootcamp-export/1');
    expect(doc.exported_at).toBe(suite.app.clock.now().toISOString());
    expect(doc.profile).toEqual({
      id: user.id,
      email: user.email,
      full_name: 'Ada Exported',
      role: 'student',
      is_active: true,
      is_verified: false,
      disabled_at: null,
      disabled_reason: null,
      last_login_at: expect.any(String),
      password_changed_at: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(doc.sessions.map((s) => s.id).sort()).toEqual(
      [sessionIdOf(user.token), sessionIdOf(phone.access_token)].sort(),
    );
    expect(doc.sessions.find((s) => s.id === sessionIdOf(user.token))).toMatchObject({
      ip_address: '127.0.0.1',
      reauthenticated_at: expect.any(String),
      revoked_at: null,
    });
    expect(doc.progress).toHaveLength(2);
    expect(doc.progress).toEqual(
      expect.arrayContaining([
        {
          lesson_id: lessonA,
          status: 'completed',
          started_at: expect.any(String),
          completed_at: expect.any(String),
          updated_at: expect.any(String),
        },
        {
          lesson_id: lessonB,
          status: 'in_progress',
          started_at: expect.any(String),
          completed_at: null,
          updated_at: expect.any(String),
        },
      ]),
    );
    expect(doc.oauth_accounts).toEqual([
      {
        id: expect.any(String),
        provider: 'google',
        provider_account_id: google.sub,
        email: google.email,
        created_at: expect.any(String),
        // A link is not a sign-in: nothing has used it yet.
        last_used_at: null,
      },
    ]);
    expect(doc.passkeys).toEqual([
      expect.objectContaining({ name: 'Work laptop', created_at: expect.any(String), last_used_at: null }),
    ]);
    const events = doc.audit_log.map((entry) => entry.event);
    for (const event of [
      'login_success',
      'reauthenticated',
      'profile_updated',
      'oauth_linked',
      'login_failed',
      'data_exported',
    ]) {
      expect(events).toContain(event);
    }

    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="ai-bootcamp-data-${suite.app.clock.now().toISOString().slice(0, 10)}.json"`,
    );
    expect(res.headers.get('cache-control')).toBe('no-store');

    // Nothing that opens the account, and nobody else's data.
    const text = JSON.stringify(doc);
    const [stored] = await suite.app.sql`select hashed_password from users where id = ${user.id}`;
    const tokenHashes = await suite.app.sql`
      select rt.token_hash from refresh_tokens rt join sessions s on s.id = rt.session_id where s.user_id = ${user.id}
    `;
    expect(tokenHashes.length).toBeGreaterThan(0);
    const secrets = [
      user.session.refresh_token,
      sha256(user.session.refresh_token),
      phone.refresh_token,
      sha256(phone.refresh_token),
      ...tokenHashes.map((row) => row.token_hash as string),
      stored?.hashed_password as string,
      user.password,
      user.token,
      other.email,
      other.id,
      credentialId,
      publicKey.toString('base64'),
      publicKey.toString('base64url'),
      publicKey.toString('hex'),
    ];
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/hashed_password|token_hash|code_verifier/);
  });

  it('GET /users/me/export holds the metadata of the MFA factors but neither the secret nor a recovery code', async () => {
    const user = await createUser(suite.app, { email: uniqueEmail('export') });
    const { secret, recoveryCodes, session } = await enableTotp(suite.app, user);
    const res = await exportData(session.access_token);
    const doc = exportSections.parse(await withStatus(res, 200).json());
    expect(doc.totp).toEqual([{ created_at: expect.any(String), confirmed_at: expect.any(String) }]);
    expect(doc.recovery_codes).toHaveLength(recoveryCodes.length);
    expect(doc.recovery_codes[0]).toEqual({
      id: expect.any(String),
      created_at: expect.any(String),
      used_at: null,
    });
    const text = JSON.stringify(doc);
    for (const hidden of [secret, ...recoveryCodes]) expect(text).not.toContain(hidden);
    expect(text).not.toMatch(/secret_encrypted|code_hash|"salt"/);
  });

  it('GET /users/me/export a fourth time in an hour returns 429 with Retry-After, and a slot frees up an hour after the first', async () => {
    const user = await steppedUpUser();
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await exportData(user.token);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('3');
      remaining.push(res.headers.get('ratelimit-remaining'));
      if (i === 0) suite.app.clock.advance(300);
    }
    expect(remaining).toEqual(['2', '1', '0']);

    const limited = await exportData(user.token);
    expect(await withStatus(limited, 429).json()).toMatchObject({
      type: 'about:blank',
      title: 'Too Many Requests',
      status: 429,
    });
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // The first export was 300 s ago: its slot frees up in 3300 s.
    expect(limited.headers.get('retry-after')).toBe('3300');
    expect(limited.headers.get('ratelimit-limit')).toBe('3');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('ratelimit-reset')).toBe('3300');
    const [count] = await suite.app.sql`
      select count(*)::int as n from audit_logs where user_id = ${user.id} and event = 'data_exported'
    `;
    expect(count?.n).toBe(3);

    // An hour after the first export one slot is free again: the budget is the user's, not the session's, so a
    // new sign-in (the old access token and step-up have aged out) gets only that one slot.
    suite.app.clock.advance(3300);
    const session = await loginAs(suite.app, user);
    const again = await client(suite.app, session.access_token).api.v1.auth.reauthenticate.$post({
      json: { password: user.password },
    });
    expect(again.status).toBe(204);
    const freed = await exportData(session.access_token);
    expect(freed.status).toBe(200);
    expect(freed.headers.get('ratelimit-remaining')).toBe('0');
    expect((await exportData(session.access_token)).status).toBe(429);
  });

  it('GET /users/me/export five times at once exports exactly three times', async () => {
    const user = await steppedUpUser();
    const statuses = (await Promise.all(Array.from({ length: 5 }, () => exportData(user.token)))).map(
      (res) => res.status,
    );
    expect(statuses.sort()).toEqual([200, 200, 200, 429, 429]);
  });

  it('GET /users/me/export budgets each user on their own', async () => {
    const first = await steppedUpUser();
    const second = await steppedUpUser();
    for (let i = 0; i < 3; i++) expect((await exportData(first.token)).status).toBe(200);
    expect((await exportData(first.token)).status).toBe(429);
    expect((await exportData(second.token)).status).toBe(200);
  });
});
