import { type AuditMetadata, insertIntoAuditLog } from '../../audit/audit';
import { countSignInMethods, lockSignInMethods } from '../../auth/sign-in.queries';
import { type AuthUser, userColumns, userColumnsOf } from '../../auth/user';
import type { Sql } from '../../db/sql';
import type { MailRecipient } from '../../mail/account-mail';
import type { RequestMeta } from '../../platform/request-meta';
import type { OAuthProviderId } from '../../shared/oauth';

export type FlowPurpose = 'sign_in' | 'link' | 'reauth';

export type NewFlow = {
  idHash: string;
  provider: OAuthProviderId;
  purpose: FlowPurpose;
  userId: string | null;
  sessionId: string | null;
  stateHash: string;
  codeVerifier: string;
  nonce: string | null;
  returnTo: string;
  now: Date;
  expiresAt: Date;
};

// Stores a new flow, and clears out the expired ones on the way (the index on expires_at keeps that cheap).
export async function insertFlow(sql: Sql, flow: NewFlow) {
  await sql`
    with purged as (
      delete from oauth_flows
      where expires_at <= ${flow.now}
    )
    insert into oauth_flows (
      id_hash, provider, purpose, user_id, session_id, state_hash, code_verifier, nonce, return_to, created_at, expires_at
    )
    values (
      ${flow.idHash}, ${flow.provider}, ${flow.purpose}, ${flow.userId}, ${flow.sessionId}, ${flow.stateHash},
      ${flow.codeVerifier}, ${flow.nonce}, ${flow.returnTo}, ${flow.now}, ${flow.expiresAt}
    )
  `;
}

export type FlowRow = {
  purpose: FlowPurpose;
  user_id: string | null;
  session_id: string | null;
  code_verifier: string;
  nonce: string | null;
  return_to: string;
  created_at: Date;
};

// Takes the flow that the browser's cookie names, for this provider and this `state`, unexpired, and deletes it in
// the same statement: of two callbacks with one flow (a replay, a double click, a race) exactly one gets the row.
// A wrong `state` matches nothing and leaves the flow alone, so a forged callback cannot spend someone's sign-in.
export async function consumeFlow(
  sql: Sql,
  params: { idHash: string; provider: OAuthProviderId; stateHash: string; now: Date },
) {
  const [row]: [FlowRow?] = await sql`
    delete from oauth_flows
    where id_hash = ${params.idHash}
      and provider = ${params.provider}
      and state_hash = ${params.stateHash}
      and expires_at > ${params.now}
    returning purpose, user_id, session_id, code_verifier, nonce, return_to, created_at
  `;
  return row;
}

// The user a (provider, subject) is linked to, if any.
export async function findLinkedUser(sql: Sql, params: { provider: OAuthProviderId; subject: string }) {
  const [row]: [AuthUser?] = await sql`
    select ${sql(userColumnsOf('u'))}
    from oauth_accounts o
    join users u on u.id = o.user_id
    where o.provider = ${params.provider}
      and o.provider_account_id = ${params.subject}
  `;
  return row;
}

// The account with this email, whether it already has a link to this provider (one per provider at most), and
// whether that link is to this very provider account: a parallel first sign-in with it may have made the account
// and its link (in one transaction) after the caller looked the link up, and one snapshot sees both or neither.
export async function findUserByEmail(sql: Sql, params: { email: string; provider: OAuthProviderId; subject: string }) {
  const [row]: [(AuthUser & { has_provider_link: boolean; linked_to_subject: boolean })?] = await sql`
    select ${sql(userColumnsOf('u'))},
      exists (
        select 1
        from oauth_accounts o
        where o.user_id = u.id
          and o.provider = ${params.provider}
      ) as has_provider_link,
      exists (
        select 1
        from oauth_accounts o
        where o.user_id = u.id
          and o.provider = ${params.provider}
          and o.provider_account_id = ${params.subject}
      ) as linked_to_subject
    from users u
    where u.email = ${params.email}
  `;
  return row;
}

// A sign-in through the link: when, and the address the provider gave this time.
export async function touchLink(
  sql: Sql,
  params: { provider: OAuthProviderId; subject: string; email: string | null; now: Date },
) {
  await sql`
    update oauth_accounts
    set last_used_at = ${params.now},
      email = coalesce(${params.email}, email)
    where provider = ${params.provider}
      and provider_account_id = ${params.subject}
  `;
}

export type NewLink = {
  userId: string;
  provider: OAuthProviderId;
  subject: string;
  email: string | null;
  now: Date;
  // Whether the link also counts as used now (a sign-in made it), and how it came about, for the audit row.
  usedNow: boolean;
  audit: { meta: RequestMeta; metadata: AuditMetadata };
};

