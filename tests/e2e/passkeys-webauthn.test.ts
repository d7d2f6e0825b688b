// Passkeys against a real browser: headless Chromium's virtual authenticator (DevTools WebAuthn domain) makes and
// uses the credentials, the in-process API (real PostgreSQL, real SMTP, a clock the test moves) checks them. The
// relying party's page is a blank page on http://localhost:<port> (Chromium refuses an IP address as RP ID); the
// test reads the options from the API and posts the browser's answers back itself.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../api/src/auth/tokens';
import { api, createUser, loginAs } from '../../api/src/test/fixtures';
import { insertConfirmedTotp } from '../../api/src/test/mfa';
import { createTestDatabase, startTestApp, type TestApp, type TestDatabase } from '../../api/src/test/setup';
import { NOT_VERIFY, startSmtpServer, type TestSmtpServer } from '../../api/src/test/smtp';
import { launchBrowser } from './harness';

let db: TestDatabase;
let app: TestApp;
let smtp: TestSmtpServer;
let browser: Browser;
let pageServer: Server;
let origin: string;
const pages: Page[] = [];

beforeAll(async () => {
  pageServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><html lang="en"><title>Relying party</title><body></body></html>');
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  origin = `http://localhost:${(pageServer.address() as AddressInfo).port}`;
  db = await createTestDatabase();
  smtp = await startSmtpServer();
  app = await startTestApp(db.url, {
    env: { SMTP_URL: smtp.url, WEBAUTHN_RP_ID: 'localhost', WEBAUTHN_ORIGINS: origin },
  });
  browser = await launchBrowser();
}, 60_000);

afterEach(async () => {
  await Promise.all(pages.splice(0).map((page) => page.context().close()));
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await smtp?.close();
  await db?.drop();
  await new Promise((resolve) => pageServer?.close(resolve));
});

type Authenticator = { page: Page; cdp: CDPSession; authenticatorId: string };

// A fresh browser context on the RP's page with one virtual platform authenticator (resident keys, user
// verification). `synced` makes the passkeys it creates backup eligible and backed up, like a cloud keychain's.
async function openAuthenticator(options: { synced?: boolean } = {}): Promise<Authenticator> {
  const context = await browser.newContext();
  const page = await context.newPage();
  pages.push(page);
  await page.goto(`${origin}/`);
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
      defaultBackupEligibility: options.synced ?? false,
      defaultBackupState: options.synced ?? false,
    },
  });
  return { page, cdp, authenticatorId };
}

// navigator.credentials.create() with the API's options, answered in the JSON form the API takes.
function createCredential(page: Page, options: unknown) {
  return page.evaluate(async (json) => {
    const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(json as PublicKeyCredentialCreationOptionsJSON);
    const credential = (await navigator.credentials.create({ publicKey })) as PublicKeyCredential;
    const answer: RegistrationResponseJSON = credential.toJSON();
    return answer;
  }, options);
}

// navigator.credentials.get(); `tamper` lets the page play a dishonest client (weaker options, a broken signature).
function getAssertion(
  page: Page,
  options: unknown,
  tamper: { userVerification?: string; flipSignature?: boolean } = {},
) {
  return page.evaluate(
    async ({ json, tamper }) => {
      const request = { ...(json as PublicKeyCredentialRequestOptionsJSON) };
      if (tamper.userVerification) request.userVerification = tamper.userVerification as UserVerificationRequirement;
      const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(request);
      const credential = (await navigator.credentials.get({ publicKey })) as PublicKeyCredential;
      const answer: AuthenticationResponseJSON = credential.toJSON();
      if (tamper.flipSignature) {
        const signature = answer.response.signature;
        const last = signature.at(-2) === 'A' ? 'B' : 'A';
        answer.response.signature = `${signature.slice(0, -2)}${last}${signature.at(-1)}`;
      }
      return answer;
    },
    { json: options, tamper },
  );
}

async function signedInWithStepUp() {
  const user = await createUser(app);
  const session = await loginAs(app, user);
  const stepUp = await api(app, '/api/v1/auth/reauthenticate', {
    token: session.access_token,
    json: { password: user.password },
  });
  expect(stepUp.status).toBe(204);
  return { user, session };
}

