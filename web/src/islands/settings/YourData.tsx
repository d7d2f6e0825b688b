import { useEffect, useId, useRef, useState } from 'react';
import { client } from '../../lib/api';
import { NETWORK_ERROR, rateLimitedMessage, readProblem, UNEXPECTED_ERROR } from '../../lib/problems';
import { leaveFor, SessionError, signOut, type User } from '../../stores/session';
import { isStepUpCancelled, withStepUp } from '../../stores/step-up';
import { SettingsCard } from './SettingsCard';
import { useStatusMessage } from './status-message';

/** Read by the landing page (pages/index.astro) once, to say the account is gone. */
export const ACCOUNT_DELETED_NOTICE = 'aibc.notice.account-deleted';

/** "ai-bootcamp-data-2026-12-06.json" from `Content-Disposition: attachment; filename="..."`. */
function filenameOf(response: Response) {
  const match = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') ?? '');
  return match?.[1] ?? 'ai-bootcamp-data.json';
}

/** Hands the JSON to the browser as a file download: the route needs the Bearer token, so a plain link cannot. */
function saveFile(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later, not at once: the browser reads the blob after the click returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * "Your data" (API.md): download everything held about the account (GET /users/me/export), and delete the account
 * for good (DELETE /users/me). Both ask for the step-up first ("Confirm it's you"); deletion also shows what goes.
 */
export function YourData({ user }: { user: User }) {
  const [pending, setPending] = useState<'export' | 'delete'>();
  const [confirming, setConfirming] = useState(false);
  const { setMessage, statusLine } = useStatusMessage();
  const confirmHeading = useRef<HTMLHeadingElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const confirmId = useId();

  async function download() {
    if (pending) return;
    setPending('export');
    setMessage(undefined);
    try {
      const response = await withStepUp((options) => client.api.v1.users.me.export.$get({}, options));
      if (!response) return; // signed out meanwhile: the page is on its way to the sign-in modal
      if (response.status === 429) {
        setMessage({
          tone: 'danger',
          text: rateLimitedMessage(response, 'You can download your data three times an hour.'),
        });
        return;
      }
      if (!response.ok) throw new SessionError(response.status);
      saveFile(await response.blob(), filenameOf(response));
      setMessage({ tone: 'success', text: 'Your data is downloading as a JSON file.' });
    } catch (error) {
      if (isStepUpCancelled(error)) return;
      setMessage({ tone: 'danger', text: error instanceof SessionError ? UNEXPECTED_ERROR : NETWORK_ERROR });
    } finally {
      setPending(undefined);
    }
  }

  function openConfirmation() {
    setMessage(undefined);
    setConfirming(true);
  }

  useEffect(() => {
    if (confirming) confirmHeading.current?.focus();
  }, [confirming]);

  function keepAccount() {
    setConfirming(false);
    // Back to where the visitor was: the button the confirmation came from.
    requestAnimationFrame(() => deleteButton.current?.focus());
  }

  async function deleteAccount() {
    if (pending) return;
    setPending('delete');
    setMessage(undefined);
    try {
      const response = await withStepUp((options) => client.api.v1.users.me.$delete({}, options));
      if (!response) return;
      if (response.status === 409) {
        const problem = await readProblem(response);
        setMessage({ tone: 'danger', text: problem.detail ?? UNEXPECTED_ERROR });
        setConfirming(false);
        return;
      }
      if (response.status !== 204) throw new SessionError(response.status);
      try {
        sessionStorage.setItem(ACCOUNT_DELETED_NOTICE, '1');
      } catch {
        // Storage blocked: the landing page just shows no message.
      }
      // The account and its sessions are gone; this ends the session here too, and the page leaves for the
      // landing page like any sign-out on purpose.
      await signOut().catch(() => leaveFor('/'));
    } catch (error) {
      if (isStepUpCancelled(error)) return;
      setMessage({ tone: 'danger', text: error instanceof SessionError ? UNEXPECTED_ERROR : NETWORK_ERROR });
    } finally {
      setPending(undefined);
    }
  }

  return (
    <SettingsCard
      titleId="your-data-title"
      title="Your data"
      description="Take a copy of everything we hold about you, or delete your account for good."
    >
      {statusLine}

      <div className="mt-5 grid gap-4 md:grid-cols-2">
        <div className="flex flex-col gap-3 rounded-xl border border-ink-700 p-4">
          <h3 className="font-medium text-silver-100">Download my data</h3>
          <p className="text-sm text-silver-400">
            One JSON file with your profile, sessions, security log, course progress, connected accounts and sign-in
            methods. It never contains a password, key or token. Up to three times an hour.
          </p>
          <button
            type="button"
            className="btn btn-ghost mt-auto w-full sm:w-auto sm:self-start"
            onClick={download}
            aria-disabled={pending !== undefined || undefined}
          >
            {pending === 'export' ? 'Preparing your file…' : 'Download my data'}
          </button>
        </div>

        <div className="flex flex-col gap-3 rounded-xl border border-danger/30 p-4">
          <h3 className="font-medium text-silver-100">Delete my account</h3>
          <p className="text-sm text-silver-400">
            Removes your account and everything in it. This cannot be undone; download your data first if you want to
            keep it.
          </p>
          <button
            ref={deleteButton}
            type="button"
            className={`btn mt-auto w-full border border-danger/50 text-danger hover:bg-danger/10 sm:w-auto sm:self-start ${confirming ? 'bg-danger/10' : ''}`}
            onClick={() => (confirming ? keepAccount() : openConfirmation())}
            aria-expanded={confirming}
            aria-controls={confirming ? confirmId : undefined}
          >
            Delete my account…
          </button>
        </div>
      </div>

      {confirming && (
        <section
          id={confirmId}
          aria-labelledby={`${confirmId}-title`}
          className="mt-4 rounded-xl border border-danger/50 bg-danger/5 p-4 sm:p-5"
        >
          <h3
            id={`${confirmId}-title`}
            ref={confirmHeading}
            tabIndex={-1}
            className="font-semibold text-silver-50 focus:outline-none"
          >
            Delete your account for good?
          </h3>
          <p className="mt-2 text-sm text-silver-300">You will lose, at once and for good:</p>
          <ul className="mt-2 list-disc space-y-1 pl-5 text-sm text-silver-300">
            <li>
              your profile and the sign-in for <span className="break-all text-silver-100">{user.email}</span>
            </li>
            <li>your progress through every course</li>
            <li>every session: all your devices are signed out</li>
            <li>connected Google or GitHub accounts, authenticator app, recovery codes and passkeys</li>
          </ul>
          <p className="mt-3 text-sm text-silver-400">
            We'll ask you to confirm it's you, then send a confirmation to{' '}
            <span className="break-all">{user.email}</span>. The security log keeps its events without your name or
            address. You can sign up again later, starting afresh.
          </p>
          <div className="mt-4 flex flex-col gap-3 sm:flex-row">
            <button
              type="button"
              className="btn border border-danger bg-danger/15 text-silver-50 hover:bg-danger/25"
              onClick={deleteAccount}
              aria-disabled={pending !== undefined || undefined}
            >
              {pending === 'delete' ? 'Deleting your account…' : 'Delete my account for good'}
            </button>
            <button type="button" className="btn btn-ghost" onClick={keepAccount}>
              Keep my account
            </button>
          </div>
        </section>
      )}
    </SettingsCard>
  );
}
