import type { Hono } from 'hono';
import { PatternRouter } from 'hono/router/pattern-router';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

// The methods the app answers on a path, for `405 Method Not Allowed` with `Allow` (RFC 9110 §15.5.6) instead of a
// 404 that suggests the path does not exist. Built from the app's own route table once every route is mounted;
// middleware (`use`, method ALL) and the static site's catch-all do not count as routes.
// biome-ignore lint/suspicious/noExplicitAny: any app, whatever its bindings
export function allowedMethodsOf(app: Hono<any, any, any>): (path: string) => string[] {
  const router = new PatternRouter<true>();
  let any = false;
  for (const route of app.routes) {
    if (!(METHODS as readonly string[]).includes(route.method)) continue;
    router.add(route.method, route.path, true);
    any = true;
  }
  return (path) => {
    if (!any) return [];
    const allowed: string[] = METHODS.filter((method) => router.match(method, path)[0].length > 0);
    // Hono answers HEAD with the GET route; OPTIONS is the CORS preflight under /api.
    if (allowed.includes('GET')) allowed.splice(1, 0, 'HEAD');
    return allowed;
  };
}
