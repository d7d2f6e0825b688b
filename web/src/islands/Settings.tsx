import { PageLoading, SignedInPage } from './account/SignedInPage';
import { AccountVerifyBanner } from './dashboard/AccountVerifyBanner';
import { AccountProfile } from './settings/AccountProfile';
import { AccountSecurity } from './settings/AccountSecurity';
import { ConnectedAccounts } from './settings/ConnectedAccounts';
import { Passkeys } from './settings/Passkeys';
import { Security } from './settings/Security';
import { YourData } from './settings/YourData';

/*
 * /settings/: the account, away from the learning. Each section is its own component in ./settings/ and owns its
 * requests; a new section (connected accounts, two-factor, passkeys, your data) is one more file mounted below.
 */
export default function Settings() {
  return (
    <SignedInPage title="Your settings" loading={<SettingsLoading />}>
      {({ user, signOutHere }) => (
        <div className="space-y-8">
          <div>
            <p className="text-sm font-medium tracking-wide text-silver-400 uppercase">Settings</p>
            <h1 className="text-silver-gradient mt-2 text-3xl font-semibold tracking-tight text-balance sm:text-4xl">
              Your account
            </h1>
            <p className="mt-2 text-silver-300">Your profile, your password, where you are signed in, and your data.</p>
          </div>
          <AccountVerifyBanner user={user} />
          <AccountProfile user={user} />
          <AccountSecurity user={user} onSignOut={signOutHere} />
          <ConnectedAccounts />
          <Security />
          <Passkeys />
          <YourData user={user} />
        </div>
      )}
    </SignedInPage>
  );
}

function SettingsLoading() {
  return (
    <PageLoading label="Loading your settings…" kickerWidth="w-24" titleWidth="w-64">
      <div className="surface mt-10 h-56 animate-pulse rounded-2xl" />
      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        <div className="surface h-72 animate-pulse rounded-2xl" />
        <div className="surface h-72 animate-pulse rounded-2xl" />
      </div>
    </PageLoading>
  );
}
