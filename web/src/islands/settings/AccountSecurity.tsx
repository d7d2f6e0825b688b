import { useState } from 'react';
import type { User } from '../../stores/session';
import { AccountPassword } from './AccountPassword';
import { AccountSessions } from './AccountSessions';

/** The settings' security row: change the password, see and end sessions. A password change reloads the list. */
export function AccountSecurity({ user, onSignOut }: { user: User; onSignOut: () => Promise<void> }) {
  const [sessionsVersion, setSessionsVersion] = useState(0);
  return (
    <div className="grid gap-6 lg:grid-cols-2 lg:items-start">
      <AccountPassword user={user} onChanged={() => setSessionsVersion((version) => version + 1)} />
      <AccountSessions version={sessionsVersion} onSignOut={onSignOut} />
    </div>
  );
}
