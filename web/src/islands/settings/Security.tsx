import QRCode from 'qrcode';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { client } from '../../lib/api';
import { NETWORK_ERROR, readProblem, UNEXPECTED_ERROR } from '../../lib/problems';
import { reloadSessions } from '../../stores/queries';
import { tokenRefusedByChallenge, withAccessToken } from '../../stores/session';
import { isStepUpCancelled, withStepUp } from '../../stores/step-up';
import { FormAlert, FormSuccess } from '../auth/fields';
import { SettingsCard } from './SettingsCard';

/*
 * Settings → Security: two-factor authentication with an authenticator app, and recovery codes. Turning it on, off,
 * and new recovery codes need a recent step-up: `withStepUp` (stores/step-up.ts) opens the one "Confirm it's you"
 * dialog on a 401 `reauthentication_required` (an authenticator code or a recovery code once MFA is on, the password
 * before), then retries the action once. The QR code is drawn here, in the browser, from the otpauth URL: the secret never goes to a QR
 * service, and an SVG data URL stays sharp at any size without a canvas.
 */

type MfaStatus = {
  totp: { enabled: boolean; confirmed_at: string | null; pending: boolean };
  passkeys: number;
  recovery_codes_remaining: number;
};
type Enrollment = { secret: string; otpauth_url: string; qr: string };

const authed = { isTokenRefused: tokenRefusedByChallenge };
const INPUT =
  'block rounded-lg border border-ink-600 bg-ink-900 px-3 py-2.5 text-base text-silver-50 transition-colors ' +
  'hover:border-silver-700 focus:border-silver-400 sm:text-sm';

