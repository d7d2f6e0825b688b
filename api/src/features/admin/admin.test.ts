import { randomBytes } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditEventNames, auditEvents } from '../../shared/audit-events';
import type { LessonStatus } from '../../shared/fields';
import {
  api,
  type CreatedUser,
  client,
  createUser,
  loginAs,
  type Session,
  uniqueEmail,
  withStatus,
} from '../../test/fixtures';
import { enableTotp, nextStep, totpCode } from '../../test/mfa';
import { githubAccount, googleAccount, signInWith, useOAuthTestApp } from '../../test/oauth';
import { startTestApp } from '../../test/setup';
import { NOT_VERIFY } from '../../test/smtp';
import { loadCurriculum } from '../curriculum/curriculum.content';
import { syncCurriculum } from '../curriculum/curriculum.sync';

const suite = useOAuthTestApp();
const app = () => suite.app;

beforeAll(async () => {
  await syncCurriculum(suite.app.sql, loadCurriculum());
});

beforeEach(() => {
  app().clock.set(new Date());
});

type Signed = CreatedUser & Session;

async function signedIn(role: 'student' | 'instructor' | 'admin', overrides: Partial<CreatedUser> = {}) {
  const user = await createUser(app(), overrides);
  if (role !== 'student') await app().sql`update users set role = ${role} where id = ${user.id}`;
  return { ...user, ...(await loginAs(app(), user)) } as Signed;
}

async function stepUp(who: Signed) {
  const res = await client(app(), who.access_token).api.v1.auth.reauthenticate.$post({
    json: { password: who.password },
  });
  expect(res.status).toBe(204);
}

async function steppedUpAdmin() {
  const admin = await signedIn('admin');
  await stepUp(admin);
  return admin;
}

// /api/v1/admin through the typed client, signed in with `token`.
function adminClient(token?: string) {
  return client(app(), token).api.v1.admin;
}

// Raw requests to /api/v1/admin, for what the typed client cannot send: hostile query strings and paths, values and
// bodies of the wrong type.
function adminApi(path: string, init: Parameters<typeof api>[2] = {}) {
  return api(app(), `/api/v1/admin${path}`, init);
}

// What the typed client accepts for each admin request.
type UserListQuery = Parameters<ReturnType<typeof adminClient>['users']['$get']>[0]['query'];
type AuditQuery = Parameters<ReturnType<typeof adminClient>['audit']['$get']>[0]['query'];
type LearnersQuery = Parameters<ReturnType<typeof adminClient>['courses'][':slug']['learners']['$get']>[0]['query'];
type UserPatch = Parameters<ReturnType<typeof adminClient>['users'][':id']['$patch']>[0]['json'];

function patchUser(token: string, id: string, json: UserPatch) {
  return adminClient(token).users[':id'].$patch({ param: { id }, json });
}

function resetMfa(token: string | undefined, id: string) {
  return adminClient(token).users[':id'].mfa.$delete({ param: { id } });
}

async function meOf(token: string) {
  return client(app(), token).api.v1.users.me.$get();
}

const COURSE = 'ai-engineering-bootcamp';
const marker = () => `m${randomBytes(5).toString('hex')}`;

// Every admin route, with the least each needs to get past validation.
const routes = (id: string) => [
  {
    method: 'GET',
    path: '/users',
    who: 'users:read',
    call: (token?: string) => adminClient(token).users.$get({ query: {} }),
  },
  {
    method: 'GET',
    path: `/users/${id}`,
    who: 'users:read',
    call: (token?: string) => adminClient(token).users[':id'].$get({ param: { id } }),
  },
  {
    method: 'PATCH',
    path: `/users/${id}`,
    who: 'users:manage',
    call: (token?: string) => adminClient(token).users[':id'].$patch({ param: { id }, json: { role: 'student' } }),
  },
  {
    method: 'DELETE',
    path: `/users/${id}/sessions`,
    who: 'users:manage',
    call: (token?: string) => adminClient(token).users[':id'].sessions.$delete({ param: { id } }),
  },
  {
    method: 'DELETE',
    path: `/users/${id}/mfa`,
    who: 'users:manage',
    call: (token?: string) => adminClient(token).users[':id'].mfa.$delete({ param: { id } }),
  },
  {
    method: 'GET',
    path: '/audit',
    who: 'audit:read',
    call: (token?: string) => adminClient(token).audit.$get({ query: {} }),
  },
  {
    method: 'GET',
    path: `/courses/${COURSE}/learners`,
    who: 'learners:read',
    call: (token?: string) => adminClient(token).courses[':slug'].learners.$get({ param: { slug: COURSE }, query: {} }),
  },
];

