import { beforeAll, describe, expect, it } from 'vitest';
import { exportSections } from '../../test/data-export';
import { client, createUser, loginAs, refreshCookieHeader, uniqueEmail, withStatus } from '../../test/fixtures';
import { accountFlow, googleAccount, useOAuthTestApp } from '../../test/oauth';
import { foreignKeysToUsers, tablesMentioning } from '../../test/user-references';
import { loadCurriculum } from '../curriculum/curriculum.content';
import { syncCurriculum } from '../curriculum/curriculum.sync';

// DELETE /users/me: the account and everything it owns go in one transaction, the audit trail stays without a name.

const suite = useOAuthTestApp();
let lessonId: string;

beforeAll(async () => {
  await syncCurriculum(suite.app.sql, loadCurriculum());
  const course = loadCurriculum().courses[0] ?? expect.fail('the curriculum has no course');
  const res = await client(suite.app).api.v1.courses[':slug'].$get({ param: { slug: course.slug } });
  const detail = await withStatus(res, 200).json();
  lessonId = detail.modules[0]?.lessons[0]?.id ?? expect.fail('the course has no lesson');
});

function stepUp(token: string, password: string) {
  return client(suite.app, token).api.v1.auth.reauthenticate.$post({ json: { password } });
}

async function steppedUpUser(prefix = 'leaver') {
  const user = await createUser(suite.app, { email: uniqueEmail(prefix) });
  const session = await loginAs(suite.app, user);
  expect((await stepUp(session.access_token, user.password)).status).toBe(204);
  return { ...user, session, token: session.access_token };
}

function deleteMe(token: string) {
  return client(suite.app, token).api.v1.users.me.$delete();
}

function refresh(refreshToken: string) {
  return client(suite.app).api.v1.auth.refresh.$post(
    { json: {} },
    { headers: refreshCookieHeader(suite.app, refreshToken) },
  );
}

async function meStatus(token: string) {
  return (await client(suite.app, token).api.v1.users.me.$get()).status;
}

function setProgress(token: string, lesson_id: string) {
  return client(suite.app, token).api.v1.users.me.progress[':lesson_id'].$put({
    param: { lesson_id },
    json: { status: 'completed' },
  });
}

async function exportOf(token: string) {
  const res = await client(suite.app, token).api.v1.users.me.export.$get();
  return exportSections.parse(await withStatus(res, 200).json());
}

// The rows of every table with a foreign key to users that still point at `userId`, by table.column.
async function rowsReferencing(userId: string) {
  const left: Record<string, number> = {};
  for (const key of await foreignKeysToUsers(suite.app.sql)) {
    const column = key.columns[0] as string;
    const [row] = await suite.app.sql`
      select count(*)::int as count from ${suite.app.sql(key.table)} where ${suite.app.sql(column)} = ${userId}
    `;
    if (row?.count) left[`${key.table}.${column}`] = row.count;
  }
  return left;
}

async function mailsTo(email: string) {
  await suite.app.deps.mailer.idle();
  return suite.smtp.messages.filter((mail) => mail.to.includes(email));
}

