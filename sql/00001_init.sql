-- 00001_init: users, login attempts, sessions, refresh tokens, one-time tokens, oauth accounts, audit log, rate limits.
-- Forward-only: never edit once landed. Ids come from gen_random_uuid() (core since PostgreSQL 13, and in PGlite).

create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  hashed_password text not null,
  full_name text not null,
  role text not null default 'student',
  is_active boolean not null default true,
  is_verified boolean not null default false,
  last_login_at timestamptz,
  password_changed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint users_email_lower check (email = lower(btrim(email))),
  constraint users_email_length check (char_length(email) between 3 and 254),
  constraint users_full_name_length check (char_length(full_name) between 1 and 100),
  constraint users_role_valid check (role in ('student', 'instructor', 'admin'))
);
-- Emails are stored lower-cased (checked above), so a plain unique index is case-insensitive uniqueness.
create unique index users_email_key on users (email);

-- Failed logins per email, whether or not an account exists, so a lock reveals nothing about registration.
create table login_attempts (
  email text primary key,
  failed_count integer not null default 0 check (failed_count >= 0),
  locked_until timestamptz,
  last_failed_at timestamptz not null default now()
);
create index login_attempts_last_failed_idx on login_attempts (last_failed_at);

create table sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  ip_address text,
  user_agent text check (char_length(user_agent) <= 512),
  created_at timestamptz not null default now(),
  last_used_at timestamptz not null default now(),
  -- absolute end: SESSION_MAX_DAYS after sign-in
  expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_reason text,
  constraint sessions_expiry_after_start check (expires_at > created_at)
);
create index sessions_user_active_idx on sessions (user_id) where revoked_at is null;

create table refresh_tokens (
  id uuid primary key default gen_random_uuid(),
  session_id uuid not null references sessions (id) on delete cascade,
  -- SHA-256 of the opaque token, hex; the token itself is never stored
  token_hash text not null check (char_length(token_hash) = 64),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  revoked_at timestamptz
);
create unique index refresh_tokens_hash_key on refresh_tokens (token_hash);
create index refresh_tokens_session_idx on refresh_tokens (session_id);

create table email_verification_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  token_hash text not null check (char_length(token_hash) = 64),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create unique index email_verification_tokens_hash_key on email_verification_tokens (token_hash);
create index email_verification_tokens_user_idx on email_verification_tokens (user_id);

create table password_reset_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  token_hash text not null check (char_length(token_hash) = 64),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create unique index password_reset_tokens_hash_key on password_reset_tokens (token_hash);
create index password_reset_tokens_user_idx on password_reset_tokens (user_id);

-- Reserved for sign-in with external providers; no route uses it yet.
create table oauth_accounts (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  provider text not null check (char_length(provider) between 1 and 50),
  provider_account_id text not null check (char_length(provider_account_id) between 1 and 255),
  created_at timestamptz not null default now(),
  unique (provider, provider_account_id)
);
create index oauth_accounts_user_idx on oauth_accounts (user_id);

create table audit_logs (
  id bigint generated always as identity primary key,
  event text not null check (char_length(event) between 1 and 64),
  -- kept when the user is deleted, so the trail survives
  user_id uuid references users (id) on delete set null,
  email text,
  ip_address text,
  user_agent text,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
create index audit_logs_user_idx on audit_logs (user_id, created_at desc);
create index audit_logs_event_idx on audit_logs (event, created_at desc);

-- Fixed-window counters for hono-rate-limiter's PostgreSQL store: one budget per key across instances.
create table rate_limit_hits (
  key text primary key,
  hits integer not null check (hits >= 0),
  reset_at timestamptz not null
);
create index rate_limit_hits_reset_idx on rate_limit_hits (reset_at);
