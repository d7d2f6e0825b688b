import { atom } from 'nanostores';

/** Which auth modal is open, shared by every island: the landing page's triggers, the dashboard, the modals. */
export type AuthModalName = 'signin' | 'signup' | 'forgot';

export type AuthModalState = {
  name: AuthModalName;
  /** Prefills the email field, e.g. after "That email already has an account — sign in?". */
  email?: string;
  /** A line shown above the form, e.g. why the visitor was asked to sign in. */
  notice?: string;
  /** A failure to show above the form, e.g. a provider sign-in that came back with `auth_error`. */
  error?: string;
  /**
   * Sign-in only: open at the second step (a code), for a provider sign-in that came back to `/?auth=mfa`. The
   * pending challenge is in the HttpOnly mfa cookie the API set, so there is no token to pass.
   */
  mfa?: boolean;
};

export const $authModal = atom<AuthModalState | null>(null);

/** The element that opened the modal gets focus back when it closes. Kept outside the store: it is not state. */
let opener: HTMLElement | null = null;

export function isAuthModalName(value: unknown): value is AuthModalName {
  return value === 'signin' || value === 'signup' || value === 'forgot';
}

export function openAuthModal(state: AuthModalState, from?: Element | null) {
  // Switching between sign-in and sign-up keeps the first opener, so focus returns where the visitor started.
  if (!$authModal.get()) {
    const active = from ?? document.activeElement;
    opener = active instanceof HTMLElement && active !== document.body ? active : null;
  }
  $authModal.set(state);
}

export function closeAuthModal() {
  $authModal.set(null);
}

/** The opener, taken once: the modal calls this as it closes. */
export function takeOpener(): HTMLElement | null {
  const element = opener;
  opener = null;
  return element;
}
