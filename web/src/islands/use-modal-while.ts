import { type RefObject, useLayoutEffect, useRef } from 'react';

/**
 * Shows `dialogRef`'s <dialog> modally while `open` is true, and closes it when `open` turns false. What had focus
 * when it opened (not <body>) gets it back once it closes, if it is still on the page. `onOpen` runs as it opens.
 * The step-up dialog and the admin area's confirmation behave alike this way.
 */
export function useModalWhile(dialogRef: RefObject<HTMLDialogElement | null>, open: boolean, onOpen?: () => void) {
  const opener = useRef<HTMLElement | null>(null);
  const latestOnOpen = useRef(onOpen);
  latestOnOpen.current = onOpen;

  useLayoutEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open) {
      if (!dialog.open) {
        const active = document.activeElement;
        opener.current = active instanceof HTMLElement && active !== document.body ? active : null;
        latestOnOpen.current?.();
        dialog.showModal();
      }
    } else if (dialog.open) {
      dialog.close();
      if (opener.current?.isConnected) opener.current.focus();
      opener.current = null;
    }
  }, [dialogRef, open]);
}
