/** A person and a key: the mark of every "use a passkey" button (sign-in, its second step, "Confirm it's you"). */
export function PasskeyIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" className="size-4" fill="none" stroke="currentColor" strokeWidth="2">
      <circle cx="9" cy="8" r="4" />
      <path d="M3 20c0-3.3 2.7-6 6-6 1.2 0 2.3.3 3.2.9" strokeLinecap="round" />
      <circle cx="17.5" cy="14.5" r="2.5" />
      <path d="M17.5 17v4m0-2h2" strokeLinecap="round" />
    </svg>
  );
}
