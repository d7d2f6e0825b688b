import { createServer, type Server, type Socket } from 'node:net';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../app';
import { api, client, withStatus } from '../../test/fixtures';
import { useTestApp } from '../../test/setup';

const { app } = useTestApp();

// The real app over a client that cannot reach its database; everything else is the test app's.
function appWithDatabase(sql: postgres.Sql) {
  return createApp({ ...app.deps, sql });
}

async function json(response: Response) {
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe('GET /health', () => {
  it('GET /health returns 200 with status, service, version and environment', async () => {
    const res = await client(app).health.$get();
    expect(await withStatus(res, 200).json()).toEqual({
      status: 'healthy',
      service: 'aibc-api',
      version: 'test',
      environment: 'test',
    });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('GET /health/db returns 200 connected with a latency', async () => {
    const body = await withStatus(await client(app).health.db.$get(), 200).json();
    expect(body).toEqual({ status: 'healthy', database: 'connected', latency_ms: expect.any(Number) });
    expect(body.latency_ms).toBeGreaterThanOrEqual(0);
  });

  it('GET /health returns 200 and /health/db 503 when nothing listens on the database port', async () => {
    const sql = postgres('postgres://postgres@127.0.0.1:1/x', { max: 1, onnotice: () => {} });
    try {
      const dead = appWithDatabase(sql);
      const health = await json(await dead.request('/health'));
      expect(health.status).toBe(200);
      expect(health.body.status).toBe('healthy');

      const started = performance.now();
      const check = await json(await dead.request('/health/db'));
      expect(performance.now() - started).toBeLessThan(3000);
      expect(check.status).toBe(503);
      expect(check.body).toEqual({ status: 'unhealthy', database: 'disconnected' });
    } finally {
      await sql.end({ timeout: 0 });
    }
  });

  it('GET /health/db returns 503 within 3 s when the database accepts but never answers', async () => {
    const sockets = new Set<Socket>();
    const blackhole: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    const { port } = blackhole.address() as { port: number };
    const sql = postgres(`postgres://postgres@127.0.0.1:${port}/x`, { max: 1, onnotice: () => {} });
    try {
      const hung = appWithDatabase(sql);
      const started = performance.now();
      expect((await hung.request('/health')).status).toBe(200);
      const check = await json(await hung.request('/health/db'));
      const elapsed = performance.now() - started;
      expect(check.status).toBe(503);
      expect(check.body).toEqual({ status: 'unhealthy', database: 'disconnected' });
      expect(elapsed).toBeLessThan(3000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await sql.end({ timeout: 0 });
      await new Promise<void>((resolve) => blackhole.close(() => resolve()));
    }
  });

  it('POST /auth/login returns a 503 problem with Retry-After naming the request id, with no internals, when the database is down', async () => {
    const sql = postgres('postgres://postgres@127.0.0.1:1/x', { max: 1, onnotice: () => {} });
    try {
      const dead = appWithDatabase(sql);
      const res = await json(
        await dead.request('/api/v1/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': 'req-dead-db-1' },
          body: JSON.stringify({ email: 'someone@example.com', password: 'Whatever-1!' }),
        }),
      );
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        detail: expect.stringContaining('req-dead-db-1'),
      });
      expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|postgres|127\.0\.0\.1|\bat\b.+\.ts/i);
      expect(res.headers.get('x-request-id')).toBe('req-dead-db-1');
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.headers.get('retry-after')).toBe('5');
    } finally {
      await sql.end({ timeout: 0 });
    }
  });
});

describe('GET /openapi.json', () => {
  it('GET /openapi.json returns an OpenAPI 3.1 document with every route', async () => {
    // /openapi.json and /docs are no typed routes: raw requests.
    const res = await api(app, '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\.1\./);
    expect(res.body.info).toMatchObject({ title: expect.any(String), version: 'test' });
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    const expected: [string, string][] = [
      ['/api/v1/auth/signup', 'post'],
      ['/api/v1/auth/login', 'post'],
      ['/api/v1/auth/refresh', 'post'],
      ['/api/v1/auth/logout', 'post'],
      ['/api/v1/auth/reauthenticate', 'post'],
      ['/api/v1/auth/oauth/providers', 'get'],
      ['/api/v1/auth/oauth/{provider}/start', 'get'],
      ['/api/v1/auth/oauth/{provider}/callback', 'get'],
      ['/api/v1/users/me', 'get'],
      ['/api/v1/users/me', 'delete'],
      ['/api/v1/users/me/export', 'get'],
      ['/api/v1/users/me/oauth', 'get'],
      ['/api/v1/users/me/oauth/{provider}/start', 'post'],
      ['/api/v1/users/me/oauth/{provider}', 'delete'],
      ['/health', 'get'],
      ['/health/db', 'get'],
    ];
    for (const [path, method] of expected) {
      expect(paths[path], path).toBeDefined();
      expect(paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
  });

  it('GET /openapi.json declares the OAuth2 password flow with tokenUrl /api/v1/auth/login', async () => {
    const res = await api(app, '/openapi.json');
    type Scheme = { type: string; flows?: { password?: { tokenUrl?: string } } };
    const schemes = res.body.components.securitySchemes as Record<string, Scheme>;
    const oauth = Object.values(schemes).find((scheme) => scheme.type === 'oauth2');
    expect(oauth?.flows?.password?.tokenUrl).toBe('/api/v1/auth/login');
    const name = Object.keys(schemes).find((key) => schemes[key] === oauth);
    // Either scheme authorizes a route: the password flow, or a pasted access token (an MFA account's way in Swagger
    // UI, whose password flow cannot send the second factor).
    const bearer = Object.keys(schemes).find((key) => schemes[key]?.type === 'http');
    expect(res.body.paths['/api/v1/users/me'].get.security).toEqual([{ [String(name)]: [] }, { [String(bearer)]: [] }]);
  });

  it('GET /openapi.json documents the login form and JSON bodies and the signup schema', async () => {
    const res = await api(app, '/openapi.json');
    const login = res.body.paths['/api/v1/auth/login'].post;
    expect(Object.keys(login.requestBody.content)).toEqual(
      expect.arrayContaining(['application/x-www-form-urlencoded', 'application/json']),
    );
    for (const status of ['200', '401', '403', '422', '423', '429']) expect(login.responses[status]).toBeDefined();
    const signup = res.body.paths['/api/v1/auth/signup'].post;
    for (const status of ['201', '409', '422', '429']) expect(signup.responses[status]).toBeDefined();
    expect(JSON.stringify(res.body)).not.toMatch(/hashed_password/);
  });
});

describe('GET /docs', () => {
  it('GET /docs returns the Swagger UI page on /openapi.json', async () => {
    const res = await api(app, '/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.body).toMatch(/swagger-ui/i);
    expect(res.body).toContain('/openapi.json');
  });
});
