// Every audit event the API writes, with the words the admin page shows for it. The one list: code that writes a
// new event adds it here (the admin tests fail on an event written that is missing from it). `actor_id` on a row
// names who acted when that is not the subject user (an admin); null means the user themselves, or nobody signed in.
export const auditEvents = {
  signup: 'Signed up',
  login_success: 'Signed in with a password',
  login_failed: 'Sign-in failed: wrong email or password',
  login_locked: 'Sign-in refused: too many wrong passwords',
  login_disabled: 'Sign-in refused: account disabled',
  oauth_login: 'Signed in with a provider',
  oauth_linked: 'Connected a sign-in provider',
  oauth_unlinked: 'Disconnected a sign-in provider',
  oauth_failed: 'Provider sign-in failed',
  refresh: 'Session refreshed',
  refresh_grace: 'Session refreshed again within the grace window',
  refresh_reuse: 'Used refresh token presented again: session ended',
  logout: 'Signed out',
  session_revoked: 'Session ended',
  profile_updated: 'Profile updated',
  password_changed: 'Password changed',
  password_change_failed: 'Password change: wrong current password',
  password_change_locked: 'Password change refused: account locked',
  password_reset_requested: 'Password reset requested',
  password_reset: 'Password reset',
  verify_email_requested: 'Verification email requested',
  email_verified: 'Email verified',
  reauthenticated: 'Confirmed it is them (step-up)',
  reauth_failed: 'Step-up failed: wrong password',
  reauth_locked: 'Step-up refused: account locked',
  data_exported: 'Downloaded their data',
  account_deleted: 'Account deleted by its owner (the trail keeps no name or address)',
  passkey_login: 'Signed in with a passkey',
  passkey_added: 'Added a passkey',
  passkey_renamed: 'Renamed a passkey',
  passkey_removed: 'Removed a passkey',
  passkey_failed: 'Passkey refused: it did not verify',
  passkey_clone_suspected: 'Passkey refused: its counter went back (a copied device-bound passkey?)',
  passkey_counter_regressed: 'Synced passkey used with a lower counter (allowed)',
  mfa_totp_enrollment_started: 'Started setting up an authenticator app',
  mfa_totp_enrollment_cancelled: 'Cancelled setting up an authenticator app',
  mfa_totp_enabled: 'Turned on two-factor authentication (authenticator app)',
  mfa_totp_disabled: 'Turned off two-factor authentication (authenticator app)',
  mfa_recovery_codes_regenerated: 'Made new recovery codes',
  mfa_failed: 'Second step failed: wrong code',
  mfa_locked: 'Second step locked: too many wrong codes',
  mfa_refused_locked: 'Second step refused: locked',
  admin_granted: 'Made an admin (command line or ADMIN_EMAILS)',
  admin_viewed_user: 'An admin viewed this account',
  admin_role_changed: 'Role changed by an admin',
  admin_user_disabled: 'Account disabled by an admin',
  admin_user_enabled: 'Account enabled by an admin',
  admin_sessions_ended: 'All sessions ended by an admin',
  admin_mfa_reset: 'Two-factor authentication reset by an admin',
} as const;

export type AuditEventName = keyof typeof auditEvents;
export const auditEventNames = Object.keys(auditEvents) as [AuditEventName, ...AuditEventName[]];

// Words for an event, also for one this list does not know (a row written by an older or newer version).
export function describeAuditEvent(event: string): string {
  return (auditEvents as Record<string, string>)[event] ?? event.replaceAll('_', ' ');
}