describe('who may call /admin', () => {
  it('answers 401 without a token and 403 to a student on every admin route', async () => {
    const student = await signedIn('student');
    for (const route of routes(student.id)) {
      const anonymous = await route.call();
      expect(anonymous.status, `${route.method} ${route.path}`).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
      const forbidden = await route.call(student.access_token);
      expect(forbidden.status, `${route.method} ${route.path}`).toBe(403);
      expect(forbidden.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('lets an instructor read users and learners, and answers 403 on mutations and the audit log', async () => {
    const instructor = await signedIn('instructor');
    await stepUp(instructor);
    const target = await createUser(app());
    for (const route of routes(target.id)) {
      const res = await route.call(instructor.access_token);
      const allowed = route.who === 'users:read' || route.who === 'learners:read';
      expect(res.status, `${route.method} ${route.path}`).toBe(allowed ? 200 : 403);
    }
  });

  it('lets an admin call every route (mutations after a step-up)', async () => {
    const admin = await steppedUpAdmin();
    const target = await createUser(app());
    for (const route of routes(target.id)) {
      const res = await route.call(admin.access_token);
      expect(res.status, `${route.method} ${route.path}`).toBe(route.method === 'DELETE' ? 204 : 200);
    }
  });

  it('reads the role from the database: a promotion and a demotion count on the next request with the same token', async () => {
    const admin = await steppedUpAdmin();
    const user = await signedIn('student');
    const listAs = (token: string) => adminClient(token).users.$get({ query: {} });
    expect((await listAs(user.access_token)).status).toBe(403);

    const promoted = await adminClient(admin.access_token).users[':id'].$patch({
      param: { id: user.id },
      json: { role: 'instructor' },
    });
    expect((await withStatus(promoted, 200).json()).role).toBe('instructor');
    expect((await listAs(user.access_token)).status).toBe(200);
    expect((await withStatus(await meOf(user.access_token), 200).json()).role).toBe('instructor');

    await adminClient(admin.access_token).users[':id'].$patch({ param: { id: user.id }, json: { role: 'student' } });
    expect((await listAs(user.access_token)).status).toBe(403);
  });
});

describe('GET /admin/users', () => {
  let admin: Signed;
  beforeAll(async () => {
    admin = await signedIn('admin');
  });
  const search = (query: UserListQuery) => adminClient(admin.access_token).users.$get({ query });
  const page = async (query: UserListQuery) => withStatus(await search(query), 200).json();

  it('matches a case-insensitive substring of the email or the name, and %, _ and \\ literally', async () => {
    const m = marker();
    const percent = await createUser(app(), { full_name: `Hundred ${m} 100% Sure` });
    const underscore = await createUser(app(), { email: uniqueEmail(`snake_${m}`), full_name: 'Snake Case' });
    const lookalike = await createUser(app(), { email: uniqueEmail(`snakex${m}`), full_name: 'Snake Lookalike' });
    const backslash = await createUser(app(), { full_name: `Back ${m}\\slash` });
    const plain = await createUser(app(), { full_name: `Zoë ${m.toUpperCase()} Plain` });

    const ids = async (q: string) => (await page({ q })).items.map((user) => user.id);
    expect(await ids(`${m} 100%`)).toEqual([percent.id]);
    expect(await ids(`${m} 10%`)).toEqual([]);
    expect(await ids(`snake_${m}`)).toEqual([underscore.id]);
    expect(await ids(`${m}\\s`)).toEqual([backslash.id]);
    expect(await ids(`zoë ${m}`)).toEqual([plain.id]);
    expect((await ids(m)).sort()).toEqual([percent.id, underscore.id, lookalike.id, backslash.id, plain.id].sort());
    expect(await ids(`${m.slice(2, 8).toUpperCase()}`)).toContain(underscore.id);
    expect(await ids('%')).toContain(percent.id);
    expect(await ids('%')).not.toContain(lookalike.id);
  });

  it('filters by role and status, newest first', async () => {
    const m = marker();
    const instructor = await signedIn('instructor', { full_name: `Teach ${m}` });
    const disabled = await createUser(app(), { full_name: `Gone ${m}` });
    await app().sql`update users set is_active = false where id = ${disabled.id}`;
    const active = await createUser(app(), { full_name: `Here ${m}` });

    expect((await page({ q: m, role: 'instructor' })).items.map((u) => u.id)).toEqual([instructor.id]);
    expect((await page({ q: m, status: 'disabled' })).items.map((u) => u.id)).toEqual([disabled.id]);
    const actives = (await page({ q: m, status: 'active' })).items.map((u) => u.id);
    expect(actives).toEqual([active.id, instructor.id]);
  });

  it('pages newest first with a cursor: users added between pages neither repeat nor shift a page', async () => {
    const m = marker();
    const created: string[] = [];
    for (let i = 0; i < 7; i += 1) created.push((await createUser(app(), { full_name: `Page ${m} ${i}` })).id);
    // The 3rd and 4th newest share one created_at, so the first page ends inside the tie: the id breaks it.
    const [third, fourth] = [created[3] ?? '', created[4] ?? ''];
    await app()
      .sql`update users set created_at = (select created_at from users where id = ${third}) where id = ${fourth}`;

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const body = await page({ q: m, limit: '3', ...(cursor ? { cursor } : {}) });
      expect(body.items.length).toBeLessThanOrEqual(3);
      seen.push(...body.items.map((user) => user.id));
      cursor = body.next_cursor;
      pages += 1;
      // New users arrive while the admin pages.
      await createUser(app(), { full_name: `Page ${m} late ${pages}` });
    } while (cursor && pages < 10);

    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => created.includes(id)).sort()).toEqual([...created].sort());
    expect(pages).toBe(3);
  });

  it('answers 422 for limits out of range, a long search and a forged cursor; 50 by default', async () => {
    const queries: UserListQuery[] = [
      { limit: '0' },
      { limit: '101' },
      { limit: 'ten' },
      { limit: '2.5' },
      { q: 'x'.repeat(201) },
      { cursor: 'not-a-cursor' },
      { cursor: Buffer.from('["t","2025-01-01","x"]').toString('base64url') },
    ];
    for (const query of queries) {
      const res = await search(query);
      expect(res.status, JSON.stringify(query)).toBe(422);
      expect((await withStatus(res, 422).json()).errors?.length).toBeGreaterThan(0);
    }
    // A role and a status the typed client would refuse to send.
    const refused: Record<string, string>[] = [{ role: 'root' }, { status: 'banned' }];
    for (const query of refused) {
      const res = await adminApi(`/users?${new URLSearchParams(query)}`, { token: admin.access_token });
      expect(res.status, JSON.stringify(query)).toBe(422);
      expect(res.body.errors.length).toBeGreaterThan(0);
    }
    expect((await search({ q: 'x'.repeat(200) })).status).toBe(200);
    await app().sql`
      insert into users (email, hashed_password, full_name)
      select 'bulk' || n || '.' || ${marker()} || '@example.com', null, 'Bulk User'
      from generate_series(1, 60) as n
    `;
    const full = await page({});
    expect(full.items.length).toBe(50);
    expect(full.next_cursor).toEqual(expect.any(String));
    expect((await page({ limit: '100' })).items.length).toBeGreaterThan(50);
  });

  it('never answers a 500 to hostile query values', async () => {
    // Raw requests: query strings and paths written by hand (malformed percent-encoding, repeated keys, encoded
    // slashes) are the point here.
    const hostile = [
      'q=%27%3B%20drop%20table%20users%3B--',
      'q=%00',
      'q=%E0%A4%A',
      'q=%F0%9F%92%A9%F0%9F%92%A9',
      `q=${'%25'.repeat(200)}`,
      'q=%5C',
      'q[]=a&q[]=b',
      'limit=1e309',
      'limit=-1',
      'limit=%00',
      'cursor=%00',
      `cursor=${'A'.repeat(300)}`,
      `cursor=${Buffer.from('["t","9999-99-99T99:99:99.999999Z","00000000-0000-0000-0000-000000000000"]').toString('base64url')}`,
      `cursor=${Buffer.from('{"__proto__":1}').toString('base64url')}`,
      'role=admin%27--',
    ];
    for (const query of hostile) {
      const res = await adminApi(`/users?${query}`, { token: admin.access_token });
      expect([200, 400, 422], query).toContain(res.status);
    }
    for (const query of [
      'user_id=1',
      'event=%27',
      'from=yesterday',
      'to=2025-13-45T00:00:00Z',
      'cursor=%FF',
      'limit=',
    ]) {
      const res = await adminApi(`/audit?${query}`, { token: admin.access_token });
      expect([200, 422], query).toContain(res.status);
    }
    for (const path of [
      '/users/not-a-uuid',
      `/users/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}`,
      '/courses/..%2F..%2Fetc/learners',
      `/courses/${'a'.repeat(300)}/learners`,
    ]) {
      const res = await adminApi(path, { token: admin.access_token });
      expect([404, 422], path).toContain(res.status);
    }
  });
});

describe('GET /admin/users/{id}', () => {
  it('shows sessions, connected accounts and progress, and audits the view with the actor', async () => {
    const admin = await signedIn('admin');
    const user = await signedIn('student');
    const res = await adminClient(admin.access_token).users[':id'].$get({ param: { id: user.id } });
    const body = await withStatus(res, 200).json();
    expect(body).toMatchObject({
      id: user.id,
      email: user.email,
      role: 'student',
      is_active: true,
      disabled_at: null,
      disabled_reason: null,
      passkey_count: 0,
      oauth_providers: [],
      oauth: [],
    });
    expect(body.sessions).toHaveLength(1);
    expect(body.sessions[0]).toMatchObject({ ip_address: '127.0.0.1', device: expect.any(String) });
    expect(body.progress[0]).toMatchObject({ slug: COURSE, completed: 0, percent: 0 });
    const [audit] = await app().sql`
      select event, user_id, actor_id from audit_logs where event = 'admin_viewed_user' order by id desc limit 1
    `;
    expect(audit).toEqual({ event: 'admin_viewed_user', user_id: user.id, actor_id: admin.id });
  });

  it('answers 404 for an unknown user on every /admin/users/{id} route', async () => {
    const admin = await steppedUpAdmin();
    const unknown = '3f1c2b9e-8a4d-4e5f-9b6a-7c8d9e0f1a2b';
    for (const route of routes(unknown).filter((r) => r.path.includes(unknown))) {
      const res = await route.call(admin.access_token);
      expect(res.status, `${route.method} ${route.path}`).toBe(404);
    }
  });
});

// Hashes, secrets and tokens: by key anywhere in the JSON, and by value for what this test knows of each account.
function expectNoSecrets(payload: unknown, known: string[]) {
  const text = JSON.stringify(payload);
  for (const value of known) expect(text).not.toContain(value);
  expect(text).not.toMatch(/\$2[aby]\$/);
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        expect(key).not.toMatch(/hash|secret|token|password|verifier|nonce|credential|public_key/i);
        walk(inner);
      }
    }
  };
  walk(payload);
}

