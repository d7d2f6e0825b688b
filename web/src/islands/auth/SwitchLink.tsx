import type { MouseEvent, ReactNode } from 'react';
import { type AuthModalName, openAuthModal } from '../../stores/modal';

/** A real link (it works in a new tab too) that swaps the open modal, carrying over the email typed so far. */
export function SwitchLink({ to, email, children }: { to: AuthModalName; email?: () => string; children: ReactNode }) {
  function onClick(event: MouseEvent<HTMLAnchorElement>) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    openAuthModal({ name: to, email: email?.().trim() || undefined });
  }
  return (
    <a
      href={`/?auth=${to}`}
      onClick={onClick}
      className="font-semibold text-silver-100 underline decoration-silver-600 underline-offset-4 hover:text-silver-50 hover:decoration-silver-300"
    >
      {children}
    </a>
  );
}
