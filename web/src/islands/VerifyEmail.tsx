import { useStore } from '@nanostores/react';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { client } from '../lib/api';
import { NETWORK_ERROR, readProblem, UNEXPECTED_ERROR } from '../lib/problems';
import { takeTokenFromUrl } from '../lib/url-token';
import { openAuthModal } from '../stores/modal';
import { $session, startSession, type User } from '../stores/session';
import { SendVerificationButton } from './dashboard/AccountVerifyBanner';

/*
 * /verify-email, rendered in the browser only (`client:only="react"`). It posts the link's token on arrival; the
 * link needs no sign-in, so it works on another device than the one that asked for it. A failed link offers a new
 * one, which needs the account: signed in, it is sent from here; signed out, the sign-in modal opens first.
 */

type Outcome =
  | { status: 'verifying' }
  | { status: 'verified'; user: User }
  | { status: 'failed'; reason: 'invalid' | 'missing' | 'error'; message?: string };

export const EMAIL_VERIFIED = 'Your email is verified';
export const INVALID_VERIFY_LINK = 'This link is invalid, expired or already used.';

// One request per page load, whatever React does with effects: a second POST would find the token used.
let verification: Promise<Outcome> | undefined;

function verifyOnce(token: string): Promise<Outcome> {
  verification ??= (async (): Promise<Outcome> => {
    try {
      const response = await client.api.v1.auth['verify-email'].$post({ json: { token } });
      if (response.status === 200) return { status: 'verified', user: await response.json() };
      // 422: a token the schema refuses (cut by a mail client) is just an invalid link.
      if (response.status === 400 || response.status === 422) return { status: 'failed', reason: 'invalid' };
      const problem = await readProblem(response);
      return { status: 'failed', reason: 'error', message: problem.detail ?? UNEXPECTED_ERROR };
    } catch {
      return { status: 'failed', reason: 'error', message: NETWORK_ERROR };
    }
  })();
  return verification;
}

export default function VerifyEmail() {
  const session = useStore($session);
  const [outcome, setOutcome] = useState<Outcome>({ status: 'verifying' });
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    const token = takeTokenFromUrl();
    const settle = async (pending: Promise<Outcome> | Outcome) => {
      const result = await pending;
      // Whether a visitor is signed in decides what "send a new link" does and where "continue" goes.
      await startSession().catch(() => {});
      const current = $session.get();
      // The session may have loaded the user before the token was claimed: the answer is the fresher copy.
      if (result.status === 'verified' && current.status === 'signed-in' && current.user.id === result.user.id) {
        $session.set({ status: 'signed-in', user: result.user });
      }
      if (!live) return;
      setOutcome(result);
      panel.current?.focus();
    };
    void settle(token ? verifyOnce(token) : { status: 'failed', reason: 'missing' }).catch(() => {});
    return () => {
      live = false;
    };
  }, []);

  return (
    <div
      ref={panel}
      tabIndex={-1}
      aria-live="polite"
      aria-busy={outcome.status === 'verifying'}
      className="surface rounded-2xl p-6 focus:outline-none sm:p-8"
    >
      {outcome.status === 'verifying' && <p className="text-silver-300">Confirming your email…</p>}
      {outcome.status === 'verified' && (
        <Verified signedIn={session.status === 'signed-in'} email={outcome.user.email} />
      )}
      {outcome.status === 'failed' && <Failed outcome={outcome} session={session} />}
    </div>
  );
}

function Verified({ signedIn, email }: { signedIn: boolean; email: string }) {
  return (
    <div className="space-y-5">
      <h2 className="flex items-center gap-2.5 text-lg font-semibold text-success">
        <CheckIcon />
        {EMAIL_VERIFIED}
      </h2>
      <p className="text-silver-300">
        <span className="break-all text-silver-100">{email}</span> is confirmed. Thank you!
      </p>
      {signedIn ? (
        <a href="/dashboard" className="btn btn-primary w-full py-2.5 text-base sm:w-auto">
          Go to your dashboard
        </a>
      ) : (
        <button
          type="button"
          className="btn btn-primary w-full py-2.5 text-base sm:w-auto"
          onClick={(event) => openAuthModal({ name: 'signin', email }, event.currentTarget)}
        >
          Sign in
        </button>
      )}
    </div>
  );
}

function Failed({
  outcome,
  session,
}: {
  outcome: Extract<Outcome, { status: 'failed' }>;
  session: ReturnType<typeof $session.get>;
}) {
  // A link clicked twice: the second one fails, but the address is verified. Say that, not "invalid".
  if (outcome.reason === 'invalid' && session.status === 'signed-in' && session.user.is_verified) {
    return <Verified signedIn email={session.user.email} />;
  }

  const headline: Record<typeof outcome.reason, ReactNode> = {
    invalid: INVALID_VERIFY_LINK,
    missing:
      'This link is incomplete: its token is missing. Open the link from your email again, or ask for a new one.',
    error: outcome.message,
  };

  return (
    <div className="space-y-5">
      <h2 className="text-lg font-semibold text-silver-50">We couldn't confirm your email</h2>
      <p role="alert" className="rounded-lg border border-danger/40 bg-danger/10 px-3.5 py-2.5 text-sm text-silver-100">
        {headline[outcome.reason]}
      </p>
      {session.status === 'signed-in' ? (
        <SendVerificationButton label="Send a new link" />
      ) : (
        <>
          <p className="text-sm text-silver-300">
            A new link goes to the address of your account, so sign in first; your dashboard then offers to send it.
          </p>
          <button
            type="button"
            className="btn btn-primary w-full py-2.5 text-base sm:w-auto"
            onClick={(event) =>
              openAuthModal(
                { name: 'signin', notice: 'Sign in, then choose “Resend verification email” on your dashboard.' },
                event.currentTarget,
              )
            }
          >
            Sign in to send a new link
          </button>
        </>
      )}
    </div>
  );
}

function CheckIcon() {
  return (
    <svg className="size-5 shrink-0" viewBox="0 0 20 20" fill="none" aria-hidden="true">
      <circle cx="10" cy="10" r="8.25" stroke="currentColor" strokeWidth="1.5" />
      <path d="m6.5 10.5 2.5 2.5 4.5-5.5" stroke="currentColor" strokeWidth="1.75" strokeLinecap="round" />
    </svg>
  );
}