async function registerPasskey(authenticator: Authenticator, token: string, name = 'Test laptop') {
  const options = await api(app, '/api/v1/users/me/passkeys/options', { method: 'POST', token });
  expect(options.status).toBe(200);
  const response = await createCredential(authenticator.page, options.body);
  const res = await api(app, '/api/v1/users/me/passkeys', { token, json: { name, response } });
  return { options: options.body, response, res };
}

async function passwordlessAssertion(authenticator: Authenticator, tamper = {}) {
  const started = await api(app, '/api/v1/auth/passkey/options', { method: 'POST' });
  expect(started.status).toBe(200);
  const response = await getAssertion(authenticator.page, started.body.options, tamper);
  return { challenge_id: started.body.challenge_id as string, response };
}

function verifyPasswordless(body: unknown) {
  return api(app, '/api/v1/auth/passkey/verify', { json: body });
}

async function storedPasskey(userId: string) {
  const [row] = await app.sql`
    select id, counter::int as counter, device_type, backed_up, last_used_at, transports
    from passkeys where user_id = ${userId}
  `;
  return row;
}

async function eventsOf(userId: string, event: string) {
  return app.sql`select metadata from audit_logs where user_id = ${userId} and event = ${event} order by id`;
}

// Another authenticator holding a copy of the credential with an older signature count: removeCredential and
// addCredential with the counter turned back, as a cloned device would answer.
async function rollBackCounter(authenticator: Authenticator, signCount: number) {
  const { credentials } = await authenticator.cdp.send('WebAuthn.getCredentials', {
    authenticatorId: authenticator.authenticatorId,
  });
  const [credential] = credentials;
  if (!credential) throw new Error('the authenticator holds no credential');
  await authenticator.cdp.send('WebAuthn.removeCredential', {
    authenticatorId: authenticator.authenticatorId,
    credentialId: credential.credentialId,
  });
  await authenticator.cdp.send('WebAuthn.addCredential', {
    authenticatorId: authenticator.authenticatorId,
    credential: { ...credential, signCount },
  });
  return credential;
}