describe('DELETE /users/me', () => {
  it('DELETE /users/me without a recent step-up returns 401 reauthentication_required and deletes nothing', async () => {
    const user = await createUser(suite.app, { email: uniqueEmail('leaver') });
    const session = await loginAs(suite.app, user);
    const res = await deleteMe(session.access_token);
    expect(await withStatus(res, 401).json()).toMatchObject({ code: 'reauthentication_required' });
    expect(await meStatus(session.access_token)).toBe(200);
  });

  it('DELETE /users/me without a token returns 401', async () => {
    expect((await client(suite.app).api.v1.users.me.$delete()).status).toBe(401);
  });

  it('DELETE /users/me deletes everything the user owns, ends every session at once and keeps an anonymous trail', async () => {
    const user = await steppedUpUser();
    const bystander = await steppedUpUser('bystander');
    const phone = await loginAs(suite.app, user);
    // Something in every table a user can have rows in: progress, a provider link, mailed links, a failed sign-in.
    expect((await setProgress(user.token, lessonId)).status).toBe(200);
    suite.google.signInAs(googleAccount({ email: uniqueEmail('google') }));
    expect((await accountFlow(suite.app, 'google', user.token, { purpose: 'link' })).callback?.status).toBe(303);
    expect((await client(suite.app, user.token).api.v1.auth['verify-email'].request.$post()).status).toBe(202);
    expect(
      (await client(suite.app).api.v1.auth['password-reset'].request.$post({ json: { email: user.email } })).status,
    ).toBe(202);
    expect((await client(suite.app, user.token).api.v1.users.me.export.$get()).status).toBe(200);
    expect(
      (await client(suite.app).api.v1.auth.login.$post({ json: { email: user.email, password: 'Wrong-Pa55!x' } }))
        .status,
    ).toBe(401);
    const before = await rowsReferencing(user.id);
    for (const table of ['sessions', 'oauth_accounts', 'lesson_progress', 'audit_logs']) {
      expect(before[`${table}.user_id`], table).toBeGreaterThan(0);
    }
    // The whole-database search finds the address where it is before (so its empty answer after means something).
    expect(Object.keys(await tablesMentioning(suite.app.sql, user.email))).toEqual(
      expect.arrayContaining(['users', 'audit_logs', 'login_attempts']),
    );
    const [auditBefore] = await suite.app.sql`select count(*)::int as n from audit_logs where user_id = ${user.id}`;

    const res = await deleteMe(user.token);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(res.headers.getSetCookie().some((line) => /aibc_refresh=;/.test(line) && /Max-Age=0/i.test(line))).toBe(
      true,
    );

    // Every session is dead on its next request: access tokens and refresh tokens alike.
    expect(await meStatus(user.token)).toBe(401);
    expect(await meStatus(phone.access_token)).toBe(401);
    expect((await refresh(user.session.refresh_token)).status).toBe(401);
    expect((await refresh(phone.refresh_token)).status).toBe(401);

    // No table keeps a row that points at the user, nor anything mentioning the id or the address.
    expect(await rowsReferencing(user.id)).toEqual({});
    expect(await tablesMentioning(suite.app.sql, user.id)).toEqual({});
    expect(await tablesMentioning(suite.app.sql, user.email)).toEqual({});

    // The trail keeps its events under one anonymous tag, and says the account was deleted.
    const [deleted] = await suite.app.sql`
      select user_id, email, ip_address, metadata from audit_logs where event = 'account_deleted'
        and metadata->>'deleted_account' in (
          select metadata->>'deleted_account' from audit_logs where event = 'login_failed' and metadata ? 'deleted_account'
        )
      order by id desc limit 1
    `;
    expect(deleted).toEqual({
      user_id: null,
      email: null,
      ip_address: '127.0.0.1',
      metadata: { deleted_account: expect.any(String), role: 'student', sessions_ended: 2 },
    });
    const kept = await suite.app.sql`
      select event from audit_logs where metadata->>'deleted_account' = ${deleted?.metadata.deleted_account}
    `;
    expect(kept).toHaveLength((auditBefore?.n as number) + 1);
    expect(kept.map((row) => row.event)).toEqual(
      expect.arrayContaining(['login_success', 'login_failed', 'oauth_linked', 'data_exported', 'account_deleted']),
    );

    // The bystander is untouched.
    expect(await meStatus(bystander.token)).toBe(200);
    expect(Object.keys(await rowsReferencing(bystander.id))).toContain('sessions.user_id');

    const [mail] = (await mailsTo(user.email)).filter((message) => /was deleted/.test(message.subject));
    expect(mail?.subject).toBe('Your AI Bootcamp account was deleted');
    expect(mail?.text).toMatch(/Every device was signed out/);
  });

  it('POST /auth/login for a deleted account answers exactly like an unknown email', async () => {
    const user = await steppedUpUser();
    expect((await deleteMe(user.token)).status).toBe(204);
    const deleted = await client(suite.app).api.v1.auth.login.$post({
      json: { email: user.email, password: user.password },
    });
    const unknown = await client(suite.app).api.v1.auth.login.$post({
      json: { email: uniqueEmail('nobody'), password: user.password },
    });
    expect(deleted.status).toBe(401);
    expect(deleted.status).toBe(unknown.status);
    expect(await deleted.json()).toEqual(await unknown.json());
    expect(deleted.headers.get('www-authenticate')).toBe(unknown.headers.get('www-authenticate'));
    // A password reset request gets the same 202 either way.
    const reset = await client(suite.app).api.v1.auth['password-reset'].request.$post({ json: { email: user.email } });
    expect(reset.status).toBe(202);
  });

  it('POST /auth/signup with a deleted account’s email starts afresh', async () => {
    const user = await steppedUpUser();
    await setProgress(user.token, lessonId);
    expect((await deleteMe(user.token)).status).toBe(204);
    const [{ max: lastIdBefore } = { max: 0 }] = await suite.app.sql`select max(id)::int as max from audit_logs`;

    const again = await createUser(suite.app, { email: user.email, full_name: 'Ada Again' });
    expect(again.id).not.toBe(user.id);
    const session = await loginAs(suite.app, again);
    expect((await stepUp(session.access_token, again.password)).status).toBe(204);
    const doc = await exportOf(session.access_token);
    expect(doc.profile).toMatchObject({ id: again.id, full_name: 'Ada Again', is_verified: false });
    expect(doc.progress).toEqual([]);
    expect(doc.oauth_accounts).toEqual([]);
    expect(doc.sessions).toHaveLength(1);
    // Only what happened since the new signup: the old account's trail stays anonymous.
    expect(doc.audit_log.length).toBeGreaterThan(0);
    for (const entry of doc.audit_log) expect(Number(entry.id)).toBeGreaterThan(lastIdBefore);
    expect(JSON.stringify(doc)).not.toContain('deleted_account');
  });

  it('DELETE /users/me for the last active admin returns 409 last_admin and deletes nothing', async () => {
    // Only admins made here: this database has no other.
    const admin = await steppedUpUser('admin');
    await suite.app.sql`update users set role = 'admin' where id = ${admin.id}`;
    const res = await deleteMe(admin.token);
    expect(await withStatus(res, 409).json()).toMatchObject({ status: 409, code: 'last_admin' });
    expect(await meStatus(admin.token)).toBe(200);

    // With a second active admin, one of them may go; then the other is the last again.
    const second = await steppedUpUser('admin');
    await suite.app.sql`update users set role = 'admin' where id = ${second.id}`;
    expect((await deleteMe(admin.token)).status).toBe(204);
    expect((await deleteMe(second.token)).status).toBe(409);
    await suite.app.sql`update users set role = 'student' where id = ${second.id}`;
  });

  it('DELETE /users/me by two last admins at once deletes exactly one of them', async () => {
    const [first, second] = await Promise.all([steppedUpUser('admin'), steppedUpUser('admin')]);
    await suite.app.sql`update users set role = 'admin' where id in ${suite.app.sql([first.id, second.id])}`;
    const statuses = (await Promise.all([deleteMe(first.token), deleteMe(second.token)])).map((res) => res.status);
    expect(statuses.sort()).toEqual([204, 409]);
    const [left] = await suite.app.sql`select count(*)::int as n from users where role = 'admin' and is_active`;
    expect(left?.n).toBe(1);
    await suite.app.sql`update users set role = 'student' where role = 'admin'`;
  });

  it('DELETE /users/me sent five times at once deletes once, writes one account_deleted row and one mail', async () => {
    const user = await steppedUpUser();
    const other = await loginAs(suite.app, user);
    expect((await stepUp(other.access_token, user.password)).status).toBe(204);
    const [{ n: deletionsBefore } = { n: 0 }] = await suite.app.sql`
      select count(*)::int as n from audit_logs where event = 'account_deleted'
    `;
    const responses = await Promise.all([
      ...Array.from({ length: 4 }, () => deleteMe(user.token)),
      deleteMe(other.access_token),
    ]);
    const statuses = responses.map((res) => res.status).sort();
    expect(statuses).toEqual([204, 401, 401, 401, 401]);
    const [{ n: deletionsAfter } = { n: 0 }] = await suite.app.sql`
      select count(*)::int as n from audit_logs where event = 'account_deleted'
    `;
    expect(deletionsAfter - deletionsBefore).toBe(1);
    expect((await mailsTo(user.email)).filter((mail) => /was deleted/.test(mail.subject))).toHaveLength(1);
    expect(await rowsReferencing(user.id)).toEqual({});
  });
});
