import { useCallback, useEffect, useState } from 'react';
import { client } from '../../lib/api';
import { NETWORK_ERROR } from '../../lib/problems';
import { withAccessToken } from '../../stores/session';
import { ProgressBar } from '../ProgressBar';
import { ErrorNote, FilterForm, inputClass, type LearnerPage, Pager, useCursorPages, When } from './shared';

type Sort = 'last_activity' | 'progress';

/*
 * A course's learners (instructors and admins): progress bars, sorted by last activity or by progress on the
 * server (a course may have a million learners, so sorting a page in the browser would mislead), keyset pages, and a
 * CSV of what is on screen.
 */
export function LearnersPanel() {
  const [courses, setCourses] = useState<{ slug: string; title: string }[]>([]);
  const [slug, setSlug] = useState<string>();
  const [sort, setSort] = useState<Sort>('last_activity');
  const [q, setQ] = useState('');
  const [draft, setDraft] = useState('');
  const pages = useCursorPages();
  const [page, setPage] = useState<LearnerPage>();
  const [error, setError] = useState<string>();
  const { cursor } = pages;

  useEffect(() => {
    client.api.v1.courses
      .$get({})
      .then(async (response) => {
        if (!response.ok) throw new Error(String(response.status));
        const list = await response.json();
        setCourses(list.map((c) => ({ slug: c.slug, title: c.title })));
        setSlug((current) => current ?? list[0]?.slug);
      })
      .catch(() => setError(NETWORK_ERROR));
  }, []);

  const load = useCallback(async () => {
    if (!slug) return;
    setError(undefined);
    const query = { sort, limit: '50', ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) };
    const response = await withAccessToken((options) =>
      client.api.v1.admin.courses[':slug'].learners.$get({ param: { slug }, query }, options),
    );
    if (!response) return;
    if (!response.ok) {
      setError(NETWORK_ERROR);
      return;
    }
    setPage(await response.json());
  }, [slug, sort, q, cursor]);

  useEffect(() => {
    load().catch(() => setError(NETWORK_ERROR));
  }, [load]);

  function downloadCsv() {
    if (!page) return;
    const cell = (value: string | number) => `"${String(value).replaceAll('"', '""')}"`;
    const lines = [
      ['email', 'name', 'completed', 'total', 'percent', 'last_activity_at'].join(','),
      ...page.items.map((l) =>
        [l.email, l.full_name, l.completed, l.total, l.percent, l.last_activity_at].map(cell).join(','),
      ),
    ];
    const url = URL.createObjectURL(new Blob([`${lines.join('\r\n')}\r\n`], { type: 'text/csv' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${slug}-learners.csv`;
    link.click();
    URL.revokeObjectURL(url);
  }

  const sortButton = (value: Sort, label: string) => (
    <button
      type="button"
      aria-pressed={sort === value}
      className={`btn ${sort === value ? 'btn-primary' : 'btn-ghost'}`}
      onClick={() => {
        setSort(value);
        pages.restart();
      }}
    >
      {label}
    </button>
  );

  return (
    <section aria-label="Learners" className="space-y-4">
      <div className="grid gap-3 sm:grid-cols-[auto_1fr] sm:items-end">
        <select
          aria-label="Course"
          className={inputClass}
          value={slug ?? ''}
          onChange={(event) => {
            setSlug(event.target.value);
            pages.restart();
          }}
        >
          {courses.map((c) => (
            <option key={c.slug} value={c.slug}>
              {c.title}
            </option>
          ))}
        </select>
        <FilterForm className="flex gap-2" pages={pages} onFilter={() => setQ(draft.trim())}>
          <input
            type="search"
            aria-label="Search learners"
            placeholder="Search learners"
            maxLength={200}
            className={inputClass}
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
          />
          <button type="submit" className="btn btn-primary">
            Search
          </button>
        </FilterForm>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <span className="text-sm text-silver-400">Sort by</span>
        {sortButton('last_activity', 'Last activity')}
        {sortButton('progress', 'Progress')}
        <button type="button" className="btn btn-ghost sm:ml-auto" disabled={!page?.items.length} onClick={downloadCsv}>
          Download CSV
        </button>
      </div>
      {error && <ErrorNote text={error} />}
      <ul className="surface divide-y divide-ink-700 rounded-2xl">
        {page?.items.map((learner) => (
          <li key={learner.user_id} className="grid gap-2 px-4 py-3 sm:grid-cols-[1fr_14rem_10rem] sm:items-center">
            <div className="min-w-0">
              <p className="truncate font-medium text-silver-50">{learner.full_name}</p>
              <p className="truncate text-sm text-silver-400">{learner.email}</p>
            </div>
            <div className="text-sm text-silver-300">
              {learner.completed} / {learner.total} · {learner.percent} %
              <ProgressBar
                className="mt-1"
                label={`${learner.full_name}: ${learner.percent} % complete`}
                tally={learner}
              />
            </div>
            <p className="text-sm text-silver-400">
              <When iso={learner.last_activity_at} />
            </p>
          </li>
        ))}
        {page && page.items.length === 0 && <li className="px-4 py-6 text-center text-silver-400">No learners yet.</li>}
      </ul>
      <Pager pages={pages} next={page?.next_cursor} />
    </section>
  );
}
