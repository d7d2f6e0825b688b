import type { User } from '../../stores/session';
import { AccountPassword } from './AccountPassword';
import { AccountSessions } from './AccountSessions';

/** The settings' security row: change the password, see and end sessions. */
export function AccountSecurity({ user, onSignOut }: { user: User; onSignOut: () => Promise<void> }) {
  return (
    <div className="grid gap-6 lg:grid-cols-2 lg:items-start">
      <AccountPassword user={user} />
      <AccountSessions onSignOut={onSignOut} />
    </div>
  );
}
