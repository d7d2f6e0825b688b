import { can } from '@aibc/api/shared/permissions';
import { useEffect, useState } from 'react';
import { SignedInPage } from './account/SignedInPage';
import { AuditPanel } from './admin/AuditPanel';
import { LearnersPanel } from './admin/LearnersPanel';
import { UsersPanel } from './admin/UsersPanel';

/*
 * /admin: the users, the audit trail and a course's learners. Which tabs show is the API's own permission table
 * (shared/permissions.ts); the API checks the role again on every request, so this is a courtesy, not the lock.
 * Anyone else is sent home.
 */
type Tab = 'users' | 'audit' | 'learners';

export default function Admin() {
  return (
    <SignedInPage title="Administration" loading={<p className="text-silver-300">Loading…</p>}>
      {({ user }) => <AdminArea role={user.role} selfId={user.id} />}
    </SignedInPage>
  );
}

function AdminArea({ role, selfId }: { role: 'student' | 'instructor' | 'admin'; selfId: string }) {
  const allowed = can(role, 'admin:enter');
  const tabs: { id: Tab; label: string }[] = [
    ...(can(role, 'users:read') ? [{ id: 'users' as const, label: 'Users' }] : []),
    ...(can(role, 'audit:read') ? [{ id: 'audit' as const, label: 'Audit log' }] : []),
    ...(can(role, 'learners:read') ? [{ id: 'learners' as const, label: 'Learners' }] : []),
  ];
  const [tab, setTab] = useState<Tab>(() => {
    const wanted = new URLSearchParams(window.location.search).get('tab');
    return tabs.some((t) => t.id === wanted) ? (wanted as Tab) : 'users';
  });

  useEffect(() => {
    if (!allowed) window.location.replace('/dashboard/');
  }, [allowed]);
  if (!allowed) return <p className="text-silver-300">This area is for instructors and admins. Taking you home…</p>;

  function choose(next: Tab) {
    setTab(next);
    const url = new URL(window.location.href);
    url.searchParams.set('tab', next);
    window.history.replaceState(null, '', url);
  }

  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm font-medium tracking-wide text-silver-400 uppercase">
          {role === 'admin' ? 'Admin' : 'Instructor'}
        </p>
        <h1 className="text-silver-gradient mt-1 text-3xl font-semibold tracking-tight sm:text-4xl">Administration</h1>
      </div>
      <div role="tablist" aria-label="Administration" className="flex gap-1 overflow-x-auto border-b border-ink-700">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => choose(t.id)}
            onKeyDown={(event) => {
              const index = tabs.findIndex((x) => x.id === t.id);
              const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
              if (!step) return;
              const next = tabs[(index + step + tabs.length) % tabs.length];
              if (next) {
                choose(next.id);
                document.getElementById(`tab-${next.id}`)?.focus();
              }
            }}
            className={`-mb-px border-b-2 px-4 py-2.5 text-sm font-medium whitespace-nowrap ${
              tab === t.id
                ? 'border-silver-200 text-silver-50'
                : 'border-transparent text-silver-400 hover:text-silver-200'
            }`}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'users' && (
          <UsersPanel canManage={can(role, 'users:manage')} canAudit={can(role, 'audit:read')} selfId={selfId} />
        )}
        {tab === 'audit' && <AuditPanel />}
        {tab === 'learners' && <LearnersPanel />}
      </div>
    </div>
  );
}
