import { passwordResetConfirmSchema } from '@aibc/api/shared/fields';
import { zodResolver } from '@hookform/resolvers/zod';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { client } from '../lib/api';
import { readProblem } from '../lib/problems';
import { takeTokenFromUrl } from '../lib/url-token';
import { openAuthModal } from '../stores/modal';
import { $session, signOut } from '../stores/session';
import { ForgotPasswordForm } from './auth/ForgotPasswordForm';
import { FormAlert, SubmitButton } from './auth/fields';
import { NewPasswordField } from './auth/PasswordChecklist';
import { showProblem } from './auth/server-errors';
import { type SubmitOutcome, useFormSubmit } from './auth/use-guarded-submit';

/*
 * /reset-password, rendered in the browser only (`client:only="react"`): the token is in the address, which the
 * prerendered HTML cannot know. With a token: choose a new password. Without one, or when the API refuses it: ask
 * for a (new) link.
 */

type Step = 'request' | 'choose' | 'done' | 'invalid';

export const INVALID_RESET_LINK = 'This link is invalid, expired or already used.';
export const PASSWORD_RESET_DONE = {
  title: 'Password changed',
  detail: 'Every device was signed out — sign in with your new password.',
};

const newPasswordSchema = passwordResetConfirmSchema.pick({ new_password: true });
const FIELDS = ['new_password'] as const;

export default function ResetPassword() {
  const [token] = useState(takeTokenFromUrl);
  const [step, setStep] = useState<Step>(token ? 'choose' : 'request');
  const panel = useRef<HTMLDivElement>(null);

  // When the step changes after an answer, focus moves to what replaced the form.
  const answered = useRef(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new step is the trigger
  useEffect(() => {
    if (answered.current) panel.current?.focus();
  }, [step]);

  function finish(next: Step) {
    answered.current = true;
    setStep(next);
  }

  return (
    <div ref={panel} tabIndex={-1} className="surface rounded-2xl p-6 focus:outline-none sm:p-8">
      {step === 'choose' && token && <ChooseNewPassword token={token} onDone={finish} />}
      {step === 'done' && <ResetDone />}
      {step === 'invalid' && (
        <RequestLink
          title="Ask for a new link"
          lead={<FormAlert>{INVALID_RESET_LINK} Ask for a new one below: it replaces every earlier link.</FormAlert>}
          submitLabel="Send a new link"
        />
      )}
      {step === 'request' && (
        <RequestLink
          title="Ask for a reset link"
          lead={
            <p className="text-sm text-silver-300">
              Enter your account's email and we'll send you a link to choose a new password. If you already have one,
              open it from your email: it brings you back here.
            </p>
          }
          submitLabel="Send reset link"
        />
      )}
    </div>
  );
}

function ChooseNewPassword({ token, onDone }: { token: string; onDone: (step: Step) => void }) {
  const {
    register,
    handleSubmit,
    setError,
    setFocus,
    control,
    formState: { errors },
  } = useForm({
    mode: 'onSubmit',
    // The API's own rules: the checklist below and the check on submit read the same list as the server.
    resolver: zodResolver(newPasswordSchema),
    defaultValues: { new_password: '' },
  });
  const password = useWatch({ control, name: 'new_password' });

  useEffect(() => setFocus('new_password'), [setFocus]);

  const { alert, setAlert, busy, onSubmit } = useFormSubmit(
    handleSubmit,
    async ({ new_password }): Promise<SubmitOutcome> => {
      const response = await client.api.v1.auth['password-reset'].confirm.$post({ json: { token, new_password } });
      if (response.status === 204) {
        // Every session of the account ended, this browser's too if it was signed in: forget it here as well.
        if ($session.get().status === 'signed-in' || document.documentElement.dataset.session === 'signed-in') {
          void signOut().catch(() => {});
        }
        onDone('done');
        return;
      }
      if (response.status === 400) {
        onDone('invalid');
        return;
      }
      const problem = await readProblem(response);
      // A token the schema refuses (mangled by a mail client) is just an invalid link.
      if (response.status === 422 && problem.errors?.some((error) => error.field === 'token')) {
        onDone('invalid');
        return;
      }
      await showProblem(response, { fields: FIELDS, setError, setAlert, problem });
      return undefined;
    },
  );

  return (
    <form noValidate onSubmit={onSubmit} className="space-y-5" aria-labelledby="reset-choose-title">
      <h2 id="reset-choose-title" className="text-lg font-semibold text-silver-50">
        Choose a new password
      </h2>
      {alert && <FormAlert>{alert}</FormAlert>}
      <NewPasswordField
        id="reset-new-password"
        label="New password"
        registration={register('new_password')}
        error={errors.new_password}
        password={password}
      />
      <SubmitButton busy={busy} label="Set new password" busyLabel="Setting your password…" />
    </form>
  );
}

function ResetDone() {
  return (
    <div className="space-y-5">
      <div role="status" className="space-y-2">
        <h2 className="flex items-center gap-2.5 text-lg font-semibold text-success">
          <svg className="size-5 shrink-0" viewBox="0 0 20 20" fill="none" aria-hidden="true">
            <circle cx="10" cy="10" r="8.25" stroke="currentColor" strokeWidth="1.5" />
            <path d="m6.5 10.5 2.5 2.5 4.5-5.5" stroke="currentColor" strokeWidth="1.75" strokeLinecap="round" />
          </svg>
          {PASSWORD_RESET_DONE.title}
        </h2>
        <p className="text-silver-300">{PASSWORD_RESET_DONE.detail}</p>
      </div>
      <button
        type="button"
        className="btn btn-primary w-full py-2.5 text-base"
        onClick={(event) => openAuthModal({ name: 'signin' }, event.currentTarget)}
      >
        Sign in
      </button>
    </div>
  );
}

function RequestLink({ title, lead, submitLabel }: { title: string; lead: ReactNode; submitLabel: string }) {
  return (
    <div className="space-y-5">
      <h2 className="text-lg font-semibold text-silver-50">{title}</h2>
      {lead}
      <ForgotPasswordForm idPrefix="reset-request" submitLabel={submitLabel} />
    </div>
  );
}