describe('what admin answers never contain', () => {
  it('no hash, secret or token in any admin payload', async () => {
    const admin = await steppedUpAdmin();
    const user = await signedIn('student');
    const [row] = await app().sql`select hashed_password from users where id = ${user.id}`;
    const [refresh] = await app().sql`
      select token_hash from refresh_tokens where session_id in (select id from sessions where user_id = ${user.id})
    `;
    const known = [row?.hashed_password, refresh?.token_hash, user.access_token, user.refresh_token, user.password];
    const as = adminClient(admin.access_token);
    const payloads = [
      await as.users.$get({ query: { q: user.email } }),
      await as.users[':id'].$get({ param: { id: user.id } }),
      await as.users[':id'].$patch({ param: { id: user.id }, json: { role: 'instructor' } }),
      await as.audit.$get({ query: { user_id: user.id } }),
      await as.audit.$get({ query: { limit: '100' } }),
      await as.courses[':slug'].learners.$get({ param: { slug: COURSE }, query: { limit: '100' } }),
    ];
    for (const res of payloads) {
      expect(res.status).toBe(200);
      expectNoSecrets(await res.json(), known);
    }
  });
});

describe('MFA in AdminUser', () => {
  it('mfa_enabled follows a confirmed authenticator app; the detail shows the MFA state without a secret', async () => {
    const admin = await signedIn('admin');
    const user = await createUser(app());
    const as = adminClient(admin.access_token);
    const listed = async () =>
      (await withStatus(await as.users.$get({ query: { q: user.email } }), 200).json()).items[0];
    const detail = async () => withStatus(await as.users[':id'].$get({ param: { id: user.id } }), 200).json();

    expect((await listed())?.mfa_enabled).toBe(false);
    expect((await detail()).mfa).toEqual({
      totp: { enabled: false, confirmed_at: null, pending: false },
      passkeys: 0,
      recovery_codes_remaining: 0,
    });

    // A started enrollment gates nothing, so MFA is not on yet.
    const session = await loginAs(app(), user);
    await client(app(), session.access_token).api.v1.auth.reauthenticate.$post({ json: { password: user.password } });
    const started = await withStatus(
      await client(app(), session.access_token).api.v1.users.me.mfa.totp.$post(),
      200,
    ).json();
    expect((await listed())?.mfa_enabled).toBe(false);
    expect((await detail()).mfa.totp).toEqual({ enabled: false, confirmed_at: null, pending: true });

    const enabled = await enableTotp(app(), user);
    const [factor] = await app()
      .sql`select secret_encrypted, confirmed_at from totp_factors where user_id = ${user.id}`;
    const codeRows = await app().sql`select code_hash, salt from recovery_codes where user_id = ${user.id}`;
    const list = await withStatus(await as.users.$get({ query: { q: user.email } }), 200).json();
    const shown = await detail();
    expect(list.items[0]?.mfa_enabled).toBe(true);
    expect(shown.mfa_enabled).toBe(true);
    expect(shown.mfa).toEqual({
      totp: { enabled: true, confirmed_at: factor?.confirmed_at.toISOString(), pending: false },
      passkeys: 0,
      recovery_codes_remaining: 10,
    });
    const known = [
      enabled.secret,
      started.secret,
      ...enabled.recoveryCodes,
      ...enabled.recoveryCodes.map((code) => code.replaceAll('-', '')),
      factor?.secret_encrypted.toString('hex'),
      factor?.secret_encrypted.toString('base64'),
      ...codeRows.flatMap((row) => [row.code_hash.toString('hex'), row.salt.toString('hex')]),
    ];
    expectNoSecrets(list, known);
    expectNoSecrets(shown, known);
  });
});

