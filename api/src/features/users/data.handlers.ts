import { clearRefreshCookie } from '../../auth/refresh-cookie';
import { getAuth, unauthorized } from '../../middlewares/require-auth';
import { problem } from '../../platform/problem';
import { requestMeta } from '../../platform/request-meta';
import type { AppRouteHandler } from '../../platform/types';
import type { DeleteMeRoute, ExportMyDataRoute } from './data.routes';
import { deleteOwnAccount, EXPORT_WINDOW_SECONDS, type ExportBudget, exportUserData } from './data.service';

export const exportMyData: AppRouteHandler<ExportMyDataRoute> = async (c) => {
  const result = await exportUserData(c.var.deps, getAuth(c).user.id, requestMeta(c));
  if (!result.ok) {
    if (result.reason === 'gone') return unauthorized(c);
    setBudgetHeaders(c.header.bind(c), result.budget);
    const minutes = Math.ceil(result.budget.resetSeconds / 60);
    return problem(
      c,
      429,
      `You can download your data ${result.budget.limit} times an hour. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
      { headers: { 'Retry-After': String(result.budget.resetSeconds) } },
    );
  }
  setBudgetHeaders(c.header.bind(c), result.budget);
  const day = String(result.document.exported_at).slice(0, 10);
  c.header('Content-Disposition', `attachment; filename="ai-bootcamp-data-${day}.json"`);
  // Personal data: no cache on the way may keep a copy.
  c.header('Cache-Control', 'no-store');
  // biome-ignore lint/suspicious/noExplicitAny: the document's members come from sql/user-data.json at run time
  return c.json(result.document as any, 200);
};

function setBudgetHeaders(header: (name: string, value: string) => void, budget: ExportBudget) {
  header('RateLimit-Policy', `${budget.limit};w=${EXPORT_WINDOW_SECONDS}`);
  header('RateLimit-Limit', String(budget.limit));
  header('RateLimit-Remaining', String(budget.remaining));
  header('RateLimit-Reset', String(budget.resetSeconds));
}

export const deleteMe: AppRouteHandler<DeleteMeRoute> = async (c) => {
  const result = await deleteOwnAccount(c.var.deps, getAuth(c).user.id, requestMeta(c));
  if (!result.ok) {
    if (result.reason === 'gone') return unauthorized(c);
    return problem(
      c,
      409,
      'You are the last active admin: make someone else an admin before you delete your account.',
      { code: 'last_admin' },
    );
  }
  clearRefreshCookie(c);
  return c.body(null, 204);
};
