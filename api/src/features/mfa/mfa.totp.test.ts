import type { InferRequestType } from 'hono/client';
import { describe, expect, it } from 'vitest';
import { TOTP_PERIOD_SECONDS, timeStepAt } from '../../auth/totp';
import { client, createUser, loginAs, withStatus } from '../../test/fixtures';
import { enableTotp, nextStep, totpCode } from '../../test/mfa';
import { useTestApp } from '../../test/setup';
import { NOT_VERIFY } from '../../test/smtp';

// TOTP and recovery codes through the routes (API.md "Multi-factor authentication"), with the test clock.

const { app, smtp } = useTestApp({ smtp: true, mailRetryDelaysMs: [50] });

function login(user: { email: string; password: string }) {
  return client(app).api.v1.auth.login.$post({ json: { email: user.email, password: user.password } });
}

async function challenge(user: { email: string; password: string }): Promise<string | undefined> {
  const res = await login(user);
  return (await withStatus(res, 403).json()).mfa_token;
}

type VerifyBody = InferRequestType<ReturnType<typeof client>['api']['v1']['auth']['mfa']['verify']['$post']>['json'];

function verify(json: VerifyBody) {
  return client(app).api.v1.auth.mfa.verify.$post({ json });
}

async function meStatus(token: string) {
  return (await client(app, token).api.v1.users.me.$get()).status;
}

async function sessionsOf(userId: string) {
  const [row] = await app.sql`
    select count(*)::int as n from sessions where user_id = ${userId} and revoked_at is null
  `;
  return row?.n as number;
}

// A code that is none of the steps −2..+2 (so it is certainly wrong now).
async function wrongCode(secret: string) {
  const now = app.clock.now();
  const taken = new Set(await Promise.all([-2, -1, 0, 1, 2].map((offset) => totpCode(secret, now, offset))));
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, '0');
    if (!taken.has(candidate)) return candidate;
  }
}

