import { type SubmitEvent, useRef, useState } from 'react';

/**
 * One submit at a time. A ref flips synchronously, so a double click or Enter pressed twice cannot start a second
 * request before React re-renders; `busy` drives the button. A handler that returns 'leaving' (it started a page
 * navigation) keeps the form busy until the page goes.
 */
export function useGuardedSubmit(handler: (event: SubmitEvent<HTMLFormElement>) => Promise<'leaving' | undefined>) {
  const running = useRef(false);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (running.current) return;
    running.current = true;
    setBusy(true);
    let outcome: 'leaving' | undefined;
    try {
      outcome = await handler(event);
    } finally {
      if (outcome !== 'leaving') {
        running.current = false;
        setBusy(false);
      }
    }
  }

  return { busy, onSubmit };
}
