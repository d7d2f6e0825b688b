import type { ComponentType } from 'react';
import { supportsPasskeys } from '../../lib/passkeys';
import type { StepUpMethod } from '../../stores/step-up';
import { CodeStepUp } from './CodeStepUp';
import { PasskeyStepUp } from './PasskeyStepUp';
import { PasswordStepUp } from './PasswordStepUp';
import { ProviderStepUp } from './ProviderStepUp';

/*
 * The ways to confirm it's you, keyed by the API's step-up method names (the `methods` of a
 * `reauthentication_required` problem). The dialog shows the ones the API offered that have a view here, in the
 * API's order. To add one, write its view and add a line.
 *
 * A view proves the factor itself (POST /auth/reauthenticate, or a provider round trip) and calls `onConfirmed`
 * after a 204; everything else (errors, busy state, focus) is the view's own.
 */
export type StepUpMethodViewProps = {
  /** Call after the API accepted the proof: the dialog closes and the waiting action is retried. */
  onConfirmed: () => void;
  /** The signed-in session is gone (e.g. the lockout ended it): the dialog closes, the page signs out. */
  onSignedOut: () => void;
  /** An id prefix unique in the dialog, for labels. */
  idPrefix: string;
};

export type StepUpMethodView = {
  /** The option's name in the method switcher ("Password", "Google"). */
  label: string;
  View: ComponentType<StepUpMethodViewProps>;
  /** Whether this browser can prove it at all (a passkey needs WebAuthn); left out of the switcher otherwise. */
  available?: () => boolean;
};

export const STEP_UP_METHOD_VIEWS: Partial<Record<StepUpMethod, StepUpMethodView>> = {
  password: { label: 'Password', View: PasswordStepUp },
  totp: { label: 'Authenticator app', View: (props) => <CodeStepUp kind="totp" {...props} /> },
  webauthn: { label: 'Passkey', View: PasskeyStepUp, available: supportsPasskeys },
  recovery_code: { label: 'Recovery code', View: (props) => <CodeStepUp kind="recovery_code" {...props} /> },
  google: { label: 'Google', View: (props) => <ProviderStepUp provider="google" {...props} /> },
  github: { label: 'GitHub', View: (props) => <ProviderStepUp provider="github" {...props} /> },
};
