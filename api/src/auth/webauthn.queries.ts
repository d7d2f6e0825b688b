import type { Sql } from '../db/sql';

export type ChallengePurpose = 'registration' | 'sign_in' | 'step_up' | 'second_factor';

export type ChallengeOwner = { userId: string | null; sessionId: string | null };

// Stores a challenge; expired ones are swept in the same statement, so the table holds only what is in flight.
export async function insertChallenge(
  sql: Sql,
  params: ChallengeOwner & { challenge: string; purpose: ChallengePurpose; now: Date; expiresAt: Date },
) {
  const [row]: [{ id: string }?] = await sql`
    with swept as (
      delete from webauthn_challenges
      where expires_at <= ${params.now}
    )
    insert into webauthn_challenges (challenge, purpose, user_id, session_id, created_at, expires_at)
    values (
      ${params.challenge}, ${params.purpose}, ${params.userId}, ${params.sessionId}, ${params.now}, ${params.expiresAt}
    )
    returning id
  `;
  if (!row) throw new Error('challenge insert returned no row');
  return row.id;
}

export type ChallengeClaim =
  | { purpose: 'sign_in'; challengeId: string }
  | { purpose: 'registration' | 'step_up'; userId: string; sessionId: string }
  | { purpose: 'second_factor'; userId: string };

// Spends a challenge: the row is deleted by the statement that reads it, so of two requests racing with one
// challenge exactly one gets it. Only a live one of the caller's own is answered (its session, its user, or the id
// a passwordless sign-in was handed); an expired one is spent all the same.
export async function consumeChallenge(sql: Sql, params: { challenge: string; now: Date; claim: ChallengeClaim }) {
  const { claim } = params;
  const owner =
    claim.purpose === 'sign_in'
      ? sql`id = ${claim.challengeId}`
      : claim.purpose === 'second_factor'
        ? sql`user_id = ${claim.userId} and session_id is null`
        : sql`user_id = ${claim.userId} and session_id = ${claim.sessionId}`;
  const [row]: [{ id: string; expires_at: Date }?] = await sql`
    delete from webauthn_challenges
    where challenge = ${params.challenge}
      and purpose = ${claim.purpose}
      and ${owner}
    returning id, expires_at
  `;
  return row !== undefined && row.expires_at > params.now;
}

export type StoredPasskey = {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: Uint8Array;
  counter: number;
  transports: string[];
  device_type: 'singleDevice' | 'multiDevice';
  backed_up: boolean;
  name: string;
  webauthn_user_handle: string | null;
};

// The passkey a response names, with its user's WebAuthn handle (a discoverable sign-in must hand back the same).
export async function findPasskeyByCredentialId(sql: Sql, credentialId: string) {
  const [row]: [StoredPasskey?] = await sql`
    select p.id, p.user_id, p.credential_id, p.public_key, p.counter::float8 as counter, p.transports,
      p.device_type, p.backed_up, p.name, u.webauthn_user_handle
    from passkeys p
    join users u on u.id = p.user_id
    where p.credential_id = ${credentialId}
  `;
  return row;
}

export async function listCredentialDescriptors(sql: Sql, userId: string) {
  return sql<{ credential_id: string; transports: string[] }[]>`
    select credential_id, transports
    from passkeys
    where user_id = ${userId}
    order by created_at
  `;
}

// Records a verified use. A device-bound passkey's counter must move forward, checked again here against the row
// as it is now: two assertions racing from a cloned authenticator cannot both pass on the same old value. A synced
// passkey keeps the highest counter seen (its copies count separately). Answers whether the use was recorded.
export async function recordPasskeyUse(
  sql: Sql,
  params: { passkeyId: string; newCounter: number; backedUp: boolean; now: Date },
) {
  const [row]: [{ id: string }?] = await sql`
    update passkeys
    set counter = greatest(counter, ${params.newCounter}),
      backed_up = ${params.backedUp},
      last_used_at = ${params.now}
    where id = ${params.passkeyId}
      and (
        device_type = 'multiDevice'
        or counter < ${params.newCounter}
        or (counter = 0 and ${params.newCounter}::bigint = 0)
      )
    returning id
  `;
  return row !== undefined;
}
