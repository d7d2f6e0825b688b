import type { AuthModalState } from '../../stores/modal';
import { SignInForm } from './SignInForm';
import { SignUpForm } from './SignUpForm';

/**
 * The modal's form, in its own chunk: react-hook-form, zod and the API's schemas load when a modal is about to
 * open (a trigger hovered, focused or touched; `?auth=` in the address), not with the landing page.
 */
export default function AuthForm({ modal }: { modal: AuthModalState }) {
  // Keyed by name and prefill: switching modals starts a fresh form, which focuses its first field.
  return modal.name === 'signin' ? (
    <SignInForm key={`signin:${modal.email ?? ''}`} email={modal.email} notice={modal.notice} />
  ) : (
    <SignUpForm key={`signup:${modal.email ?? ''}`} email={modal.email} />
  );
}
