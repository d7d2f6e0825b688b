import { type ReactNode, useState } from 'react';
import { hereWith, type OAuthProviderId, PROVIDER_NAMES, startAccountFlow } from '../../lib/oauth';
import { NETWORK_ERROR, UNEXPECTED_ERROR } from '../../lib/problems';
import { withAccessToken } from '../../stores/session';
import { STEPPED_UP_PARAM } from '../../stores/step-up';
import { FormAlert } from '../auth/fields';
import { ProviderIcon } from '../oauth/ProviderIcon';
import type { StepUpMethodViewProps } from './methods';

/**
 * Step up by signing in at a connected provider again (accounts without a password): POST
 * /users/me/oauth/{provider}/start `purpose: "reauth"`, then the provider. That leaves the page, so the waiting
 * action cannot be retried from here: the provider brings the visitor back to this page, which says they are
 * confirmed and can do it again.
 */
export function ProviderStepUp({ provider, onSignedOut }: StepUpMethodViewProps & { provider: OAuthProviderId }) {
  const [busy, setBusy] = useState(false);
  const [alert, setAlert] = useState<ReactNode>(null);
  const name = PROVIDER_NAMES[provider];

  async function onContinue() {
    if (busy) return;
    setBusy(true);
    setAlert(null);
    try {
      const returnTo = hereWith({ [STEPPED_UP_PARAM]: '1' });
      const response = await withAccessToken((options) => startAccountFlow(options, provider, 'reauth', returnTo));
      if (!response) {
        onSignedOut();
        return;
      }
      if (response.status === 200) {
        const { authorization_url } = await response.json();
        window.location.assign(authorization_url);
        return; // stays busy until the page goes
      }
      setAlert(
        response.status === 503
          ? `${name} can't be reached right now. Try again in a moment.`
          : response.status === 404
            ? `${name} is not connected to this account any more.`
            : UNEXPECTED_ERROR,
      );
    } catch {
      setAlert(NETWORK_ERROR);
    }
    setBusy(false);
  }

  return (
    <div className="space-y-4">
      {alert && <FormAlert>{alert}</FormAlert>}
      <p className="text-sm leading-relaxed text-silver-300">
        Sign in at {name} again. You come back to this page afterwards; then do it once more.
      </p>
      <button
        type="button"
        className="btn btn-ghost w-full py-2.5 text-base"
        onClick={onContinue}
        aria-disabled={busy || undefined}
      >
        <ProviderIcon provider={provider} />
        {busy ? `Opening ${name}…` : `Continue with ${name}`}
      </button>
    </div>
  );
}
