import { useEffect, useRef, useState } from 'react';

export type StatusMessage = { tone: 'success' | 'danger'; text: string };

/**
 * A settings card's outcome line: a live region that takes focus when a message arrives (the button that had focus
 * may be gone with its row). Render `statusLine` where the words belong; `setMessage` says them.
 */
export function useStatusMessage() {
  const [message, setMessage] = useState<StatusMessage>();
  const status = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    if (message) status.current?.focus();
  }, [message]);

  const statusLine = (
    <p
      ref={status}
      tabIndex={-1}
      role="status"
      // Always in the tree (a live region must exist before its words arrive); out of sight while empty.
      className={
        message
          ? `mt-4 text-sm focus:outline-none ${message.tone === 'danger' ? 'text-danger' : 'text-success'}`
          : 'sr-only'
      }
    >
      {message?.text}
    </p>
  );

  return { message, setMessage, statusLine };
}
