import { insertIntoAuditLog } from '../../audit/audit';
import { revokeSessionsCte } from '../../auth/sessions.queries';
import { countSignInMethods, lockSignInMethods } from '../../auth/sign-in.queries';
import type { Sql } from '../../db/sql';
import type { MailRecipient } from '../../mail/account-mail';
import type { RequestMeta } from '../../platform/request-meta';

export type PasskeyRow = {
  id: string;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
  backed_up: boolean;
};

const listedColumns = ['id', 'name', 'created_at', 'last_used_at', 'backed_up'] as const;

export async function listPasskeys(sql: Sql, userId: string) {
  return sql<PasskeyRow[]>`
    select ${sql(listedColumns)}
    from passkeys
    where user_id = ${userId}
    order by created_at, id
  `;
}

// The user's WebAuthn handle, made on first use: `candidate` is kept only if the user has none yet (two first
// registrations racing both end up with the same handle).
export async function ensureUserHandle(sql: Sql, params: { userId: string; candidate: string }) {
  const [row]: [{ webauthn_user_handle: string; email: string; full_name: string }?] = await sql`
    update users
    set webauthn_user_handle = coalesce(webauthn_user_handle, ${params.candidate})
    where id = ${params.userId}
    returning webauthn_user_handle, email, full_name
  `;
  return row;
}

export type NewPasskey = {
  userId: string;
  sessionId: string;
  credentialId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  name: string;
  now: Date;
  meta: RequestMeta;
};

// A new way into the account, in one statement: the passkey, every other session of the user ended (whoever else
// holds one must not keep it across this change), and the audit row. A credential id registered before, here or on
// another account, is a unique violation for the caller to map.
export async function insertPasskey(sql: Sql, p: NewPasskey) {
  const [row]: [(PasskeyRow & { recipient: MailRecipient })?] = await sql`
    with added as (
      insert into passkeys (
        user_id, credential_id, public_key, counter, transports, device_type, backed_up, name, created_at
      )
      values (
        ${p.userId}, ${p.credentialId}, ${p.publicKey}, ${p.counter}, ${p.transports}, ${p.deviceType}, ${p.backedUp},
        ${p.name}, ${p.now}
      )
      returning ${sql(listedColumns)}, user_id
    ),
    ${revokeSessionsCte(sql, {
      now: p.now,
      reason: 'passkey_added',
      where: sql`user_id in (select user_id from added) and id <> ${p.sessionId}`,
    })},
    logged as (
      ${insertIntoAuditLog(sql)}
      select 'passkey_added', u.id, u.email, ${p.meta.ip}, ${p.meta.userAgent},
        jsonb_build_object(
          'passkey_id', added.id, 'device_type', ${p.deviceType}::text, 'sessions_ended', (select count(*) from revoked)
        )
      from added
      join users u on u.id = added.user_id
    )
    select added.id, added.name, added.created_at, added.last_used_at, added.backed_up,
      json_build_object('id', u.id, 'email', u.email, 'full_name', u.full_name) as recipient
    from added
    join users u on u.id = added.user_id
  `;
  if (!row) throw new Error('passkey insert returned no row');
  return row;
}

export async function renamePasskey(
  sql: Sql,
  params: { userId: string; passkeyId: string; name: string; meta: RequestMeta },
) {
  const [row]: [PasskeyRow?] = await sql`
    with renamed as (
      update passkeys
      set name = ${params.name}
      where id = ${params.passkeyId}
        and user_id = ${params.userId}
      returning ${sql(listedColumns)}
    ),
    logged as (
      ${insertIntoAuditLog(sql)}
      select 'passkey_renamed', ${params.userId}, null, ${params.meta.ip}, ${params.meta.userAgent},
        jsonb_build_object('passkey_id', id)
      from renamed
    )
    select ${sql(listedColumns)}
    from renamed
  `;
  return row;
}

export type DeleteResult =
  | { ok: true; recipient: MailRecipient; name: string }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'last_sign_in_method' };

// Removes a passkey unless it is the user's last way in. The user's row is locked first (lockSignInMethods), so two
// removals racing (two passkeys, or a passkey and a provider link) are serialised and the second sees what the first
// left. Every other session ends with it, and the removal is audited.
export async function deletePasskey(
  sql: Sql,
  params: { userId: string; sessionId: string; passkeyId: string; now: Date; meta: RequestMeta },
): Promise<DeleteResult> {
  const { meta, now } = params;
  return sql.begin(async (tx): Promise<DeleteResult> => {
    const methods = await lockSignInMethods(tx, params.userId);
    const [owned]: [{ id: string }?] = await tx`
      select id
      from passkeys
      where id = ${params.passkeyId}
        and user_id = ${params.userId}
    `;
    if (!methods || !owned) return { ok: false, reason: 'not_found' };
    if (countSignInMethods(methods) - 1 < 1) return { ok: false, reason: 'last_sign_in_method' };
    const [row]: [(MailRecipient & { name: string })?] = await tx`
      with removed as (
        delete from passkeys
        where id = ${params.passkeyId}
          and user_id = ${params.userId}
        returning id, user_id, name
      ),
      ${revokeSessionsCte(tx, {
        now,
        reason: 'passkey_removed',
        where: tx`user_id in (select user_id from removed) and id <> ${params.sessionId}`,
      })},
      logged as (
        ${insertIntoAuditLog(tx)}
        select 'passkey_removed', u.id, u.email, ${meta.ip}, ${meta.userAgent},
          jsonb_build_object('passkey_id', removed.id, 'sessions_ended', (select count(*) from revoked))
        from removed
        join users u on u.id = removed.user_id
      )
      select u.id, u.email, u.full_name, removed.name
      from removed
      join users u on u.id = removed.user_id
    `;
    if (!row) return { ok: false, reason: 'not_found' };
    const { name, ...recipient } = row;
    return { ok: true, recipient, name };
  });
}
