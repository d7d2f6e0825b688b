import { describe, expect, it } from 'vitest';
import { isCommonPassword } from '../../auth/common-passwords';
import type { Problem } from '../../shared/problem';
import { api, client, createUser, DEFAULT_PASSWORD, uniqueEmail, withStatus } from '../../test/fixtures';
import { useTestApp } from '../../test/setup';

const { app } = useTestApp();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function signup(body: { email: string; full_name: string; password: string }) {
  return client(app).api.v1.auth.signup.$post({ json: body });
}

function login(email: string, password: string) {
  return client(app).api.v1.auth.login.$post({ json: { email, password } });
}

// A 422 problem whose errors[] names `field`.
function expectValidationProblemBody(body: Problem, headers: Headers, field: string) {
  expect(body).toMatchObject({ type: 'about:blank', title: 'Unprocessable Content', status: 422 });
  expect(typeof body.detail).toBe('string');
  expect(Array.isArray(body.errors)).toBe(true);
  expect(body.errors?.map((error) => error.field)).toContain(field);
  for (const error of body.errors ?? []) expect(typeof error.message).toBe('string');
  expect(headers.get('content-type')).toMatch(/^application\/problem\+json/);
}

// The same, for a sign-up's answer; returns the problem.
async function expectValidationProblem(res: Awaited<ReturnType<typeof signup>>, field: string) {
  const body = await withStatus(res, 422).json();
  expectValidationProblemBody(body, res.headers, field);
  return body;
}

