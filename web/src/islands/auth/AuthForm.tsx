import type { AuthModalState } from '../../stores/modal';
import { ForgotPasswordForm } from './ForgotPasswordForm';
import { SignInForm } from './SignInForm';
import { SignUpForm } from './SignUpForm';

/**
 * The modal's form, in its own chunk: react-hook-form, zod and the API's schemas load when a modal is about to
 * open (a trigger hovered, focused or touched; `?auth=` in the address), not with the landing page.
 */
export default function AuthForm({ modal }: { modal: AuthModalState }) {
  // Keyed by name and prefill: switching modals starts a fresh form, which focuses its first field.
  const key = `${modal.name}:${modal.email ?? ''}`;
  switch (modal.name) {
    case 'signin':
      return <SignInForm key={key} email={modal.email} notice={modal.notice} error={modal.error} mfa={modal.mfa} />;
    case 'signup':
      return <SignUpForm key={key} email={modal.email} />;
    case 'forgot':
      return <ForgotPasswordForm key={key} idPrefix="forgot" email={modal.email} autoFocus inModal />;
  }
}
