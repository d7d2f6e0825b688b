import { randomUUID } from 'node:crypto';
import { hashToken } from '../../auth/tokens';
import type { Deps } from '../../deps';
import { accountDeletedMail } from '../../mail/account-mail';
import { addSeconds } from '../../platform/clock';
import type { RequestMeta } from '../../platform/request-meta';
import {
  deleteAccount,
  lockAccount,
  lockAccountAndAdmins,
  readUserData,
  recentExports,
  recordExport,
} from './data.queries';

// The export's budget: a sliding hour, counted from the `data_exported` audit rows (so it follows the injected
// clock and holds across instances). An export is heavy and hands out everything: a stolen session with a fresh
// step-up still gets only three copies an hour.
export const EXPORTS_PER_WINDOW = 3;
export const EXPORT_WINDOW_SECONDS = 3600;

export type ExportBudget = { limit: number; remaining: number; resetSeconds: number };

export type ExportResult =
  | { ok: true; document: Record<string, unknown>; budget: ExportBudget }
  | { ok: false; reason: 'rate_limited'; budget: ExportBudget }
  | { ok: false; reason: 'gone' };

export async function exportUserData(deps: Deps, userId: string, meta: RequestMeta): Promise<ExportResult> {
  const now = deps.clock.now();
  return deps.sql.begin(async (sql): Promise<ExportResult> => {
    const account = await lockAccount(sql, userId);
    if (!account) return { ok: false, reason: 'gone' };
    const recent = await recentExports(sql, { userId, since: addSeconds(now, -EXPORT_WINDOW_SECONDS) });
    // A slot frees up when the oldest export in the window leaves it (or, for the first one, an hour from now).
    const resetAt = addSeconds(recent.oldest ?? now, EXPORT_WINDOW_SECONDS);
    const resetSeconds = Math.max(1, Math.ceil((resetAt.getTime() - now.getTime()) / 1000));
    if (recent.count >= EXPORTS_PER_WINDOW) {
      return { ok: false, reason: 'rate_limited', budget: { limit: EXPORTS_PER_WINDOW, remaining: 0, resetSeconds } };
    }
    // Recorded first, so the document includes its own export among the audit entries.
    await recordExport(sql, { userId, email: account.email, now, meta });
    const sections = await readUserData(sql, userId);
    return {
      ok: true,
      document: { format: 'ai-bootcamp-export/1', exported_at: now.toISOString(), ...sections },
      budget: { limit: EXPORTS_PER_WINDOW, remaining: EXPORTS_PER_WINDOW - recent.count - 1, resetSeconds },
    };
  });
}

export type DeleteAccountResult = { ok: true } | { ok: false; reason: 'gone' | 'last_admin' };

export async function deleteOwnAccount(deps: Deps, userId: string, meta: RequestMeta): Promise<DeleteAccountResult> {
  const now = deps.clock.now();
  const result = await deps.sql.begin(async (sql) => {
    const locked = await lockAccountAndAdmins(sql, userId);
    const account = locked.find((row) => row.id === userId);
    // A parallel deletion got here first: this request's session went with the account.
    if (!account) return { ok: false, reason: 'gone' } as const;
    const isActiveAdmin = (row: (typeof locked)[number]) => row.role === 'admin' && row.is_active;
    if (isActiveAdmin(account) && !locked.some((row) => row.id !== userId && isActiveAdmin(row))) {
      return { ok: false, reason: 'last_admin' } as const;
    }
    await deleteAccount(sql, {
      account,
      pseudonym: randomUUID(),
      // The per-user and per-email counters (middlewares/rate-limit.ts userKey and emailKey).
      rateLimitKeys: [`user:${userId}`, `email:${hashToken(account.email)}`],
      meta,
    });
    return { ok: true, account } as const;
  });
  if (!result.ok) return result;
  // After the commit: the mail queue never announces a deletion that rolled back.
  deps.mailer.send(await accountDeletedMail(deps.config.mail.publicAppUrl, result.account, { at: now, ip: meta.ip }));
  return { ok: true };
}
