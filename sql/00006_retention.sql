-- 00006_retention: indexes for the retention sweep (api/src/db/retention.ts), which deletes in small batches by these
-- columns. Forward-only: never edit once landed.
create index refresh_tokens_expires_idx on refresh_tokens (expires_at);
create index sessions_expires_idx on sessions (expires_at);
create index sessions_revoked_idx on sessions (revoked_at) where revoked_at is not null;
create index email_verification_tokens_expires_idx on email_verification_tokens (expires_at);
create index password_reset_tokens_expires_idx on password_reset_tokens (expires_at);
create index audit_logs_created_idx on audit_logs (created_at);
