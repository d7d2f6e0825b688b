import { useStore } from '@nanostores/react';
import { $courseViews, $progressLoad } from '../stores/progress';
import { PageLoading, SignedInPage } from './account/SignedInPage';
import { AccountVerifyBanner } from './dashboard/AccountVerifyBanner';
import { Progress } from './dashboard/Progress';

/*
 * The dashboard, learner first: where you are in the course and the lesson to open next. The account (profile,
 * password, sessions) lives on /settings. Rendered only in the browser (`client:only="react"`): everything on it
 * depends on the session.
 */
export default function Dashboard() {
  return (
    <SignedInPage title="Your dashboard" loading={<DashboardLoading />}>
      {({ user }) => (
        <div className="space-y-8">
          <div>
            <p className="text-sm font-medium tracking-wide text-silver-400 uppercase">Your dashboard</p>
            <Greeting name={user.full_name} />
          </div>
          <AccountVerifyBanner user={user} />
          <Progress />
          <p className="text-sm text-silver-400">
            Your profile, password and signed-in devices are in{' '}
            <a href="/settings" className="text-silver-200 underline underline-offset-4 hover:text-silver-50">
              Settings
            </a>
            .
          </p>
        </div>
      )}
    </SignedInPage>
  );
}

/*
 * "Welcome" until the learner has opened a lesson, "Welcome back" after: a first visit is one with nothing started
 * yet, wherever it happens (any device, any session), because the API's progress is the one record of it.
 */
function Greeting({ name }: { name: string }) {
  const load = useStore($progressLoad);
  const courses = useStore($courseViews);
  const started = courses.some((course) => course.started);
  const words = load.status === 'loading' ? undefined : started ? 'Welcome back' : 'Welcome';
  return (
    <h1 className="text-silver-gradient mt-2 min-h-[1.25em] text-3xl font-semibold tracking-tight text-balance sm:text-4xl">
      {words ? `${words}, ${name}` : <span className="sr-only">Loading your dashboard…</span>}
    </h1>
  );
}

function DashboardLoading() {
  return (
    <PageLoading label="Loading your dashboard…" kickerWidth="w-32" titleWidth="w-72">
      <div className="surface mt-10 h-80 animate-pulse rounded-2xl" />
    </PageLoading>
  );
}
