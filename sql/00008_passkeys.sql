-- 00008: passkeys (WebAuthn), API.md "Multi-factor authentication".
-- Forward-only: never edit once landed.

-- The WebAuthn user handle (`user.id` of the creation options): 32 random bytes, base64url, made once per user at
-- the first passkey registration. Never the email or the user id: an authenticator may show or sync it, and a
-- discoverable sign-in hands it back before anyone is signed in, so it must say nothing about the person.
alter table users
  add column webauthn_user_handle text unique check (char_length(webauthn_user_handle) = 43);

-- One row per registered passkey. What the signature check needs (credential id, COSE public key), what the counter
-- rule needs (counter, device type = backup eligibility), what lets the browser reach the authenticator (transports),
-- and what the owner sees (name, backed_up, created_at, last_used_at). No attestation is kept (we ask for none).
create table passkeys (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  -- base64url of the authenticator's credential id (at most 1023 bytes by the spec)
  credential_id text not null unique check (char_length(credential_id) between 1 and 1366),
  public_key bytea not null check (octet_length(public_key) between 1 and 2048),
  counter bigint not null check (counter >= 0),
  transports text[] not null default '{}' check (cardinality(transports) <= 8),
  -- singleDevice: device-bound (a counter regression means a clone); multiDevice: synced, backup eligible
  device_type text not null check (device_type in ('singleDevice', 'multiDevice')),
  backed_up boolean not null,
  name text not null check (char_length(name) between 1 and 64),
  created_at timestamptz not null,
  last_used_at timestamptz
);
create index passkeys_user_idx on passkeys (user_id);

-- WebAuthn challenges in flight, server-side: random, single use (deleted by the statement that reads them), five
-- minutes. A registration or step-up challenge belongs to the session that asked for it; a second-factor challenge
-- to the user of an MFA step; a passwordless sign-in challenge to nobody until a passkey answers it.
create table webauthn_challenges (
  id uuid primary key default gen_random_uuid(),
  challenge text not null unique check (char_length(challenge) = 43),
  purpose text not null check (purpose in ('registration', 'sign_in', 'step_up', 'second_factor')),
  user_id uuid references users (id) on delete cascade,
  session_id uuid references sessions (id) on delete cascade,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  constraint webauthn_challenges_owner check (
    (purpose = 'sign_in' and user_id is null and session_id is null)
    or (purpose in ('registration', 'step_up') and user_id is not null and session_id is not null)
    or (purpose = 'second_factor' and user_id is not null and session_id is null)
  )
);
create index webauthn_challenges_expires_idx on webauthn_challenges (expires_at);
