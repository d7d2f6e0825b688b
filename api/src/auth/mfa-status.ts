import type { Deps } from '../deps';
import type { MfaStatus } from '../shared/mfa';
import { findMfaState } from './mfa.queries';

// The account's MFA state as its owner and the admins see it.
export async function mfaStatus(deps: Pick<Deps, 'sql'>, userId: string): Promise<MfaStatus> {
  const state = await findMfaState(deps.sql, userId);
  return {
    totp: {
      enabled: state.totp_confirmed_at !== null,
      confirmed_at: state.totp_confirmed_at?.toISOString() ?? null,
      pending: state.totp_pending,
    },
    passkeys: state.passkeys,
    recovery_codes_remaining: state.recovery_codes_remaining,
  };
}