describe('DELETE /admin/users/{id}/mfa', () => {
  async function countRows(userId: string) {
    const [row] = await app().sql`
      select
        (select count(*)::int from totp_factors where user_id = ${userId}) as totp,
        (select count(*)::int from recovery_codes where user_id = ${userId}) as recovery_codes,
        (select count(*)::int from mfa_challenges where user_id = ${userId}) as challenges,
        (select count(*)::int from sessions where user_id = ${userId} and revoked_at is null) as live_sessions,
        (select count(*)::int from passkeys where user_id = ${userId}) as passkeys
    `;
    return row;
  }

  it('removes the factor, codes and pending challenges, ends every session at once, keeps passkeys, mails and audits', async () => {
    const admin = await steppedUpAdmin();
    const user = await createUser(app());
    const enabled = await enableTotp(app(), user);
    // A sign-in halfway through: the password passed, the code is still to come.
    const halfway = await client(app()).api.v1.auth.login.$post({
      json: { email: user.email, password: user.password },
    });
    const pending = await withStatus(halfway, 403).json();
    expect(pending).toMatchObject({ status: 403, code: 'mfa_required' });
    await app().sql`
      insert into passkeys (user_id, credential_id, public_key, counter, device_type, backed_up, name, created_at)
      values (${user.id}, ${`cred-${marker()}`}, ${Buffer.from([1, 2, 3])}, 0, 'singleDevice', false, 'Laptop', ${app().clock.now()})
    `;
    expect(await countRows(user.id)).toEqual({
      totp: 1,
      recovery_codes: 10,
      challenges: 1,
      live_sessions: 1,
      passkeys: 1,
    });
    expect((await meOf(enabled.session.access_token)).status).toBe(200);

    const reset = await resetMfa(admin.access_token, user.id);
    expect(reset.status).toBe(204);
    expect(await reset.text()).toBe('');

    expect(await countRows(user.id)).toEqual({
      totp: 0,
      recovery_codes: 0,
      challenges: 0,
      live_sessions: 0,
      passkeys: 1,
    });
    // The session's access token fails on its very next request, and its refresh token is dead too.
    expect((await meOf(enabled.session.access_token)).status).toBe(401);
    const refreshed = await client(app()).api.v1.auth.refresh.$post({
      json: { refresh_token: enabled.session.refresh_token },
    });
    expect(refreshed.status).toBe(401);
    // The half-finished sign-in cannot be finished with the removed factor.
    nextStep(app());
    const finished = await client(app()).api.v1.auth.mfa.verify.$post({
      json: {
        mfa_token: pending.mfa_token ?? expect.fail('no mfa_token'),
        totp: await totpCode(enabled.secret, app().clock.now()),
      },
    });
    expect(finished.status).toBe(401);
    // The password alone signs in now.
    const login = await client(app()).api.v1.auth.login.$post({ json: { email: user.email, password: user.password } });
    expect((await withStatus(login, 200).json()).access_token).toEqual(expect.any(String));

    const shown = await withStatus(
      await adminClient(admin.access_token).users[':id'].$get({ param: { id: user.id } }),
      200,
    ).json();
    expect(shown).toMatchObject({ mfa_enabled: false, passkey_count: 1 });
    expect(shown.mfa).toEqual({
      totp: { enabled: false, confirmed_at: null, pending: false },
      passkeys: 1,
      recovery_codes_remaining: 0,
    });

    const subjects: string[] = [];
    for (
      let n = 0;
      n < 5 && !subjects.includes('An administrator reset two-factor authentication for your account');
      n++
    ) {
      const mail = await suite.smtp.waitForMessage(user.email);
      subjects.push(mail.subject);
      if (mail.subject.startsWith('An administrator reset')) {
        expect(mail.text).toContain('authenticator app');
        expect(mail.text).not.toContain(enabled.secret);
      }
    }
    expect(subjects).toContain('An administrator reset two-factor authentication for your account');

    const [audit] = await app().sql`
      select event, user_id, actor_id, metadata from audit_logs
      where event = 'admin_mfa_reset' and user_id = ${user.id}
    `;
    expect(audit).toEqual({
      event: 'admin_mfa_reset',
      user_id: user.id,
      actor_id: admin.id,
      metadata: {
        totp_was_enabled: true,
        totp_removed: true,
        recovery_codes_removed: 10,
        challenges_removed: 1,
        sessions_ended: 1,
      },
    });
  });

  it('answers 204 when there is nothing to remove, still ending sessions, mailing and auditing', async () => {
    const admin = await steppedUpAdmin();
    const user = await signedIn('student');
    const reset = await resetMfa(admin.access_token, user.id);
    expect(reset.status).toBe(204);
    expect((await meOf(user.access_token)).status).toBe(401);
    expect((await suite.smtp.waitForMessage(user.email, { subject: NOT_VERIFY })).subject).toBe(
      'An administrator reset two-factor authentication for your account',
    );
    const [audit] = await app().sql`
      select actor_id, metadata from audit_logs where event = 'admin_mfa_reset' and user_id = ${user.id}
    `;
    expect(audit).toEqual({
      actor_id: admin.id,
      metadata: {
        totp_was_enabled: false,
        totp_removed: false,
        recovery_codes_removed: 0,
        challenges_removed: 0,
        sessions_ended: 1,
      },
    });
  });

  it('needs an admin with a recent step-up; without one nothing changes', async () => {
    const user = await createUser(app());
    await enableTotp(app(), user);
    const admin = await signedIn('admin');
    const instructor = await signedIn('instructor');
    await stepUp(instructor);

    const stale = await resetMfa(admin.access_token, user.id);
    expect((await withStatus(stale, 401).json()).code).toBe('reauthentication_required');
    expect((await resetMfa(instructor.access_token, user.id)).status).toBe(403);
    expect((await resetMfa(undefined, user.id)).status).toBe(401);
    expect(await countRows(user.id)).toMatchObject({ totp: 1, recovery_codes: 10, live_sessions: 1 });
    const [audit] = await app().sql`
      select count(*)::int as n from audit_logs where event = 'admin_mfa_reset' and user_id = ${user.id}
    `;
    expect(audit?.n).toBe(0);
  });
});