describe('enrollment', () => {
  it('POST /users/me/mfa/totp needs a recent step-up: 401 reauthentication_required', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    const res = await client(app, session.access_token).api.v1.users.me.mfa.totp.$post();
    expect(await withStatus(res, 401).json()).toMatchObject({
      code: 'reauthentication_required',
      methods: ['password'],
    });
  });

  it('a pending enrollment gates nothing; the confirming code turns MFA on, mails the owner and ends other sessions', async () => {
    const user = await createUser(app);
    const other = await loginAs(app, user);
    const session = await loginAs(app, user);
    const signedIn = client(app, session.access_token);
    await signedIn.api.v1.auth.reauthenticate.$post({ json: { password: user.password } });
    const started = await withStatus(await signedIn.api.v1.users.me.mfa.totp.$post(), 200).json();
    expect(started.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(started.otpauth_url).toBe(
      `otpauth://totp/AI%20Bootcamp:${encodeURIComponent(user.email)}?secret=${started.secret}&issuer=AI%20Bootcamp`,
    );
    // Pending: a password still signs in, the status says pending.
    expect((await login(user)).status).toBe(200);
    const pending = await signedIn.api.v1.users.me.mfa.$get();
    expect(await pending.json()).toEqual({
      totp: { enabled: false, confirmed_at: null, pending: true },
      passkeys: 0,
      recovery_codes_remaining: 0,
    });

    const wrong = await signedIn.api.v1.users.me.mfa.totp.confirm.$post({
      json: { code: await wrongCode(started.secret) },
    });
    expect(await withStatus(wrong, 401).json()).toMatchObject({ code: 'mfa_invalid' });

    const code = await totpCode(started.secret, app.clock.now());
    const confirmed = await withStatus(await signedIn.api.v1.users.me.mfa.totp.confirm.$post({ json: { code } }), 200);
    const { recovery_codes } = await confirmed.json();
    expect(recovery_codes).toHaveLength(10);
    for (const recovery of recovery_codes ?? []) expect(recovery).toMatch(/^([0-9a-z]{4}-){3}[0-9a-z]{4}$/);
    expect(new Set(recovery_codes).size).toBe(10);

    const status = await signedIn.api.v1.users.me.mfa.$get();
    expect(await status.json()).toEqual({
      totp: { enabled: true, confirmed_at: app.clock.now().toISOString(), pending: false },
      passkeys: 0,
      recovery_codes_remaining: 10,
    });
    // Every other session ended; this one goes on.
    expect(await meStatus(other.access_token)).toBe(401);
    expect(await meStatus(session.access_token)).toBe(200);
    const mail = await smtp.waitForMessage(user.email, { subject: NOT_VERIFY });
    expect(mail.subject).toBe('Two-factor authentication is now on for your account');
    expect(mail.text).not.toContain(started.secret);
    const [audit] = await app.sql`
      select metadata from audit_logs where user_id = ${user.id} and event = 'mfa_totp_enabled'
    `;
    // `other` and the session of the sign-in made while the enrollment was pending.
    expect(audit?.metadata).toMatchObject({ sessions_ended: 2 });

    // The confirming code is spent: not for the next sign-in either (same step).
    const mfaToken = await challenge(user);
    expect((await verify({ mfa_token: mfaToken, totp: code })).status).toBe(401);
    // Nor a second confirmation, nor a second enrollment over a confirmed one.
    const again = await signedIn.api.v1.users.me.mfa.totp.confirm.$post({ json: { code } });
    expect(again.status).toBe(409);
    const restart = await signedIn.api.v1.users.me.mfa.totp.$post();
    expect(restart.status).toBe(409);
  });

  it('two parallel confirmations with one code: exactly one succeeds', async () => {
    const user = await createUser(app);
    const signedIn = client(app, (await loginAs(app, user)).access_token);
    await signedIn.api.v1.auth.reauthenticate.$post({ json: { password: user.password } });
    const started = await withStatus(await signedIn.api.v1.users.me.mfa.totp.$post(), 200).json();
    const code = await totpCode(started.secret, app.clock.now());
    const answers = await Promise.all(
      [1, 2, 3].map(() => signedIn.api.v1.users.me.mfa.totp.confirm.$post({ json: { code } })),
    );
    // The losers find the step spent (401) or, once the winner has committed, nothing pending any more (409).
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    for (const answer of answers.filter((each) => each.status !== 200)) expect([401, 409]).toContain(answer.status);
  });
});

