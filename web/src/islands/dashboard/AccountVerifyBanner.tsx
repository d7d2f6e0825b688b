import { VERIFY_EMAIL_TTL_HOURS } from '@aibc/api/shared/fields';
import { useId, useState } from 'react';
import { client } from '../../lib/api';
import { NETWORK_ERROR, rateLimitedMessage, UNEXPECTED_ERROR } from '../../lib/problems';
import { type User, withAccessToken } from '../../stores/session';

export const VERIFICATION_SENT = 'Sent — check your inbox.';

type SendState = { status: 'idle' | 'sending' | 'sent' } | { status: 'failed'; message: string };

/**
 * Mails a new verification link to the signed-in user (POST /auth/verify-email/request, 202). Each new link
 * replaces the earlier ones. Used by the dashboard's banner and by /verify-email after a failed link.
 */
export function SendVerificationButton({ label }: { label: string }) {
  const [state, setState] = useState<SendState>({ status: 'idle' });
  const statusId = useId();

  async function send() {
    if (state.status === 'sending') return;
    setState({ status: 'sending' });
    try {
      const response = await withAccessToken((options) =>
        client.api.v1.auth['verify-email'].request.$post({}, options),
      );
      if (!response) return; // signed out meanwhile: the page is on its way to the sign-in modal
      if (response.status === 202) {
        setState({ status: 'sent' });
      } else if (response.status === 429) {
        setState({ status: 'failed', message: rateLimitedMessage(response, 'Too many links asked for.') });
      } else {
        setState({ status: 'failed', message: UNEXPECTED_ERROR });
      }
    } catch {
      setState({ status: 'failed', message: NETWORK_ERROR });
    }
  }

  const sending = state.status === 'sending';
  return (
    <div className="flex flex-col gap-3 sm:flex-row sm:items-center">
      <button
        type="button"
        className="btn btn-primary shrink-0"
        onClick={send}
        aria-disabled={sending || undefined}
        aria-describedby={statusId}
      >
        {sending ? 'Sending…' : state.status === 'sent' ? 'Send another link' : label}
      </button>
      {/* Always in the tree, so screen readers announce what appears in it. */}
      <p id={statusId} role="status" className="text-sm">
        {state.status === 'sent' && <span className="text-success">{VERIFICATION_SENT}</span>}
        {state.status === 'failed' && <span className="text-danger">{state.message}</span>}
      </p>
    </div>
  );
}

const LIFETIME = VERIFY_EMAIL_TTL_HOURS === 24 ? '24 hours' : `${VERIFY_EMAIL_TTL_HOURS} hours`;

/** Shown on the dashboard until the email is verified; the session store's user decides. */
export function AccountVerifyBanner({ user }: { user: User }) {
  if (user.is_verified) return null;
  return (
    <section
      aria-labelledby="verify-banner-title"
      className="flex flex-col gap-4 rounded-2xl border border-silver-700 bg-ink-800 p-5 sm:p-6"
    >
      <div className="flex items-start gap-3">
        <svg className="mt-0.5 size-5 shrink-0 text-silver-200" viewBox="0 0 20 20" fill="none" aria-hidden="true">
          <rect x="2.75" y="4.25" width="14.5" height="11.5" rx="2" stroke="currentColor" strokeWidth="1.5" />
          <path d="m3.5 5.5 6.5 5 6.5-5" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" />
        </svg>
        <div>
          <h2 id="verify-banner-title" className="font-semibold text-silver-50">
            Verify your email address
          </h2>
          <p className="mt-1 text-sm text-silver-300">
            We sent a link to <span className="break-all text-silver-100">{user.email}</span> when you signed up. Open
            it within {LIFETIME} to confirm the address is yours, so password reset mail always reaches you. No mail, or
            the link expired? Ask for a new one.
          </p>
        </div>
      </div>
      <div className="sm:pl-8">
        <SendVerificationButton label="Resend verification email" />
      </div>
    </section>
  );
}