describe('passkeys in Chromium', () => {
  it('POST /users/me/passkeys registers a discoverable passkey with a random user handle, ends other sessions and mails the owner', async () => {
    const authenticator = await openAuthenticator();
    const { user, session } = await signedInWithStepUp();
    const other = await loginAs(app, user);

    const { options, response, res } = await registerPasskey(authenticator, session.access_token, 'Work laptop');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Work laptop',
      created_at: app.clock.now().toISOString(),
      last_used_at: null,
      backed_up: false,
    });
    expect(options).toMatchObject({
      rp: { id: 'localhost', name: 'AI Bootcamp' },
      user: { name: user.email, displayName: user.full_name },
      attestation: 'none',
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    // The user handle is 32 random bytes: neither the user id nor the email, in any encoding.
    const handle = Buffer.from(options.user.id, 'base64url');
    expect(handle).toHaveLength(32);
    expect(handle.toString('utf8')).not.toContain(user.id);
    expect(handle.toString('hex')).not.toBe(user.id.replaceAll('-', ''));
    expect(handle.toString('utf8')).not.toContain(user.email);

    const { credentials } = await authenticator.cdp.send('WebAuthn.getCredentials', {
      authenticatorId: authenticator.authenticatorId,
    });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]?.isResidentCredential).toBe(true);
    expect(Buffer.from(credentials[0]?.userHandle ?? '', 'base64').toString('base64url')).toBe(options.user.id);

    const stored = await storedPasskey(user.id);
    // Chromium's authenticator counts the creation too.
    expect(stored).toMatchObject({ counter: 1, device_type: 'singleDevice', backed_up: false, last_used_at: null });
    expect(stored?.transports).toContain('internal');
    const list = await api(app, '/api/v1/users/me/passkeys', { token: session.access_token });
    expect(list.body).toEqual([res.body]);
    // Every other session ended; this one goes on.
    expect((await api(app, '/api/v1/users/me', { token: other.access_token })).status).toBe(401);
    expect((await api(app, '/api/v1/users/me', { token: session.access_token })).status).toBe(200);
    expect(await eventsOf(user.id, 'passkey_added')).toHaveLength(1);
    const mail = await smtp.waitForMessage(user.email, { subject: NOT_VERIFY });
    expect(mail.subject).toBe('A passkey was added to your AI Bootcamp account');
    expect(mail.text).toContain('"Work laptop"');
    expect(mail.links).toEqual([`${app.deps.config.mail.publicAppUrl}/settings`]);
    expect(mail.html).toContain(`href="${app.deps.config.mail.publicAppUrl}/settings"`);

    // The same answer again finds its challenge spent.
    const replay = await api(app, '/api/v1/users/me/passkeys', {
      token: session.access_token,
      json: { name: 'Again', response },
    });
    expect(replay.status).toBe(400);
    expect(await api(app, '/api/v1/users/me/passkeys', { token: session.access_token })).toMatchObject({
      body: [res.body],
    });
  });

  it('POST /users/me/passkeys/options needs a recent step-up', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    const res = await api(app, '/api/v1/users/me/passkeys/options', { method: 'POST', token: session.access_token });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'reauthentication_required', methods: ['password'] });
  });

  it('POST /auth/passkey/verify signs in without a password and counts the passkey use', async () => {
    const authenticator = await openAuthenticator();
    const { user, session } = await signedInWithStepUp();
    expect((await registerPasskey(authenticator, session.access_token)).res.status).toBe(201);

    const res = await verifyPasswordless(await passwordlessAssertion(authenticator));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'bearer', access_token: expect.any(String) });
    expect(res.headers.get('set-cookie')).toContain('__Host-aibc_refresh=');
    const me = await api(app, '/api/v1/users/me', { token: res.body.access_token });
    expect(me.body).toMatchObject({ id: user.id, email: user.email });
    expect(await storedPasskey(user.id)).toMatchObject({ counter: 2, last_used_at: app.clock.now() });
    expect(await eventsOf(user.id, 'passkey_login')).toHaveLength(1);
  });

  it('POST /auth/passkey/verify takes one challenge once: of two parallel answers exactly one signs in', async () => {
    const authenticator = await openAuthenticator();
    const { session } = await signedInWithStepUp();
    await registerPasskey(authenticator, session.access_token);
    const assertion = await passwordlessAssertion(authenticator);
    const answers = await Promise.all([verifyPasswordless(assertion), verifyPasswordless(assertion)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
    expect((await verifyPasswordless(assertion)).status).toBe(401);
  });

  it('POST /auth/passkey/verify refuses a challenge older than 5 minutes', async () => {
    const authenticator = await openAuthenticator();
    const { user, session } = await signedInWithStepUp();
    await registerPasskey(authenticator, session.access_token);
    const assertion = await passwordlessAssertion(authenticator);
    app.clock.advance(301);
    const res = await verifyPasswordless(assertion);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ detail: 'The passkey could not be verified. Try again.' });
    expect(await storedPasskey(user.id)).toMatchObject({ counter: 1, last_used_at: null });
  });

  it('POST /auth/passkey/verify refuses a cloned device-bound passkey (counter went back) and audits it', async () => {
    const authenticator = await openAuthenticator();
    const { user, session } = await signedInWithStepUp();
    await registerPasskey(authenticator, session.access_token);
    expect((await verifyPasswordless(await passwordlessAssertion(authenticator))).status).toBe(200);
    expect((await verifyPasswordless(await passwordlessAssertion(authenticator))).status).toBe(200);
    expect(await storedPasskey(user.id)).toMatchObject({ counter: 3 });

    await rollBackCounter(authenticator, 1);
    const res = await verifyPasswordless(await passwordlessAssertion(authenticator));
    expect(res.status).toBe(401);
    expect(await storedPasskey(user.id)).toMatchObject({ counter: 3 });
    const [clone] = await eventsOf(user.id, 'passkey_clone_suspected');
    expect(clone?.metadata).toMatchObject({ stored_counter: 3, presented_counter: 2, purpose: 'sign_in' });
  });

  it('POST /auth/passkey/verify accepts a synced passkey whose counter went back, and only audits it', async () => {
    const authenticator = await openAuthenticator({ synced: true });
    const { user, session } = await signedInWithStepUp();
    const { res: added } = await registerPasskey(authenticator, session.access_token);
    expect(added.body.backed_up).toBe(true);
    expect(await storedPasskey(user.id)).toMatchObject({ device_type: 'multiDevice', backed_up: true });
    expect((await verifyPasswordless(await passwordlessAssertion(authenticator))).status).toBe(200);
    expect((await verifyPasswordless(await passwordlessAssertion(authenticator))).status).toBe(200);

    await rollBackCounter(authenticator, 0);
    const res = await verifyPasswordless(await passwordlessAssertion(authenticator));
    expect(res.status).toBe(200);
    // The highest counter seen is kept.
    expect(await storedPasskey(user.id)).toMatchObject({ counter: 3 });
    const [regressed] = await eventsOf(user.id, 'passkey_counter_regressed');
    expect(regressed?.metadata).toMatchObject({ stored_counter: 3, presented_counter: 1 });
    expect(await eventsOf(user.id, 'passkey_clone_suspected')).toHaveLength(0);
  });

  it('POST /auth/passkey/verify refuses an assertion without user verification and changes nothing', async () => {
    const authenticator = await openAuthenticator();
    const { user, session } = await signedInWithStepUp();
    await registerPasskey(authenticator, session.access_token);
    await authenticator.cdp.send('WebAuthn.setUserVerified', {
      authenticatorId: authenticator.authenticatorId,
      isUserVerified: false,
    });
    const assertion = await passwordlessAssertion(authenticator, { userVerification: 'discouraged' });
    const flags = Buffer.from(assertion.response.response.authenticatorData, 'base64url')[32] ?? 0;
    expect(flags & 0x04).toBe(0);
    const res = await verifyPasswordless(assertion);
    expect(res.status).toBe(401);
    expect(await storedPasskey(user.id)).toMatchObject({ counter: 1, last_used_at: null });
  });

  it('POST /auth/passkey/verify refuses a bogus signature and leaves the counter as it was', async () => {
    const authenticator = await openAuthenticator();
    const { user, session } = await signedInWithStepUp();
    await registerPasskey(authenticator, session.access_token);
    expect((await verifyPasswordless(await passwordlessAssertion(authenticator))).status).toBe(200);
    const before = await storedPasskey(user.id);
    app.clock.advance(60);

    const res = await verifyPasswordless(await passwordlessAssertion(authenticator, { flipSignature: true }));
    expect(res.status).toBe(401);
    expect(await storedPasskey(user.id)).toEqual(before);
    const [failed] = await eventsOf(user.id, 'passkey_failed');
    expect(failed?.metadata).toMatchObject({ reason: 'verification_failed' });
  });

  it('POST /auth/passkey/verify answers 403 account_disabled for a disabled account', async () => {
    const authenticator = await openAuthenticator();
    const { user, session } = await signedInWithStepUp();
    await registerPasskey(authenticator, session.access_token);
    await app.sql`update users set is_active = false where id = ${user.id}`;
    const res = await verifyPasswordless(await passwordlessAssertion(authenticator));
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'account_disabled' });
  });

  it('POST /auth/reauthenticate with {webauthn} stamps the session; a step-up answer is bound to its session', async () => {
    const authenticator = await openAuthenticator();
    const { user, session } = await signedInWithStepUp();
    await registerPasskey(authenticator, session.access_token);
    const fresh = await loginAs(app, user);

    const forbidden = await api(app, '/api/v1/users/me/passkeys/options', {
      method: 'POST',
      token: fresh.access_token,
    });
    expect(forbidden.body).toMatchObject({ code: 'reauthentication_required', methods: ['password', 'webauthn'] });

    const options = await api(app, '/api/v1/auth/reauthenticate/webauthn/options', {
      method: 'POST',
      token: fresh.access_token,
    });
    expect(options.status).toBe(200);
    expect(options.body).toMatchObject({ rpId: 'localhost', userVerification: 'required' });
    expect(options.body.allowCredentials).toHaveLength(1);
    const webauthn = await getAssertion(authenticator.page, options.body);

    // Another session of the same user cannot spend this session's challenge.
    const elsewhere = await api(app, '/api/v1/auth/reauthenticate', {
      token: session.access_token,
      json: { webauthn },
    });
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.body).toMatchObject({ code: 'mfa_invalid' });

    const again = await getAssertion(
      authenticator.page,
      (await api(app, '/api/v1/auth/reauthenticate/webauthn/options', { method: 'POST', token: fresh.access_token }))
        .body,
    );
    const res = await api(app, '/api/v1/auth/reauthenticate', { token: fresh.access_token, json: { webauthn: again } });
    expect(res.status).toBe(204);
    const [stamp] = await app.sql`
      select metadata from audit_logs where user_id = ${user.id} and event = 'reauthenticated' order by id desc limit 1
    `;
    expect(stamp?.metadata).toMatchObject({ method: 'webauthn' });
    const allowed = await api(app, '/api/v1/users/me/passkeys/options', { method: 'POST', token: fresh.access_token });
    expect(allowed.status).toBe(200);
  });

  // ─── A passkey as the second factor after a password ─────────────────────────────────────────────────────────

  // A user with a passkey who then turns TOTP on (no recovery codes, so `methods` is exactly what passkeys add), and
  // a fresh password sign-in that stops at the MFA step.
  async function mfaSignInStarted(authenticator: Authenticator) {
    const { user, session } = await signedInWithStepUp();
    expect((await registerPasskey(authenticator, session.access_token)).res.status).toBe(201);
    await insertConfirmedTotp(app, user.id);
    const login = await api(app, '/api/v1/auth/login', { json: { email: user.email, password: user.password } });
    expect(login.status).toBe(403);
    expect(login.body).toMatchObject({ code: 'mfa_required', methods: ['totp', 'webauthn'] });
    return { user, mfaToken: login.body.mfa_token as string };
  }

  function secondFactorOptions(mfaToken: string) {
    return api(app, '/api/v1/auth/mfa/webauthn/options', { json: { mfa_token: mfaToken } });
  }

  async function secondFactorAssertion(authenticator: Authenticator, mfaToken: string, tamper = {}) {
    const options = await secondFactorOptions(mfaToken);
    expect(options.status).toBe(200);
    return getAssertion(authenticator.page, options.body, tamper);
  }

  async function challengeAttempts(mfaToken: string) {
    const [row] = await app.sql`
      select attempts, consumed_at from mfa_challenges where token_hash = ${hashToken(mfaToken)}
    `;
    return row;
  }

  it('POST /auth/mfa/webauthn/options + /auth/mfa/verify {webauthn} finish a password sign-in with a passkey', async () => {
    const authenticator = await openAuthenticator();
    const { user, mfaToken } = await mfaSignInStarted(authenticator);

    const options = await secondFactorOptions(mfaToken);
    expect(options.status).toBe(200);
    expect(options.body).toMatchObject({ rpId: 'localhost', userVerification: 'required' });
    expect(options.body.allowCredentials).toHaveLength(1);
    // Asking for options is not a try and does not spend the mfa_token.
    expect(await challengeAttempts(mfaToken)).toMatchObject({ attempts: 0, consumed_at: null });

    const webauthn = await getAssertion(authenticator.page, options.body);
    const res = await api(app, '/api/v1/auth/mfa/verify', { json: { mfa_token: mfaToken, webauthn } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'bearer' });
    expect(res.headers.get('set-cookie')).toContain(`aibc_refresh=${res.body.refresh_token};`);
    const me = await api(app, '/api/v1/users/me', { token: res.body.access_token });
    expect(me.status).toBe(200);
    const [login] = await app.sql`
      select metadata from audit_logs where user_id = ${user.id} and event = 'login_success' order by id desc limit 1
    `;
    expect(login?.metadata).toMatchObject({ method: 'password', second_factor: 'webauthn' });

    // Spent now: options and verify both answer like a wrong code.
    const spent = await secondFactorOptions(mfaToken);
    expect(spent.status).toBe(401);
    expect(spent.body).toMatchObject({ code: 'mfa_invalid' });
  });

  it('POST /auth/mfa/webauthn/options answers 401 mfa_invalid for an unknown or expired mfa_token', async () => {
    const authenticator = await openAuthenticator();
    const { mfaToken } = await mfaSignInStarted(authenticator);
    const unknown = await secondFactorOptions('not-a-real-token');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ code: 'mfa_invalid' });
    app.clock.advance(301);
    const expired = await secondFactorOptions(mfaToken);
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ code: 'mfa_invalid' });
  });

  it('POST /auth/mfa/verify {webauthn}: of parallel verifies with one mfa_token exactly one signs in', async () => {
    const authenticator = await openAuthenticator();
    const { user, mfaToken } = await mfaSignInStarted(authenticator);
    // Two valid assertions for two challenges (a synced passkey would make this possible from two devices), plus
    // the first one replayed: the mfa_token is the single-use thing.
    const first = await secondFactorAssertion(authenticator, mfaToken);
    const second = await secondFactorAssertion(authenticator, mfaToken);
    const results = await Promise.all(
      [first, second, first].map((webauthn) =>
        api(app, '/api/v1/auth/mfa/verify', { json: { mfa_token: mfaToken, webauthn } }),
      ),
    );
    expect(results.map((res) => res.status).sort()).toEqual([200, 401, 401]);
    for (const res of results.filter((res) => res.status === 401)) {
      expect(res.body).toMatchObject({ code: 'mfa_invalid' });
    }
    const [sessions] = await app.sql`select count(*)::int as n from sessions where user_id = ${user.id}`;
    // The step-up session of the registration, and the one this sign-in made.
    expect(sessions?.n).toBe(2);
  });

  it('POST /auth/mfa/verify with a bogus assertion is 401 mfa_invalid and counts as a wrong attempt', async () => {
    const authenticator = await openAuthenticator();
    const { user, mfaToken } = await mfaSignInStarted(authenticator);
    const before = await storedPasskey(user.id);

    const bogus = await secondFactorAssertion(authenticator, mfaToken, { flipSignature: true });
    const res = await api(app, '/api/v1/auth/mfa/verify', { json: { mfa_token: mfaToken, webauthn: bogus } });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'mfa_invalid' });
    expect(await challengeAttempts(mfaToken)).toMatchObject({ attempts: 1, consumed_at: null });
    const [failures] = await app.sql`select failed_count from mfa_failures where user_id = ${user.id}`;
    expect(failures?.failed_count).toBe(1);
    const [failed] = await eventsOf(user.id, 'mfa_failed');
    expect(failed?.metadata).toMatchObject({ method: 'webauthn', purpose: 'sign_in', attempt: 1 });
    expect(await storedPasskey(user.id)).toEqual(before);

    // Not an assertion at all: the same answer, counted too.
    const junk = await api(app, '/api/v1/auth/mfa/verify', { json: { mfa_token: mfaToken, webauthn: { id: 'x' } } });
    expect(junk.status).toBe(401);
    expect(junk.body).toMatchObject({ code: 'mfa_invalid' });
    expect(await challengeAttempts(mfaToken)).toMatchObject({ attempts: 2 });

    // The mfa_token still works within its budget, and a success clears the account's failure count.
    const good = await secondFactorAssertion(authenticator, mfaToken);
    const ok = await api(app, '/api/v1/auth/mfa/verify', { json: { mfa_token: mfaToken, webauthn: good } });
    expect(ok.status).toBe(200);
    const [cleared] = await app.sql`select failed_count from mfa_failures where user_id = ${user.id}`;
    expect(cleared?.failed_count ?? 0).toBe(0);
  });
});