describe('TOTP codes at sign-in', () => {
  it('steps −1 and +1 are accepted, −2 and +2 refused', async () => {
    const user = await createUser(app);
    const { secret } = await enableTotp(app, user);
    for (const offset of [-2, 2]) {
      nextStep(app);
      const res = await verify({
        mfa_token: await challenge(user),
        totp: await totpCode(secret, app.clock.now(), offset),
      });
      expect(res.status, `step ${offset}`).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'mfa_invalid' });
    }
    // −1 first (the step before now), then +1 (after it): each is later than the last step used.
    nextStep(app);
    nextStep(app);
    const behind = await verify({
      mfa_token: await challenge(user),
      totp: await totpCode(secret, app.clock.now(), -1),
    });
    expect(behind.status).toBe(200);
    const ahead = await verify({ mfa_token: await challenge(user), totp: await totpCode(secret, app.clock.now(), 1) });
    expect(ahead.status).toBe(200);
  });

  it('a code works once: not again in the same login, not in the next, not even from an earlier step', async () => {
    const user = await createUser(app);
    const { secret } = await enableTotp(app, user);
    nextStep(app);
    const code = await totpCode(secret, app.clock.now());
    const first = await verify({ mfa_token: await challenge(user), totp: code });
    expect(first.status).toBe(200);
    // The same code in the next login, within its window (10 s later, and one step later).
    app.clock.advance(10);
    expect((await verify({ mfa_token: await challenge(user), totp: code })).status).toBe(401);
    app.clock.advance(TOTP_PERIOD_SECONDS);
    expect((await verify({ mfa_token: await challenge(user), totp: code })).status).toBe(401);
    // The previous step's code is older than the one used: refused too.
    nextStep(app);
    const earlier = await totpCode(secret, app.clock.now(), -1);
    const now = await totpCode(secret, app.clock.now());
    const [row] = await app.sql`select last_used_step from totp_factors where user_id = ${user.id}`;
    expect(Number(row?.last_used_step)).toBe(timeStepAt(app.clock.now()) - 2);
    expect((await verify({ mfa_token: await challenge(user), totp: now })).status).toBe(200);
    expect((await verify({ mfa_token: await challenge(user), totp: earlier })).status).toBe(401);
  });

  it('parallel verifies with one code give exactly one session (one token, and two tokens)', async () => {
    const user = await createUser(app);
    const { secret } = await enableTotp(app, user);
    const before = await sessionsOf(user.id);
    nextStep(app);
    const code = await totpCode(secret, app.clock.now());
    const oneToken = await challenge(user);
    const sameToken = await Promise.all([1, 2, 3, 4].map(() => verify({ mfa_token: oneToken, totp: code })));
    expect(sameToken.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(await sessionsOf(user.id)).toBe(before + 1);

    nextStep(app);
    const next = await totpCode(secret, app.clock.now());
    const tokens = await Promise.all([1, 2, 3].map(() => challenge(user)));
    const manyTokens = await Promise.all(tokens.map((token) => verify({ mfa_token: token, totp: next })));
    expect(manyTokens.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(await sessionsOf(user.id)).toBe(before + 2);
  });
});

describe('mfa_token', () => {
  it('works once: a second verify with it fails even with a fresh code', async () => {
    const user = await createUser(app);
    const { secret } = await enableTotp(app, user);
    nextStep(app);
    const token = await challenge(user);
    expect((await verify({ mfa_token: token, totp: await totpCode(secret, app.clock.now()) })).status).toBe(200);
    nextStep(app);
    const replay = await verify({ mfa_token: token, totp: await totpCode(secret, app.clock.now()) });
    expect(await withStatus(replay, 401).json()).toMatchObject({ code: 'mfa_invalid' });
  });

  it('expires after 5 minutes', async () => {
    const user = await createUser(app);
    const { secret } = await enableTotp(app, user);
    const token = await challenge(user);
    app.clock.advance(301);
    const res = await verify({ mfa_token: token, totp: await totpCode(secret, app.clock.now()) });
    expect(await withStatus(res, 401).json()).toMatchObject({ code: 'mfa_invalid' });
  });

  it('takes at most 5 codes: after 5 wrong ones even the right code fails', async () => {
    const user = await createUser(app);
    const { secret } = await enableTotp(app, user);
    nextStep(app);
    const token = await challenge(user);
    const wrong = await wrongCode(secret);
    const answers = await Promise.all([1, 2, 3, 4, 5, 6, 7].map(() => verify({ mfa_token: token, totp: wrong })));
    expect(answers.every((answer) => answer.status === 401)).toBe(true);
    const [row] = await app.sql`select attempts from mfa_challenges where user_id = ${user.id} and consumed_at is null`;
    expect(row?.attempts).toBe(5);
    const right = await verify({ mfa_token: token, totp: await totpCode(secret, app.clock.now()) });
    expect(right.status).toBe(401);
    // A fresh login can still finish (the account lock needs 10).
    expect(
      (await verify({ mfa_token: await challenge(user), totp: await totpCode(secret, app.clock.now()) })).status,
    ).toBe(200);
  });

  it('10 consecutive failures lock the MFA step for 15 minutes and mail the owner once', async () => {
    const user = await createUser(app);
    const { secret } = await enableTotp(app, user);
    await smtp.waitForMessage(user.email, { subject: NOT_VERIFY }); // the "turned on" mail
    nextStep(app);
    const wrong = await wrongCode(secret);
    const tokens = await Promise.all([1, 2, 3].map(() => challenge(user)));
    for (let i = 0; i < 10; i++) await verify({ mfa_token: tokens[i % 3], totp: wrong });
    // Locked: the right code answers exactly like a wrong one.
    const locked = await verify({ mfa_token: await challenge(user), totp: await totpCode(secret, app.clock.now()) });
    expect(await withStatus(locked, 401).json()).toEqual({
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      detail: 'The code is not valid. Check it and try again, or sign in again.',
      code: 'mfa_invalid',
    });
    const mail = await smtp.waitForMessage(user.email, { subject: NOT_VERIFY });
    expect(mail.subject).toBe('Someone failed the second step of signing in to your account');
    expect(smtp.pendingFor(user.email, NOT_VERIFY)).toHaveLength(0);
    app.clock.advance(15 * 60 + 1);
    nextStep(app);
    const after = await verify({ mfa_token: await challenge(user), totp: await totpCode(secret, app.clock.now()) });
    expect(after.status).toBe(200);
  });
});