describe('the MFA reset in the OpenAPI document', () => {
  it('declares DELETE /admin/users/{id}/mfa with every status, and mfa_enabled and mfa on the user schemas', async () => {
    // The document is served beside the typed routes, not as one of them.
    const spec = (await api(app(), '/openapi.json')).body;
    const reset = spec.paths['/api/v1/admin/users/{id}/mfa']?.delete;
    expect(reset).toBeDefined();
    expect(Object.keys(reset.responses).sort()).toEqual(['204', '401', '403', '404', '422']);
    expect(reset.security).toEqual(spec.paths['/api/v1/admin/users/{id}/sessions'].delete.security);
    expect(spec.components.schemas.AdminUser.properties.mfa_enabled).toMatchObject({ type: 'boolean' });
    expect(spec.components.schemas.AdminUser.required).toContain('mfa_enabled');
    expect(JSON.stringify(spec.components.schemas.AdminUserDetail)).toContain('MfaStatus');
  });
});

describe('PATCH /admin/users/{id}: disable and enable', () => {
  it('ends every session at once and refuses every way in with account_disabled; enabling lets them back', async () => {
    const admin = await steppedUpAdmin();
    const user = await signedIn('student');
    const account = githubAccount();
    suite.github.signInAs(account);
    const gh = await signInWith(app(), 'github');
    expect(gh.status).toBe(303);
    const ghEmail = account.emails.find((entry) => entry.primary)?.email ?? '';
    const [ghUser] = await app().sql`select id from users where email = ${ghEmail}`;
    const google = googleAccount({ email: user.email });
    await app().sql`update users set is_verified = true where id = ${user.id}`;
    suite.google.signInAs(google);

    const res = await patchUser(admin.access_token, user.id, {
      is_active: false,
      disabled_reason: '  Spam from this account  ',
    });
    const disabled = await withStatus(res, 200).json();
    expect(disabled).toMatchObject({ is_active: false, disabled_reason: 'Spam from this account' });
    expect(disabled.disabled_at).toEqual(expect.any(String));

    const refresh = (refresh_token?: string) => client(app()).api.v1.auth.refresh.$post({ json: { refresh_token } });
    expect((await meOf(user.access_token)).status).toBe(401);
    expect((await refresh(user.refresh_token)).status).toBe(401);
    const login = await client(app()).api.v1.auth.login.$post({ json: { email: user.email, password: user.password } });
    expect((await withStatus(login, 403).json()).code).toBe('account_disabled');
    const viaGoogle = await signInWith(app(), 'google');
    expect(viaGoogle.location).toMatch(/auth_error=account_disabled/);
    expect(viaGoogle.refreshToken).toBeUndefined();

    const ghOff = await patchUser(admin.access_token, ghUser?.id, { is_active: false });
    expect(ghOff.status).toBe(200);
    expect((await signInWith(app(), 'github')).location).toMatch(/auth_error=account_disabled/);
    expect((await refresh(gh.refreshToken)).status).toBe(401);

    const [audit] = await app().sql`
      select actor_id, metadata from audit_logs where event = 'admin_user_disabled' and user_id = ${user.id}
    `;
    expect(audit).toEqual({ actor_id: admin.id, metadata: { reason: 'Spam from this account', sessions_ended: 1 } });

    const back = await patchUser(admin.access_token, user.id, { is_active: true });
    expect(await withStatus(back, 200).json()).toMatchObject({
      is_active: true,
      disabled_at: null,
      disabled_reason: null,
    });
    expect((await loginAs(app(), user)).access_token).toEqual(expect.any(String));
  });

  it('answers 422 for an empty change, an unknown field, a bad role and a reason on an active account', async () => {
    const admin = await steppedUpAdmin();
    const user = await createUser(app());
    const changes: UserPatch[] = [{}, { disabled_reason: 'x' }, { disabled_reason: 'x'.repeat(501) }];
    for (const json of changes) {
      const res = await patchUser(admin.access_token, user.id, json);
      expect(res.status, JSON.stringify(json)).toBe(422);
    }
    // An unknown field and values of the wrong type: bodies the typed client would refuse to send.
    for (const json of [{ is_admin: true }, { role: 'root' }, { is_active: 'no' }]) {
      const res = await adminApi(`/users/${user.id}`, { method: 'PATCH', json, token: admin.access_token });
      expect(res.status, JSON.stringify(json)).toBe(422);
    }
    const [row] = await app().sql`select role, is_active from users where id = ${user.id}`;
    expect(row).toEqual({ role: 'student', is_active: true });
  });
});