describe('POST /auth/signup', () => {
  it('POST /auth/signup returns 201 with the full User object and no password hash', async () => {
    const email = uniqueEmail('shape');
    const res = await signup({ email, full_name: 'Grace Hopper', password: DEFAULT_PASSWORD });
    const body = await withStatus(res, 201).json();
    expect(Object.keys(body).sort()).toEqual(
      ['created_at', 'email', 'full_name', 'id', 'is_active', 'is_verified', 'last_login_at', 'role'].sort(),
    );
    expect(body).toEqual({
      id: expect.stringMatching(UUID),
      email,
      full_name: 'Grace Hopper',
      role: 'student',
      is_active: true,
      is_verified: false,
      created_at: expect.any(String),
      last_login_at: null,
    });
    expect(new Date(body.created_at).toISOString()).toBe(body.created_at);
    expect(JSON.stringify(body)).not.toMatch(/hash|password/i);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('POST /auth/signup trims and lower-cases the email', async () => {
    const local = `Mixed.Case.${Date.now().toString(36)}`;
    const res = await signup({ email: `  ${local}@Example.COM  `, full_name: 'Ada', password: DEFAULT_PASSWORD });
    const body = await withStatus(res, 201).json();
    expect(body.email).toBe(`${local.toLowerCase()}@example.com`);
    const [row] = await app.sql`select email from users where id = ${body.id}`;
    expect(row?.email).toBe(`${local.toLowerCase()}@example.com`);
    const ok = await login(`${local.toUpperCase()}@EXAMPLE.com `, DEFAULT_PASSWORD);
    expect(ok.status).toBe(200);
  });

  it('POST /auth/signup trims the full name', async () => {
    const res = await signup({ email: uniqueEmail(), full_name: '  Alan Turing \t', password: DEFAULT_PASSWORD });
    expect((await withStatus(res, 201).json()).full_name).toBe('Alan Turing');
  });

  it('POST /auth/signup returns 409 for an email taken in another case', async () => {
    const email = uniqueEmail('taken');
    await createUser(app, { email });
    const res = await signup({ email: email.toUpperCase(), full_name: 'Copycat', password: 'An0ther-Secret!' });
    expect(await withStatus(res, 409).json()).toEqual({
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
      detail: expect.any(String),
    });
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const [{ count }] = (await app.sql`select count(*)::int as count from users where email = ${email}`) as [
      { count: number },
    ];
    expect(count).toBe(1);
  });

  it('POST /auth/signup answers parallel signups of one email with one 201 and 409s', async () => {
    const email = uniqueEmail('race');
    const results = await Promise.all(
      [email, email.toUpperCase(), ` ${email}`].map((variant) =>
        signup({ email: variant, full_name: 'Racer', password: DEFAULT_PASSWORD }),
      ),
    );
    expect(results.map((res) => res.status).sort()).toEqual([201, 409, 409]);
    const rows = await app.sql`select 1 from users where email = ${email}`;
    expect(rows).toHaveLength(1);
  });

  it('POST /auth/signup stores a bcrypt hash, never the password', async () => {
    const user = await createUser(app);
    const [row] = await app.sql`select hashed_password from users where id = ${user.id}`;
    expect(row?.hashed_password).toMatch(/^\$2[aby]\$04\$[./A-Za-z0-9]{53}$/);
    expect(row?.hashed_password).not.toContain(user.password);
    const [leak] = await app.sql`
      select count(*)::int as count
      from users
      where hashed_password like ${`%${user.password}%`}
    `;
    expect(leak?.count).toBe(0);
  });

  it('POST /auth/signup writes a signup audit row', async () => {
    const user = await createUser(app);
    const rows = await app.sql`select event, email from audit_logs where user_id = ${user.id}`;
    expect(rows.map((row) => row.event)).toEqual(['signup']);
    expect(rows[0]?.email).toBe(user.email);
  });
});

describe('POST /auth/signup password policy', () => {
  const cases: [string, string][] = [
    ['a password under 8 characters', 'Aa1!aa'],
    ['a password over 128 characters', `Aa1!${'x'.repeat(125)}`],
    ['a password without an upper-case letter', 'tr1cky-pa55word!'],
    ['a password without a lower-case letter', 'TR1CKY-PA55WORD!'],
    ['a password without a digit', 'Tricky-Password!'],
    ['a password without a special character', 'Tr1ckyPa55word'],
    ['an empty password', ''],
  ];
  for (const [name, password] of cases) {
    it(`POST /auth/signup returns 422 naming password for ${name}`, async () => {
      const email = uniqueEmail();
      const res = await signup({ email, full_name: 'Ada', password });
      await expectValidationProblem(res, 'password');
      const rows = await app.sql`select 1 from users where email = ${email}`;
      expect(rows.length).toBe(0);
    });
  }

  it('POST /auth/signup accepts exactly 8 and exactly 128 characters', async () => {
    const eight = await signup({ email: uniqueEmail(), full_name: 'Ada', password: 'Qz7!kLm#' });
    expect(eight.status).toBe(201);
    const long = await signup({ email: uniqueEmail(), full_name: 'Ada', password: `Qz7!${'k'.repeat(124)}` });
    expect(long.status).toBe(201);
  });

  it('POST /auth/signup returns 422 for a common password dressed up with digits and a symbol', async () => {
    expect(isCommonPassword('Password123!')).toBe(true);
    const email = uniqueEmail();
    const res = await signup({ email, full_name: 'Ada', password: 'Password123!' });
    const body = await expectValidationProblem(res, 'password');
    expect(body.errors?.find((error) => error.field === 'password')?.message).toMatch(/common/i);
    const rows = await app.sql`select 1 from users where email = ${email}`;
    expect(rows.length).toBe(0);
  });

  it('POST /auth/signup returns 422 for a common password in another case', async () => {
    expect(isCommonPassword('Qwerty123!')).toBe(true);
    const res = await signup({ email: uniqueEmail(), full_name: 'Ada', password: 'Qwerty123!' });
    await expectValidationProblem(res, 'password');
  });

  it('POST /auth/signup returns 422 for a password built from the email name', async () => {
    const email = `marguerite.${Date.now().toString(36)}@example.com`;
    const name = email.split('@')[0] ?? '';
    const res = await signup({ email, full_name: 'Marguerite', password: `${name.toUpperCase()}-9a` });
    const body = await expectValidationProblem(res, 'password');
    expect(body.errors?.[0]?.message).toMatch(/email/i);
    const again = await signup({ email, full_name: 'Marguerite', password: `X9!${name.replace('.', '')}` });
    await expectValidationProblem(again, 'password');
  });

  it("POST /auth/signup returns 422 for a password containing the site's name", async () => {
    for (const password of ['AiBootcamp2024!', 'My-Ai-Bootcamp-9', 'Bootcamp#2025x']) {
      const res = await signup({ email: uniqueEmail(), full_name: 'Ada', password });
      const body = await expectValidationProblem(res, 'password');
      expect(body.errors?.[0]?.message).toMatch(/site/i);
    }
  });
});

describe('POST /auth/signup field validation', () => {
  it('POST /auth/signup returns 422 naming email for a malformed email', async () => {
    for (const email of ['not-an-email', 'a@', '@example.com', 'two@@example.com', '']) {
      const res = await signup({ email, full_name: 'Ada', password: DEFAULT_PASSWORD });
      await expectValidationProblem(res, 'email');
    }
  });

  it('POST /auth/signup returns 422 naming email for an email over 254 characters', async () => {
    const res = await signup({ email: `${'a'.repeat(250)}@example.com`, full_name: 'Ada', password: DEFAULT_PASSWORD });
    await expectValidationProblem(res, 'email');
  });

  it('POST /auth/signup returns 422 naming full_name for an empty or blank name', async () => {
    for (const full_name of ['', '   ']) {
      const res = await signup({ email: uniqueEmail(), full_name, password: DEFAULT_PASSWORD });
      await expectValidationProblem(res, 'full_name');
    }
  });

  it('POST /auth/signup returns 422 naming full_name for a name over 100 characters', async () => {
    const res = await signup({ email: uniqueEmail(), full_name: 'x'.repeat(101), password: DEFAULT_PASSWORD });
    await expectValidationProblem(res, 'full_name');
    const ok = await signup({ email: uniqueEmail(), full_name: 'x'.repeat(100), password: DEFAULT_PASSWORD });
    expect(ok.status).toBe(201);
  });

  it('POST /auth/signup returns 422 naming full_name for control characters', async () => {
    for (const full_name of ['Ada\u0000Lovelace', 'Ada\nLovelace', 'Ada\u007fL', 'Ada\u009bL']) {
      const res = await signup({ email: uniqueEmail(), full_name, password: DEFAULT_PASSWORD });
      await expectValidationProblem(res, 'full_name');
    }
  });

  it('POST /auth/signup returns 422 naming full_name for bidi overrides, line separators and zero-width characters', async () => {
    const email = uniqueEmail('bidi');
    const invisible = [
      ...['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'],
      ...['\u2028', '\u2029'],
      ...['\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\ufeff', '\u2060'],
    ];
    for (const character of invisible) {
      const res = await signup({ email, full_name: `Ada${character}Lovelace`, password: DEFAULT_PASSWORD });
      const body = await expectValidationProblem(res, 'full_name');
      expect(body.errors).toContainEqual({ field: 'full_name', message: expect.stringMatching(/invisible/i) });
    }
    // "Ada <RLO>moc.live" reads as "Ada evil.com" in a mail: refused even at the end of the name.
    await expectValidationProblem(
      await signup({ email, full_name: 'Ada \u202emoc.live', password: DEFAULT_PASSWORD }),
      'full_name',
    );
    expect(await app.sql`select 1 from users where email = ${email}`).toHaveLength(0);
    // Letters of any script, and marks that are visible, stay welcome.
    const ok = await signup({ email, full_name: 'Zoë Ørsted-Łukasiewicz 山田 دانا', password: DEFAULT_PASSWORD });
    expect(ok.status).toBe(201);
  });

  it('POST /auth/signup returns 422 naming every missing field', async () => {
    // No fields at all: a body the typed client would refuse to send.
    const res = await api(app, '/api/v1/auth/signup', { json: {} });
    expect(res.status).toBe(422);
    const fields = res.body.errors.map((error: { field: string }) => error.field);
    expect(fields).toEqual(expect.arrayContaining(['email', 'full_name', 'password']));
  });

  it('POST /auth/signup returns 422 when a field has the wrong type', async () => {
    // A number for a name: a body the typed client would refuse to send.
    const res = await api(app, '/api/v1/auth/signup', {
      json: { email: uniqueEmail(), full_name: 42, password: DEFAULT_PASSWORD },
    });
    expect(res.status).toBe(422);
    expectValidationProblemBody(res.body, res.headers, 'full_name');
  });
});

describe('POST /auth/signup password normalisation and length', () => {
  it('POST /auth/login accepts the NFKC form of a password signed up with full-width characters', async () => {
    const fullWidth = 'Ｔｒ1cky-Ｐａ55word!';
    const ascii = 'Tr1cky-Pa55word!';
    expect(fullWidth.normalize('NFKC')).toBe(ascii);
    const user = await createUser(app, { password: fullWidth });
    expect((await login(user.email, ascii)).status).toBe(200);
    expect((await login(user.email, fullWidth)).status).toBe(200);
  });

  it('POST /auth/login accepts a composed password for one signed up decomposed', async () => {
    const decomposed = 'Cafe\u0301-Str0ng!';
    const composed = 'Caf\u00e9-Str0ng!';
    const user = await createUser(app, { password: decomposed });
    expect((await login(user.email, composed)).status).toBe(200);
  });

  it('POST /auth/login returns 401 for a password that shares only the first 72+ bytes', async () => {
    const prefix = `Aa1!${'long-passphrase-'.repeat(5)}`; // 84 ASCII characters = 84 bytes
    expect(Buffer.byteLength(prefix)).toBeGreaterThan(72);
    const signedUp = `${prefix}one`;
    const other = `${prefix}two`;
    const user = await createUser(app, { password: signedUp });
    const wrong = await login(user.email, other);
    expect(wrong.status).toBe(401);
    const right = await login(user.email, signedUp);
    expect(right.status).toBe(200);
  });

  it('POST /auth/login returns 401 for a multibyte password that differs after byte 72', async () => {
    // 30 three-byte characters = 90 bytes, well past bcrypt's 72.
    const prefix = `Aa1!${'€'.repeat(30)}`;
    const user = await createUser(app, { password: `${prefix}x` });
    expect((await login(user.email, `${prefix}y`)).status).toBe(401);
    expect((await login(user.email, `${prefix}x`)).status).toBe(200);
  });
});