describe('recovery codes', () => {
  it('each works once, also under concurrency, and the count goes down', async () => {
    const user = await createUser(app);
    const { recoveryCodes } = await enableTotp(app, user);
    const [code = ''] = recoveryCodes;
    const token = await challenge(user);
    const otherToken = await challenge(user);
    // Upper case and without dashes is the same code.
    const answers = await Promise.all([
      verify({ mfa_token: token, recovery_code: code }),
      verify({ mfa_token: otherToken, recovery_code: code.toUpperCase().replace(/-/g, '') }),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
    const signedIn = await withStatus(answers[0].status === 200 ? answers[0] : answers[1], 200).json();
    const status = await client(app, signedIn.access_token).api.v1.users.me.mfa.$get();
    expect((await withStatus(status, 200).json()).recovery_codes_remaining).toBe(9);
    expect((await verify({ mfa_token: await challenge(user), recovery_code: code })).status).toBe(401);
  });

  it('regeneration needs a step-up, voids the old batch and gives ten new codes', async () => {
    const user = await createUser(app);
    const { recoveryCodes, secret } = await enableTotp(app, user);
    nextStep(app);
    const verified = await verify({ mfa_token: await challenge(user), totp: await totpCode(secret, app.clock.now()) });
    const signedIn = client(app, (await withStatus(verified, 200).json()).access_token);
    const refused = await signedIn.api.v1.users.me.mfa['recovery-codes'].$post();
    expect(await withStatus(refused, 401).json()).toMatchObject({
      code: 'reauthentication_required',
      methods: ['totp', 'recovery_code'],
    });
    // The password alone is not a step-up for a user with MFA, and is not even checked.
    const password = await signedIn.api.v1.auth.reauthenticate.$post({ json: { password: 'Wrong-Pa55word!' } });
    expect(await withStatus(password, 401).json()).toMatchObject({
      code: 'mfa_required',
      methods: ['totp', 'recovery_code'],
    });
    const stepped = await signedIn.api.v1.auth.reauthenticate.$post({
      json: { recovery_code: recoveryCodes[1] ?? '' },
    });
    expect(stepped.status).toBe(204);

    const fresh = await signedIn.api.v1.users.me.mfa['recovery-codes'].$post();
    const freshCodes = (await withStatus(fresh, 200).json()).recovery_codes;
    expect(freshCodes).toHaveLength(10);
    expect(freshCodes.some((code) => recoveryCodes.includes(code))).toBe(false);
    expect((await verify({ mfa_token: await challenge(user), recovery_code: recoveryCodes[2] ?? '' })).status).toBe(
      401,
    );
    expect((await verify({ mfa_token: await challenge(user), recovery_code: freshCodes[0] ?? '' })).status).toBe(200);
  });
});

describe('step-up with a second factor', () => {
  it('POST /auth/reauthenticate {totp} stamps the session; a wrong or replayed code is 401 mfa_invalid', async () => {
    const user = await createUser(app);
    const { secret, session } = await enableTotp(app, user);
    nextStep(app);
    const code = await totpCode(secret, app.clock.now());
    const signedIn = client(app, session.access_token);
    const ok = await signedIn.api.v1.auth.reauthenticate.$post({ json: { totp: code } });
    expect(ok.status).toBe(204);
    const replay = await signedIn.api.v1.auth.reauthenticate.$post({ json: { totp: code } });
    expect(await withStatus(replay, 401).json()).toMatchObject({ code: 'mfa_invalid' });
  });

  it('turning TOTP off needs the step-up, ends other sessions, voids the codes, and the password alone signs in again', async () => {
    const user = await createUser(app);
    const { secret, session, recoveryCodes } = await enableTotp(app, user);
    nextStep(app);
    const other = await verify({ mfa_token: await challenge(user), totp: await totpCode(secret, app.clock.now()) });
    const otherToken = (await withStatus(other, 200).json()).access_token;
    app.clock.advance(11 * 60);
    const signedIn = client(app, session.access_token);
    const refused = await signedIn.api.v1.users.me.mfa.totp.$delete();
    expect(await withStatus(refused, 401).json()).toMatchObject({ code: 'reauthentication_required' });
    nextStep(app);
    await signedIn.api.v1.auth.reauthenticate.$post({ json: { totp: await totpCode(secret, app.clock.now()) } });
    const off = await signedIn.api.v1.users.me.mfa.totp.$delete();
    expect(off.status).toBe(204);
    expect(await meStatus(otherToken)).toBe(401);
    const [codes] = await app.sql`select count(*)::int as n from recovery_codes where user_id = ${user.id}`;
    expect(codes?.n).toBe(0);
    expect((await login(user)).status).toBe(200);
    expect(recoveryCodes).toHaveLength(10);
    const mails = [
      await smtp.waitForMessage(user.email, { subject: NOT_VERIFY }),
      await smtp.waitForMessage(user.email, { subject: NOT_VERIFY }),
    ];
    expect(mails.map((mail) => mail.subject)).toContain('Two-factor authentication was turned off for your account');
    expect((await signedIn.api.v1.users.me.mfa.totp.$delete()).status).toBe(404);
  });
});

describe('at rest', () => {
  it('neither the TOTP secret nor any recovery code can be read from the database', async () => {
    const user = await createUser(app);
    const { secret, recoveryCodes } = await enableTotp(app, user);
    const needles = [secret, ...recoveryCodes, ...recoveryCodes.map((code) => code.replace(/-/g, ''))];
    const tables = ['totp_factors', 'recovery_codes', 'mfa_challenges', 'mfa_failures', 'audit_logs', 'users'];
    for (const table of tables) {
      const rows = await app.sql`select * from ${app.sql(table)}`;
      const dump = JSON.stringify(rows, (_key, value) =>
        value?.type === 'Buffer' ? Buffer.from(value.data).toString('latin1') : value,
      );
      // Bytea columns are searched as raw bytes, hex and base64 too.
      const binary = rows
        .flatMap((row) => Object.values(row).filter((value): value is Buffer => Buffer.isBuffer(value)))
        .flatMap((value) => [value.toString('latin1'), value.toString('hex'), value.toString('base64')])
        .join('\n');
      for (const needle of needles) {
        expect(dump.includes(needle), `${table} holds a secret`).toBe(false);
        expect(binary.toLowerCase().includes(needle.toLowerCase()), `${table} holds a secret in binary`).toBe(false);
      }
    }
    const [factor] = await app.sql`select secret_encrypted from totp_factors where user_id = ${user.id}`;
    expect(factor?.secret_encrypted).toHaveLength(12 + 32 + 16);
    const codes = await app.sql`select salt, code_hash from recovery_codes where user_id = ${user.id}`;
    expect(codes).toHaveLength(10);
    expect(new Set(codes.map((row) => Buffer.from(row.salt).toString('hex'))).size).toBe(10);
  });
});
