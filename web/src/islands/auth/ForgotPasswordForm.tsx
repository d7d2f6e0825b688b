import { PASSWORD_RESET_TTL_HOURS, passwordResetRequestSchema } from '@aibc/api/shared/fields';
import { zodResolver } from '@hookform/resolvers/zod';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { useForm } from 'react-hook-form';
import { client } from '../../lib/api';
import { NETWORK_ERROR } from '../../lib/problems';
import { EmailField, FormAlert, FormSuccess, SubmitButton } from './fields';
import { SwitchLink } from './SwitchLink';
import { showProblem } from './server-errors';
import { useGuardedSubmit } from './use-guarded-submit';

const FIELDS = ['email'] as const;
const LIFETIME = PASSWORD_RESET_TTL_HOURS === 1 ? '1 hour' : `${PASSWORD_RESET_TTL_HOURS} hours`;

/**
 * The same words whether or not the address has an account: the API answers 202 either way, and so does this
 * form, so it reveals nothing about who is registered.
 */
export const RESET_LINK_SENT = `If an account exists for that address, we've sent a link. It expires in ${LIFETIME}.`;

/**
 * Asks for a password-reset link. In the sign-in modal ("Forgot password?") and on /reset-password when the page
 * has no token or the token was refused. `idPrefix` keeps the ids unique when both are on one page.
 */
export function ForgotPasswordForm({
  idPrefix,
  email,
  autoFocus = false,
  inModal = false,
  submitLabel = 'Send reset link',
}: {
  idPrefix: string;
  email?: string;
  autoFocus?: boolean;
  /** In the modal: offer the way back to sign-in, with the email carried over. */
  inModal?: boolean;
  submitLabel?: string;
}) {
  const {
    register,
    handleSubmit,
    setError,
    setFocus,
    getValues,
    formState: { errors },
  } = useForm({
    mode: 'onSubmit',
    resolver: zodResolver(passwordResetRequestSchema),
    defaultValues: { email: email ?? '' },
  });
  const [alert, setAlert] = useState<ReactNode>(null);
  const [sent, setSent] = useState(false);
  const [again, setAgain] = useState(false);

  const sentRef = useRef<HTMLDivElement>(null);

  // The form gives way to the message: focus follows it (the submit button that had it is gone), and "send another
  // link" brings the field back focused.
  useEffect(() => {
    if (sent) sentRef.current?.focus();
    else if (autoFocus || again) setFocus('email');
  }, [autoFocus, again, sent, setFocus]);

  const { busy, onSubmit } = useGuardedSubmit(async (event) => {
    setAlert(null);
    await handleSubmit(async (values) => {
      try {
        const response = await client.api.v1.auth['password-reset'].request.$post({ json: values });
        if (response.status === 202) {
          setSent(true);
        } else {
          // Limited per network and per address: the wait is what the visitor needs either way.
          await showProblem(response, { fields: FIELDS, setError, setAlert, rateLimited: 'Too many reset requests.' });
        }
      } catch {
        setAlert(NETWORK_ERROR);
      }
    })(event);
    return undefined;
  });

  const backToSignIn = inModal && (
    <p className="text-center text-sm text-silver-400">
      Remembered it?{' '}
      <SwitchLink to="signin" email={() => getValues('email')}>
        Back to sign in
      </SwitchLink>
    </p>
  );

  if (sent) {
    return (
      <div ref={sentRef} tabIndex={-1} className="space-y-5 focus:outline-none">
        <FormSuccess id={`${idPrefix}-sent`}>{RESET_LINK_SENT}</FormSuccess>
        <p className="text-sm text-silver-400">
          Nothing after a few minutes? Check your spam folder, or{' '}
          <button
            type="button"
            onClick={() => {
              setSent(false);
              setAgain(true);
            }}
            className="font-semibold text-silver-100 underline decoration-silver-600 underline-offset-4 hover:text-silver-50 hover:decoration-silver-300"
          >
            send another link
          </button>
          .
        </p>
        {backToSignIn}
      </div>
    );
  }

  return (
    <form noValidate onSubmit={onSubmit} className="space-y-5">
      {alert && <FormAlert>{alert}</FormAlert>}
      <EmailField id={`${idPrefix}-email`} registration={register('email')} error={errors.email} />
      <SubmitButton busy={busy} label={submitLabel} busyLabel="Sending…" />
      {backToSignIn}
    </form>
  );
}