export function Security() {
  const [status, setStatus] = useState<MfaStatus | null>(null);
  const [enrollment, setEnrollment] = useState<Enrollment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [alert, setAlert] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const response = await withAccessToken((options) => client.api.v1.users.me.mfa.$get({}, options), authed);
      if (response?.status === 200) setStatus((await response.json()) as MfaStatus);
    } catch {
      setAlert(NETWORK_ERROR);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  // Runs an action; one that needs a step-up asks through the dialog first. A cancelled step-up is the visitor's
  // choice: nothing to say.
  async function guarded(call: () => Promise<Response | undefined>, done: (response: Response) => Promise<void>) {
    setAlert(null);
    setNotice(null);
    setBusy(true);
    try {
      const response = await call();
      if (response) await done(response);
    } catch (error) {
      if (!isStepUpCancelled(error)) setAlert(NETWORK_ERROR);
    } finally {
      setBusy(false);
    }
  }

  const start = () =>
    guarded(
      () => withStepUp((options) => client.api.v1.users.me.mfa.totp.$post({}, options), authed),
      async (response) => {
        if (response.status !== 200) return setAlert((await readProblem(response)).detail ?? UNEXPECTED_ERROR);
        const body = (await response.json()) as { secret: string; otpauth_url: string };
        const qr = await QRCode.toString(body.otpauth_url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
        setEnrollment({ ...body, qr: `data:image/svg+xml;utf8,${encodeURIComponent(qr)}` });
      },
    );

  const confirm = (code: string) =>
    guarded(
      () =>
        withAccessToken(
          (options) => client.api.v1.users.me.mfa.totp.confirm.$post({ json: { code } }, options),
          authed,
        ),
      async (response) => {
        if (response.status === 401) return setAlert('That code did not work. Enter the current code from the app.');
        if (response.status !== 200) return setAlert((await readProblem(response)).detail ?? UNEXPECTED_ERROR);
        const body = (await response.json()) as { recovery_codes?: string[] };
        setEnrollment(null);
        if (body.recovery_codes) setCodes(body.recovery_codes);
        setNotice('Two-factor authentication is on. Other devices were signed out.');
        reloadSessions();
        await load();
      },
    );

  const regenerate = () =>
    guarded(
      () => withStepUp((options) => client.api.v1.users.me.mfa['recovery-codes'].$post({}, options), authed),
      async (response) => {
        if (response.status !== 200) return setAlert((await readProblem(response)).detail ?? UNEXPECTED_ERROR);
        setCodes(((await response.json()) as { recovery_codes: string[] }).recovery_codes);
        setNotice('New recovery codes: the old ones no longer work.');
        await load();
      },
    );

  const turnOff = () =>
    guarded(
      () => withStepUp((options) => client.api.v1.users.me.mfa.totp.$delete({}, options), authed),
      async (response) => {
        if (response.status !== 204) return setAlert((await readProblem(response)).detail ?? UNEXPECTED_ERROR);
        setCodes(null);
        setNotice('Two-factor authentication is off. Other devices were signed out.');
        reloadSessions();
        await load();
      },
    );

  const enabled = status?.totp.enabled ?? false;
  return (
    <SettingsCard
      titleId="security-title"
      title="Two-factor authentication"
      description={
        enabled
          ? 'On: signing in asks for a code from your authenticator app (or a recovery code).'
          : 'Off: add a code from an authenticator app to every sign-in, so a stolen password is not enough.'
      }
    >
      <div className="mt-5 space-y-5">
        {notice && <FormSuccess>{notice}</FormSuccess>}
        {alert && <FormAlert>{alert}</FormAlert>}
        {codes && <RecoveryCodes codes={codes} onDone={() => setCodes(null)} />}
        {enrollment && <EnrollmentForm enrollment={enrollment} busy={busy} onConfirm={confirm} />}
        {status && !enrollment && (
          <div className="flex flex-wrap items-center gap-3">
            {enabled ? (
              <>
                <p className="w-full text-sm text-silver-300">
                  Recovery codes left: <strong className="text-silver-50">{status.recovery_codes_remaining}</strong>
                </p>
                <button type="button" className="btn btn-ghost" onClick={regenerate} aria-disabled={busy}>
                  New recovery codes
                </button>
                <button type="button" className="btn btn-ghost" onClick={turnOff} aria-disabled={busy}>
                  Turn off
                </button>
              </>
            ) : (
              <button type="button" className="btn btn-primary" onClick={start} aria-disabled={busy}>
                Set up an authenticator app
              </button>
            )}
          </div>
        )}
      </div>
    </SettingsCard>
  );
}

function EnrollmentForm({
  enrollment,
  busy,
  onConfirm,
}: {
  enrollment: Enrollment;
  busy: boolean;
  onConfirm: (code: string) => Promise<void>;
}) {
  const [code, setCode] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void onConfirm(code.replace(/\s/g, ''));
  };
  return (
    <form onSubmit={submit} className="space-y-4" aria-label="Confirm your authenticator app">
      <p className="text-sm text-silver-300">
        Scan this code with your authenticator app, or type the key below into it. Then enter the 6-digit code it shows.
      </p>
      <img
        src={enrollment.qr}
        alt="QR code for your authenticator app"
        width={176}
        height={176}
        className="rounded-lg bg-white p-2"
      />
      <p className="text-sm text-silver-300">
        Key:{' '}
        <code className="break-all rounded bg-ink-800 px-1.5 py-0.5 font-mono text-silver-50" data-testid="totp-secret">
          {enrollment.secret}
        </code>
      </p>
      <label className="block text-sm font-medium text-silver-200" htmlFor="totp-confirm-code">
        Code from the app
      </label>
      <input
        id="totp-confirm-code"
        className={`${INPUT} w-40 font-mono tracking-widest`}
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9 ]*"
        maxLength={7}
        value={code}
        onChange={(event) => setCode(event.target.value)}
        required
      />
      <div>
        <button type="submit" className="btn btn-primary" aria-disabled={busy}>
          Turn on
        </button>
      </div>
    </form>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const download = () => {
    const text = `AI Bootcamp recovery codes (each works once)\n\n${codes.join('\n')}\n`;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    link.download = 'ai-bootcamp-recovery-codes.txt';
    link.click();
    URL.revokeObjectURL(link.href);
  };
  return (
    <section className="rounded-xl border border-silver-700/40 p-4" aria-labelledby="recovery-codes-title">
      <h3 id="recovery-codes-title" className="font-semibold text-silver-50">
        Your recovery codes
      </h3>
      <p className="mt-1 text-sm text-silver-400">
        Each works once if you lose your phone. They are shown only now: save them somewhere safe.
      </p>
      <ul className="mt-3 grid max-w-md grid-cols-1 gap-1.5 font-mono text-sm text-silver-50 sm:grid-cols-2">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      <div className="mt-4 flex flex-wrap gap-3">
        <button type="button" className="btn btn-ghost" onClick={download}>
          Download
        </button>
        <button type="button" className="btn btn-ghost" onClick={onDone}>
          I saved them
        </button>
      </div>
    </section>
  );
}
