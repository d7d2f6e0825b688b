-- 00004: step-up (recent authentication, API.md "Step-up"), and accounts without a password.
-- Forward-only: never edit once landed.

-- When this session last proved a factor through POST /auth/reauthenticate (or, for an account without a password,
-- a provider round trip). A fresh sign-in leaves it null: the step-up is always explicit.
alter table sessions add column reauthenticated_at timestamptz;

-- An account made through a sign-in provider has no password until its owner sets one (password reset). A password
-- login or step-up for it gets the ordinary 401: the verify runs against the dummy hash, like an unknown email.
alter table users alter column hashed_password drop not null;
