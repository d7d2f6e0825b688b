import { type ReactNode, useEffect, useRef, useState } from 'react';
import { getPasskeyAssertion, isPasskeyCancelled } from '../../lib/passkeys';
import { lockedMessage, NETWORK_ERROR, rateLimitedMessage, readProblem, UNEXPECTED_ERROR } from '../../lib/problems';
import { reauthenticate, reauthenticationOptions } from '../../stores/step-up';
import { FormAlert } from '../auth/fields';
import { PasskeyIcon } from '../auth/PasskeyIcon';
import type { StepUpMethodViewProps } from './methods';

export const STEP_UP_PASSKEY_REFUSED = 'That passkey was not accepted. Try it again, or choose another way.';
export const STEP_UP_PASSKEY_CANCELLED = 'No passkey was used. Try again, or choose another way.';
export const STEP_UP_NO_PASSKEY = 'Your account has no passkey any more. Choose another way.';

/**
 * Step up with one of the account's passkeys: POST /auth/reauthenticate/webauthn/options (a challenge of this
 * session), the browser's prompt, then POST /auth/reauthenticate `{webauthn}`. The prompt opens from the button,
 * not by itself: some browsers only show it after a click, and the visitor may have meant another method. A refused
 * passkey is a 401 `mfa_invalid` and counts toward the account's MFA lockout like a wrong code.
 */
export function PasskeyStepUp({ onConfirmed, onSignedOut }: StepUpMethodViewProps) {
  const [busy, setBusy] = useState(false);
  const running = useRef(false);
  const [alert, setAlert] = useState<ReactNode>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => button.current?.focus(), []);

  async function onContinue() {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    setAlert(null);
    try {
      const started = await reauthenticationOptions();
      if (!started) {
        onSignedOut();
        return;
      }
      if (started.status !== 200) {
        setAlert(
          started.status === 404
            ? STEP_UP_NO_PASSKEY
            : started.status === 429
              ? rateLimitedMessage(started)
              : ((await readProblem(started)).detail ?? UNEXPECTED_ERROR),
        );
      } else {
        const webauthn = await getPasskeyAssertion(await started.json());
        const response = await reauthenticate({ webauthn });
        if (!response) {
          onSignedOut();
          return;
        }
        if (response.status === 204) {
          onConfirmed();
          return; // the dialog closes; the button stays busy until it does
        }
        setAlert(
          response.status === 401
            ? STEP_UP_PASSKEY_REFUSED
            : response.status === 423
              ? lockedMessage(response)
              : response.status === 429
                ? rateLimitedMessage(response)
                : ((await readProblem(response)).detail ?? UNEXPECTED_ERROR),
        );
      }
    } catch (error) {
      setAlert(
        isPasskeyCancelled(error)
          ? STEP_UP_PASSKEY_CANCELLED
          : error instanceof TypeError
            ? NETWORK_ERROR
            : STEP_UP_PASSKEY_REFUSED,
      );
    }
    running.current = false;
    setBusy(false);
  }

  return (
    <div className="space-y-4">
      {alert && <FormAlert>{alert}</FormAlert>}
      <p className="text-sm leading-relaxed text-silver-300">
        Use the passkey you saved for this account: your fingerprint, face or screen lock, or a security key.
      </p>
      <button
        ref={button}
        type="button"
        className="btn btn-primary w-full py-2.5 text-base"
        onClick={() => void onContinue()}
        aria-disabled={busy || undefined}
        aria-busy={busy || undefined}
      >
        <PasskeyIcon />
        {busy ? 'Waiting for your passkey…' : 'Use a passkey'}
      </button>
    </div>
  );
}
