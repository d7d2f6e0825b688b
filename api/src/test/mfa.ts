import { generate } from 'otplib';
import { encryptTotpSecret } from '../auth/mfa-keys';
import { generateTotpSecret, TOTP_PERIOD_SECONDS } from '../auth/totp';
import { client, loginAs, type Session } from './fixtures';
import type { TestApp } from './setup';

// MFA in tests: the authenticator app is otplib computing the code for the test clock's time.

export async function totpCode(secret: string, at: Date, stepOffset = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor(at.getTime() / 1000) + stepOffset * TOTP_PERIOD_SECONDS });
}

// Moves the clock to the start of the next 30-second step, so a test knows which codes are current.
export function nextStep(app: Pick<TestApp, 'clock'>) {
  const seconds = app.clock.now().getTime() / 1000;
  app.clock.set(new Date((Math.floor(seconds / TOTP_PERIOD_SECONDS) + 1) * TOTP_PERIOD_SECONDS * 1000 + 1000));
}

// A confirmed TOTP factor written straight into the database (for tests of the sign-in gate itself); the routes'
// own tests enroll through POST /users/me/mfa/totp and /confirm (enableTotp below).
export async function insertConfirmedTotp(app: TestApp, userId: string): Promise<string> {
  const secret = generateTotpSecret();
  await app.sql`
    insert into totp_factors (user_id, secret_encrypted, created_at, confirmed_at)
    values (${userId}, ${encryptTotpSecret(app.deps.mfaKeys, userId, secret)}, ${app.clock.now()}, ${app.clock.now()})
  `;
  return secret;
}

export type EnabledTotp = { secret: string; recoveryCodes: string[]; session: Session };

// The whole enrollment through the routes, as the Security section does it: sign in, step up with the password,
// start, confirm with a code of the current step. Answers the secret, the recovery codes and the session (whose
// confirming step is now spent: the next code comes from the next step).
export async function enableTotp(app: TestApp, user: { email: string; password: string }): Promise<EnabledTotp> {
  const session = await loginAs(app, user);
  const signedIn = client(app, session.access_token);
  const stepUp = await signedIn.api.v1.auth.reauthenticate.$post({ json: { password: user.password } });
  if (stepUp.status !== 204) throw new Error(`step-up failed: ${stepUp.status}`);
  const started = await signedIn.api.v1.users.me.mfa.totp.$post();
  if (started.status !== 200) throw new Error(`enrollment failed: ${started.status} ${await started.text()}`);
  const { secret } = await started.json();
  const confirmed = await signedIn.api.v1.users.me.mfa.totp.confirm.$post({
    json: { code: await totpCode(secret, app.clock.now()) },
  });
  if (confirmed.status !== 200) throw new Error(`confirm failed: ${confirmed.status} ${await confirmed.text()}`);
  const { recovery_codes } = await confirmed.json();
  if (!recovery_codes) throw new Error('confirm answered no recovery codes');
  return { secret, recoveryCodes: recovery_codes, session };
}
