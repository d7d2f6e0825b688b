import type { Context } from 'hono';
import type { AppBindings } from './types';

// What the audit log and the sessions table record about the request that caused a change.
export type RequestMeta = { ip: string; userAgent: string | null };

export function requestMeta(c: Context<AppBindings>): RequestMeta {
  return { ip: c.var.clientIp, userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null };
}
