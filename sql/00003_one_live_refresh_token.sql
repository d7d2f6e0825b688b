-- 00003_one_live_refresh_token: a session has at most one live (unused, unrevoked) refresh token at any time.
-- Rotation marks the presented token used and inserts its successor in one statement; a replay inside the grace
-- window is answered with that same successor, never a new one. The index makes a forked session impossible.

-- Sessions forked before this rule keep only their newest live token.
update refresh_tokens rt
set revoked_at = now()
where rt.used_at is null
  and rt.revoked_at is null
  and exists (
    select 1
    from refresh_tokens newer
    where newer.session_id = rt.session_id
      and newer.used_at is null
      and newer.revoked_at is null
      and (newer.created_at, newer.id) > (rt.created_at, rt.id)
  );

create unique index refresh_tokens_one_live_per_session on refresh_tokens (session_id)
  where used_at is null and revoked_at is null;
