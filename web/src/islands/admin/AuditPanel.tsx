import { auditEventNames, describeAuditEvent } from '@aibc/api/shared/audit-events';
import { useCallback, useEffect, useState } from 'react';
import { client } from '../../lib/api';
import { NETWORK_ERROR } from '../../lib/problems';
import { withAccessToken } from '../../stores/session';
import { AuditList, type AuditPage, ErrorNote, FilterForm, inputClass, Pager, useCursorPages } from './shared';

type Filters = { event: string; user_id: string; actor_id: string; from: string; to: string };
const empty: Filters = { event: '', user_id: '', actor_id: '', from: '', to: '' };

/* The audit log (admins): newest first, filtered by event, user, actor and dates; events in words. */
export function AuditPanel() {
  const [draft, setDraft] = useState<Filters>(empty);
  const [filters, setFilters] = useState<Filters>(empty);
  const pages = useCursorPages();
  const [page, setPage] = useState<AuditPage>();
  const [error, setError] = useState<string>();
  const { cursor } = pages;

  const load = useCallback(async () => {
    setError(undefined);
    const query: Record<string, string> = { limit: '50' };
    if (filters.event) query.event = filters.event;
    if (filters.user_id) query.user_id = filters.user_id;
    if (filters.actor_id) query.actor_id = filters.actor_id;
    // Dates are whole days in the admin's time zone: from its start, to the start of the day after.
    if (filters.from) query.from = new Date(`${filters.from}T00:00`).toISOString();
    if (filters.to) query.to = new Date(new Date(`${filters.to}T00:00`).getTime() + 86_400_000).toISOString();
    if (cursor) query.cursor = cursor;
    const response = await withAccessToken((options) => client.api.v1.admin.audit.$get({ query }, options));
    if (!response) return;
    if (!response.ok) {
      setError(response.status === 422 ? 'Check the filters: ids are UUIDs.' : NETWORK_ERROR);
      return;
    }
    setPage(await response.json());
  }, [filters, cursor]);

  useEffect(() => {
    load().catch(() => setError(NETWORK_ERROR));
  }, [load]);

  const field = (key: keyof Filters) => ({
    value: draft[key],
    onChange: (event: { target: { value: string } }) => setDraft((d) => ({ ...d, [key]: event.target.value })),
  });

  return (
    <section aria-label="Audit log" className="space-y-4">
      <FilterForm
        className="grid gap-3 sm:grid-cols-2 lg:grid-cols-6"
        pages={pages}
        onFilter={() => setFilters({ ...draft, user_id: draft.user_id.trim(), actor_id: draft.actor_id.trim() })}
      >
        <select aria-label="Event" className={`${inputClass} lg:col-span-2`} {...field('event')}>
          <option value="">Every event</option>
          {auditEventNames.map((name) => (
            <option key={name} value={name}>
              {describeAuditEvent(name)}
            </option>
          ))}
        </select>
        <input aria-label="User id" placeholder="User id" className={inputClass} {...field('user_id')} />
        <input aria-label="Actor id (admin)" placeholder="Actor id" className={inputClass} {...field('actor_id')} />
        <label className="text-xs text-silver-400">
          From
          <input type="date" className={inputClass} {...field('from')} />
        </label>
        <label className="text-xs text-silver-400">
          To
          <input type="date" className={inputClass} {...field('to')} />
        </label>
        <div className="flex gap-2 sm:col-span-2 lg:col-span-6">
          <button type="submit" className="btn btn-primary">
            Filter
          </button>
          <button
            type="button"
            className="btn btn-ghost"
            onClick={() => {
              setDraft(empty);
              setFilters(empty);
              pages.restart();
            }}
          >
            Clear
          </button>
        </div>
      </FilterForm>
      {error && <ErrorNote text={error} />}
      <div className="surface rounded-2xl px-4 py-2">
        {page ? <AuditList items={page.items} /> : <p className="py-3 text-sm">Loading…</p>}
      </div>
      <Pager pages={pages} next={page?.next_cursor} first="Newest" nextLabel="Older" />
    </section>
  );
}
