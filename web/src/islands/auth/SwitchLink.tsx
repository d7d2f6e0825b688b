import type { MouseEvent, ReactNode } from 'react';
import { type AuthModalName, openAuthModal } from '../../stores/modal';

const LINK_CLASS =
  'font-semibold text-silver-100 underline decoration-silver-600 underline-offset-4 hover:text-silver-50 hover:decoration-silver-300';

/**
 * A real link (it works in a new tab too) that swaps the open modal, carrying over the email typed so far. `href` is
 * where a new tab goes: the page of that modal (`/signin/`, `/signup/`, `/reset-password` for "Forgot password?").
 */
export function SwitchLink({
  to,
  email,
  href = to === 'forgot' ? '/reset-password' : `/${to}/`,
  className = LINK_CLASS,
  children,
}: {
  to: AuthModalName;
  email?: () => string;
  href?: string;
  className?: string;
  children: ReactNode;
}) {
  function onClick(event: MouseEvent<HTMLAnchorElement>) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    openAuthModal({ name: to, email: email?.().trim() || undefined });
  }
  return (
    <a href={href} onClick={onClick} className={className}>
      {children}
    </a>
  );
}
