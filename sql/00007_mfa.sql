-- 00007: multi-factor authentication — TOTP, recovery codes, the MFA step of sign-in (API.md "Multi-factor
-- authentication"). Forward-only: never edit once landed.

-- One authenticator app per user. The row exists from enrollment on; it gates nothing until `confirmed_at` is set
-- by a correct code (a pending enrollment that is never confirmed changes nothing about sign-in).
create table totp_factors (
  user_id uuid primary key references users (id) on delete cascade,
  -- The 160-bit secret, AES-256-GCM under MFA_ENCRYPTION_KEY: 12-byte nonce || ciphertext || 16-byte tag, with the
  -- user id as additional data (a ciphertext copied onto another user's row does not decrypt). A database dump
  -- alone yields no secret: the key lives in the environment, not in the database.
  secret_encrypted bytea not null check (octet_length(secret_encrypted) between 40 and 128),
  created_at timestamptz not null,
  confirmed_at timestamptz,
  -- The RFC 6238 time step of the last accepted code (the confirming one included). Only a later step is accepted,
  -- and the update that moves it forward is the atomic claim: of two parallel verifies with one code, one wins.
  last_used_step bigint
);

-- Ten per batch, shown once. Each is an 80-bit random code; only HMAC-SHA-256(pepper, salt || code) is stored, with
-- a random 128-bit salt per code (NIST SP 800-63B look-up secrets: salted and hashed, salt >= 32 bits; the pepper
-- is derived from MFA_ENCRYPTION_KEY, so the hashes cannot even be tried offline without the key). A code is used by
-- the update that sets `used_at` where it is still null: one winner under concurrency. A new batch deletes the old.
create table recovery_codes (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  salt bytea not null check (octet_length(salt) = 16),
  code_hash bytea not null check (octet_length(code_hash) = 32),
  created_at timestamptz not null,
  used_at timestamptz
);
create index recovery_codes_user_idx on recovery_codes (user_id);

-- The pending second step of a sign-in whose first factor passed. The client holds `mfa_token` (or the HttpOnly mfa
-- cookie after a provider sign-in); only its SHA-256 is stored. Single use (`consumed_at`), 5 minutes, at most 5
-- tries: each try is counted before its code is checked, so parallel guesses cannot overrun the limit.
create table mfa_challenges (
  token_hash text primary key check (char_length(token_hash) = 64),
  user_id uuid not null references users (id) on delete cascade,
  -- the first factor that passed ('password', 'google', 'github', ...): the session is recorded with it
  first_factor text not null check (char_length(first_factor) <= 32),
  created_at timestamptz not null,
  expires_at timestamptz not null,
  attempts integer not null default 0,
  consumed_at timestamptz
);
create index mfa_challenges_user_idx on mfa_challenges (user_id);
create index mfa_challenges_expires_idx on mfa_challenges (expires_at);

-- Consecutive failed second factors per account, whichever challenge or step-up they came through. The 10th locks
-- the MFA step for 15 minutes (every verify answers like a wrong code) and mails the owner. A success deletes the row.
create table mfa_failures (
  user_id uuid primary key references users (id) on delete cascade,
  failed_count integer not null,
  last_failed_at timestamptz not null,
  locked_until timestamptz
);
