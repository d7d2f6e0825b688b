import { type ReactNode, type SubmitEvent, useRef, useState } from 'react';
import type { FieldValues, UseFormHandleSubmit } from 'react-hook-form';
import { NETWORK_ERROR } from '../../lib/problems';

/** 'leaving' when the submit started a page navigation (or closes what holds the form): the form stays busy. */
export type SubmitOutcome = 'leaving' | undefined;

/**
 * One submit at a time. A ref flips synchronously, so a double click or Enter pressed twice cannot start a second
 * request before React re-renders; `busy` drives the button. A handler that returns 'leaving' (it started a page
 * navigation) keeps the form busy until the page goes.
 */
export function useGuardedSubmit(handler: (event: SubmitEvent<HTMLFormElement>) => Promise<SubmitOutcome>) {
  const running = useRef(false);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (running.current) return;
    running.current = true;
    setBusy(true);
    let outcome: SubmitOutcome;
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

/**
 * A form's submit with react-hook-form: the guard above, the form's alert cleared at each try, `submit` run with the
 * valid values, and a failed request (no answer at all) shown as the network alert. `submit` returns 'leaving' when
 * it started a page navigation or closes what holds the form. `onStart` runs at each try, valid or not.
 */
export function useFormSubmit<T extends FieldValues>(
  handleSubmit: UseFormHandleSubmit<T>,
  submit: (values: T) => Promise<SubmitOutcome>,
  options: { initialAlert?: ReactNode; onStart?: () => void } = {},
) {
  const [alert, setAlert] = useState<ReactNode>(options.initialAlert ?? null);
  const { busy, onSubmit } = useGuardedSubmit(async (event) => {
    setAlert(null);
    options.onStart?.();
    let outcome: SubmitOutcome;
    await handleSubmit(async (values) => {
      try {
        outcome = await submit(values);
      } catch {
        setAlert(NETWORK_ERROR);
      }
    })(event);
    return outcome;
  });
  return { alert, setAlert, busy, onSubmit };
}