describe('step-up on admin mutations', () => {
  it('answers 401 reauthentication_required without a recent step-up, and changes nothing', async () => {
    const admin = await signedIn('admin');
    const user = await signedIn('student');
    const patch = () => patchUser(admin.access_token, user.id, { is_active: false });
    const end = () => adminClient(admin.access_token).users[':id'].sessions.$delete({ param: { id: user.id } });
    for (const res of [await patch(), await end()]) {
      expect((await withStatus(res, 401).json()).code).toBe('reauthentication_required');
      expect(res.headers.get('www-authenticate')).toMatch(/insufficient_user_authentication/);
    }
    expect((await meOf(user.access_token)).status).toBe(200);

    await stepUp(admin);
    expect((await end()).status).toBe(204);
    expect((await meOf(user.access_token)).status).toBe(401);
    app().clock.advance(app().config.reauthMaxAgeSeconds + 1);
    expect((await withStatus(await patch(), 401).json()).code).toBe('reauthentication_required');
  });
});

describe('last_admin', () => {
  it('an admin cannot demote or disable themself, even with other admins around', async () => {
    const admin = await steppedUpAdmin();
    await signedIn('admin');
    const changes: UserPatch[] = [{ role: 'student' }, { is_active: false }];
    for (const json of changes) {
      const res = await patchUser(admin.access_token, admin.id, json);
      expect((await withStatus(res, 409).json()).code).toBe('last_admin');
    }
  });

  it('the last active admin cannot be demoted or disabled; two admins demoting each other at once leave one', async () => {
    // Only the two admins of this test are active admins.
    await app().sql`update users set role = 'student' where role = 'admin'`;
    const first = await steppedUpAdmin();
    const second = await steppedUpAdmin();
    const [a, b] = await Promise.all([
      patchUser(first.access_token, second.id, { role: 'student' }),
      patchUser(second.access_token, first.id, { is_active: false }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409].sort());
    const loser = a.status === 409 ? a : b;
    expect((await withStatus(loser, 409).json()).code).toBe('last_admin');
    const [row] = await app().sql`select count(*)::int as admins from users where role = 'admin' and is_active`;
    expect(row?.admins).toBe(1);
  });
});

describe('GET /admin/audit', () => {
  it('filters by user, actor, event and time, newest first, with the actor and the words of each event', async () => {
    const admin = await steppedUpAdmin();
    const user = await signedIn('student');
    const t0 = new Date(Date.now() - 1000).toISOString();
    await patchUser(admin.access_token, user.id, { role: 'instructor' });
    await adminClient(admin.access_token).users[':id'].sessions.$delete({ param: { id: user.id } });
    const get = async (query: AuditQuery) => {
      const res = await adminClient(admin.access_token).audit.$get({ query });
      return withStatus(res, 200).json();
    };

    const byActor = await get({ actor_id: admin.id });
    expect(byActor.items.map((e) => e.event)).toEqual(['admin_sessions_ended', 'admin_role_changed']);
    expect(byActor.items[1]).toMatchObject({
      user_id: user.id,
      actor_id: admin.id,
      email: user.email,
      metadata: { from: 'student', to: 'instructor' },
      description: auditEvents.admin_role_changed,
    });
    const byUser = await get({ user_id: user.id });
    expect(byUser.items.map((e) => e.event)).toEqual([
      'admin_sessions_ended',
      'admin_role_changed',
      'login_success',
      'signup',
    ]);
    expect(byUser.items.find((e) => e.event === 'login_success')?.actor_id).toBeNull();
    expect((await get({ user_id: user.id, event: 'signup' })).items).toHaveLength(1);
    expect((await get({ user_id: user.id, from: t0 })).items.length).toBeGreaterThanOrEqual(2);
    expect((await get({ user_id: user.id, to: '2000-01-01T00:00:00Z' })).items).toEqual([]);

    const first = await get({ user_id: user.id, limit: '3' });
    expect(first.items).toHaveLength(3);
    const second = await get({ user_id: user.id, limit: '3', cursor: first.next_cursor ?? undefined });
    expect(second.items.map((e) => e.event)).toEqual(['signup']);
    expect(second.next_cursor).toBeNull();
  });

  it('every event written by these tests is in the documented list', async () => {
    const rows = await app().sql<{ event: string }[]>`select distinct event from audit_logs`;
    expect(rows.length).toBeGreaterThan(5);
    for (const { event } of rows) expect(auditEventNames).toContain(event);
  });
});

describe('GET /admin/courses/{slug}/learners', () => {
  it("shows each learner's progress exactly as their own view does, sortable and paginated", async () => {
    const instructor = await signedIn('instructor');
    const [{ lessons } = { lessons: [] }] = await app().sql<{ lessons: string[] }[]>`
      select array_agg(l.id::text order by m.position, l.position) as lessons
      from lessons l join course_modules m on m.id = l.module_id join courses c on c.id = l.course_id
      where c.slug = ${COURSE}
    `;
    const m = marker();
    const learners: Signed[] = [];
    const setProgress = (token: string | undefined, lesson_id: string | undefined, status: LessonStatus) =>
      client(app(), token).api.v1.users.me.progress[':lesson_id'].$put({
        param: { lesson_id: lesson_id ?? expect.fail('the course has too few lessons') },
        json: { status },
      });
    for (const done of [3, 0, 5]) {
      const learner = await signedIn('student', { full_name: `Learner ${m}` });
      await setProgress(learner.access_token, lessons[done], 'in_progress');
      for (const lesson of lessons.slice(0, done)) await setProgress(learner.access_token, lesson, 'completed');
      learners.push(learner);
      app().clock.advance(60);
    }
    // A completed lesson set back to not started counts no more.
    await setProgress(learners[2]?.access_token, lessons[4], 'not_started');

    const learnersOf = (slug: string, query: LearnersQuery) =>
      adminClient(instructor.access_token).courses[':slug'].learners.$get({ param: { slug }, query });
    const list = async (query: LearnersQuery) => withStatus(await learnersOf(COURSE, { q: m, ...query }), 200).json();
    const byActivity = await list({});
    expect(byActivity.items.map((l) => l.user_id)).toEqual([...learners].reverse().map((l) => l.id));
    for (const learner of learners) {
      const own = await client(app(), learner.access_token).api.v1.users.me.progress.$get();
      const course =
        (await withStatus(own, 200).json()).courses.find((c) => c.slug === COURSE) ?? expect.fail('no course');
      const row = byActivity.items.find((l) => l.user_id === learner.id) ?? expect.fail('no row for the learner');
      expect({ completed: row.completed, total: row.total, percent: row.percent }).toEqual({
        completed: course.completed,
        total: course.total,
        percent: course.percent,
      });
    }
    const byProgress = await list({ sort: 'progress' });
    expect(byProgress.items.map((l) => l.completed)).toEqual([4, 3, 0]);

    const first = await list({ sort: 'progress', limit: '2' });
    const rest = await list({ sort: 'progress', limit: '2', cursor: first.next_cursor ?? undefined });
    expect([...first.items, ...rest.items].map((l) => l.user_id)).toEqual(byProgress.items.map((l) => l.user_id));
    expect(rest.next_cursor).toBeNull();
    expect((await learnersOf('no-such-course', {})).status).toBe(404);
  });
});

describe('the first admin', () => {
  it('ADMIN_EMAILS makes a verified account an admin when it signs in, and audits it', async () => {
    const email = uniqueEmail('boss');
    const other = await startTestApp(suite.db.url, { env: { ADMIN_EMAILS: `Someone@x.test, ${email.toUpperCase()}` } });
    try {
      const user = await createUser(other, { email });
      await loginAs(other, user);
      expect((await other.sql`select role from users where id = ${user.id}`)[0]?.role).toBe('student');
      await other.sql`update users set is_verified = true where id = ${user.id}`;
      const session = await loginAs(other, user);
      expect((await client(other, session.access_token).api.v1.admin.audit.$get({ query: {} })).status).toBe(200);
      const [audit] =
        await other.sql`select metadata from audit_logs where event = 'admin_granted' and user_id = ${user.id}`;
      expect(audit?.metadata).toEqual({ source: 'ADMIN_EMAILS', from: 'student' });
    } finally {
      await other.close();
    }
  });
});
