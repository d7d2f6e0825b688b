-- 00005: sign-in with Google and GitHub (API.md "OAuth sign-in").
-- Forward-only: never edit once landed.

-- oauth_accounts (00001) gets what the dashboard shows and the rule of one link per provider per user.
alter table oauth_accounts
  add column email text check (char_length(email) <= 320),
  add column last_used_at timestamptz;
create unique index oauth_accounts_user_provider_key on oauth_accounts (user_id, provider);

-- One row per authorization request in flight, so any instance can finish it. The browser holds only the flow id
-- (in an HttpOnly cookie); the row stores its SHA-256, the SHA-256 of `state`, the PKCE verifier and the OIDC
-- nonce. A callback deletes the row in the statement that reads it: a replayed or parallel callback finds nothing.
create table oauth_flows (
  id_hash text primary key check (char_length(id_hash) = 64),
  provider text not null check (provider in ('google', 'github')),
  purpose text not null check (purpose in ('sign_in', 'link', 'reauth')),
  -- link and reauth flows belong to a signed-in user and the session that started them
  user_id uuid references users (id) on delete cascade,
  session_id uuid references sessions (id) on delete cascade,
  state_hash text not null check (char_length(state_hash) = 64),
  code_verifier text not null check (char_length(code_verifier) between 43 and 128),
  nonce text check (char_length(nonce) <= 128),
  return_to text not null check (char_length(return_to) <= 2048),
  created_at timestamptz not null,
  expires_at timestamptz not null,
  constraint oauth_flows_owner check (
    (purpose = 'sign_in' and user_id is null and session_id is null)
    or (purpose <> 'sign_in' and user_id is not null and session_id is not null)
  )
);
create index oauth_flows_expires_idx on oauth_flows (expires_at);
