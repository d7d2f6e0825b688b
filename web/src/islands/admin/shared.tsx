import { describeAuditEvent } from '@aibc/api/shared/audit-events';
import type { InferResponseType } from 'hono/client';
import { type ReactNode, useState } from 'react';
import type { client } from '../../lib/api';

/* Types of the admin answers, derived from the API's routes, and small views the three panels share. */

export type AdminUserPage = InferResponseType<typeof client.api.v1.admin.users.$get, 200>;
export type AdminUser = AdminUserPage['items'][number];
export type AdminUserDetail = InferResponseType<(typeof client.api.v1.admin.users)[':id']['$get'], 200>;
export type AuditPage = InferResponseType<typeof client.api.v1.admin.audit.$get, 200>;
export type AuditEntry = AuditPage['items'][number];
export type LearnerPage = InferResponseType<(typeof client.api.v1.admin.courses)[':slug']['learners']['$get'], 200>;
export type Learner = LearnerPage['items'][number];

export const inputClass =
  'block w-full rounded-lg border border-ink-600 bg-ink-900 px-3 py-2 text-base text-silver-50 ' +
  'placeholder:text-silver-600 hover:border-silver-700 focus:border-silver-400 sm:text-sm';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function When({ iso }: { iso: string | null }) {
  if (!iso) return <span className="text-silver-500">never</span>;
  return <time dateTime={iso}>{dateTime.format(new Date(iso))}</time>;
}

export function StatusBadge({ user }: { user: Pick<AdminUser, 'is_active'> }) {
  return user.is_active ? (
    <span className="rounded-full border border-success/40 px-2 py-0.5 text-xs text-success">active</span>
  ) : (
    <span className="rounded-full border border-danger/50 px-2 py-0.5 text-xs text-danger">disabled</span>
  );
}

export function AuditList({ items }: { items: AuditEntry[] }) {
  if (items.length === 0) return <p className="text-sm text-silver-400">No events.</p>;
  return (
    <ul className="divide-y divide-ink-700">
      {items.map((entry) => (
        <li key={entry.id} className="py-2.5 text-sm" data-event={entry.event}>
          <p className="text-silver-100">{describeAuditEvent(entry.event)}</p>
          <p className="mt-0.5 text-xs text-silver-400">
            <When iso={entry.created_at} />
            {entry.email ? ` · ${entry.email}` : ''}
            {entry.actor_id ? ' · by an admin' : ''}
            {entry.ip_address ? ` · ${entry.ip_address}` : ''}
            <span className="sr-only"> ({entry.event})</span>
          </p>
        </li>
      ))}
    </ul>
  );
}

export function ErrorNote({ text }: { text: string }) {
  return (
    <p role="alert" className="rounded-lg border border-danger/40 bg-danger/10 px-3 py-2 text-sm text-silver-100">
      {text}
    </p>
  );
}

/** Keyset pages: the cursors followed so far (the API's `next_cursor`s); none is the first page. */
export function useCursorPages() {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    cursor: cursors.at(-1),
    isFirst: cursors.length === 0,
    restart: () => setCursors([]),
    back: () => setCursors((c) => c.slice(0, -1)),
    forward: (next: string) => setCursors((c) => [...c, next]),
  };
}

/** A list's search or filter form: submitting applies what it holds (`onFilter`) from the first page again. */
export function FilterForm({
  pages,
  onFilter,
  className,
  children,
}: {
  pages: ReturnType<typeof useCursorPages>;
  onFilter: () => void;
  className: string;
  children: ReactNode;
}) {
  return (
    <form
      className={className}
      onSubmit={(event) => {
        event.preventDefault();
        pages.restart();
        onFilter();
      }}
    >
      {children}
    </form>
  );
}

/** The paging buttons under a list: back to the first page, optionally one page back, and on to the next. */
export function Pager({
  pages,
  next,
  first = 'First page',
  previous,
  nextLabel = 'Next page',
}: {
  pages: ReturnType<typeof useCursorPages>;
  next: string | null | undefined;
  first?: string;
  previous?: string;
  nextLabel?: string;
}) {
  return (
    <div className="flex flex-wrap gap-2">
      <button type="button" className="btn btn-ghost" disabled={pages.isFirst} onClick={pages.restart}>
        {first}
      </button>
      {previous && (
        <button type="button" className="btn btn-ghost" disabled={pages.isFirst} onClick={pages.back}>
          {previous}
        </button>
      )}
      <button type="button" className="btn btn-ghost" disabled={!next} onClick={() => next && pages.forward(next)}>
        {nextLabel}
      </button>
    </div>
  );
}