// Links a provider account to a user and audits `oauth_linked`, in one statement. Answers who to mail. Throws a
// unique violation when the provider account is linked already, or the user already has a link to this provider.
export async function insertLink(sql: Sql, link: NewLink) {
  const { audit } = link;
  const [row]: [MailRecipient?] = await sql`
    with linked as (
      insert into oauth_accounts (user_id, provider, provider_account_id, email, created_at, last_used_at)
      values (
        ${link.userId}, ${link.provider}, ${link.subject}, ${link.email}, ${link.now}, ${link.usedNow ? link.now : null}
      )
      returning user_id
    ),
    logged as (
      ${insertIntoAuditLog(sql)}
      select 'oauth_linked', u.id, u.email, ${audit.meta.ip}, ${audit.meta.userAgent},
        ${sql.json({ provider: link.provider, ...audit.metadata })}
      from linked
      join users u on u.id = linked.user_id
    )
    select u.id, u.email, u.full_name
    from linked
    join users u on u.id = linked.user_id
  `;
  return row;
}

// A new account from a provider, with its link, in one transaction: no password (hashed_password null), verified as
// the provider says. Audited as `signup` with the provider as method. Answers undefined when the email was taken
// in the meantime (the caller resolves the sign-in again); a parallel callback for the same provider account makes
// the link insert fail with a unique violation, which rolls the new user back too.
export async function insertUserWithLink(
  sql: Sql,
  params: {
    email: string;
    fullName: string;
    isVerified: boolean;
    provider: OAuthProviderId;
    subject: string;
    now: Date;
    meta: RequestMeta;
  },
) {
  return sql.begin(async (tx) => {
    const [user]: [AuthUser?] = await tx`
      insert into users (email, full_name, hashed_password, is_verified)
      values (${params.email}, ${params.fullName}, null, ${params.isVerified})
      on conflict (email) do nothing
      returning ${tx(userColumns)}
    `;
    if (!user) return undefined;
    await tx`
      with linked as (
        insert into oauth_accounts (user_id, provider, provider_account_id, email, created_at, last_used_at)
        values (${user.id}, ${params.provider}, ${params.subject}, ${params.email}, ${params.now}, ${params.now})
      )
      ${insertIntoAuditLog(tx)}
      values (
        'signup', ${user.id}, ${user.email}, ${params.meta.ip}, ${params.meta.userAgent},
        ${tx.json({ method: params.provider })}
      )
    `;
    return user;
  });
}

export type LinkRow = { provider: OAuthProviderId; email: string | null; created_at: Date; last_used_at: Date | null };

export async function listLinks(sql: Sql, userId: string) {
  return sql<LinkRow[]>`
    select provider, email, created_at, last_used_at
    from oauth_accounts
    where user_id = ${userId}
    order by provider
  `;
}

export type UnlinkResult =
  | { ok: true; recipient: MailRecipient }
  | { ok: false; reason: 'not_linked' }
  | { ok: false; reason: 'last_sign_in_method' };

// Removes the link unless it is the user's last way in (a password, another provider, a passkey). The user's row is
// locked first (lockSignInMethods), so two removals racing (Google and GitHub, no password; a provider and a passkey)
// are serialised and the second sees that the first left one way.
export async function deleteLink(
  sql: Sql,
  params: { userId: string; provider: OAuthProviderId; meta: RequestMeta },
): Promise<UnlinkResult> {
  return sql.begin(async (tx): Promise<UnlinkResult> => {
    const methods = await lockSignInMethods(tx, params.userId);
    if (!methods?.providers.includes(params.provider)) return { ok: false, reason: 'not_linked' };
    const remaining = countSignInMethods(methods) - 1;
    if (remaining < 1) return { ok: false, reason: 'last_sign_in_method' };
    const [recipient]: [MailRecipient?] = await tx`
      with unlinked as (
        delete from oauth_accounts
        where user_id = ${params.userId}
          and provider = ${params.provider}
        returning user_id, provider_account_id
      ),
      logged as (
        ${insertIntoAuditLog(tx)}
        select 'oauth_unlinked', u.id, u.email, ${params.meta.ip}, ${params.meta.userAgent},
          ${tx.json({ provider: params.provider })}
        from unlinked
        join users u on u.id = unlinked.user_id
      )
      select u.id, u.email, u.full_name
      from unlinked
      join users u on u.id = unlinked.user_id
    `;
    if (!recipient) return { ok: false, reason: 'not_linked' };
    return { ok: true, recipient };
  });
}
