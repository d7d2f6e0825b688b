#!/usr/bin/env node
// The floor for `npm run bench`: a bare node:http server, in its own process like the API, answering /health and
// /users/me with postgres.js and the same synchronous node:crypto HMAC check and session query the API does.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import postgres from 'postgres';

const sql = postgres(process.env.DATABASE_URL, { max: 15, onnotice: () => {} });
const secret = process.env.JWT_SECRET_KEY;

function verify(token) {
  const [header, payload, signature = ''] = token.split('.');
  const expected = Buffer.from(createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url'));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error('bad signature');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  if (claims.iss !== 'ai-bootcamp' || claims.aud !== 'ai-bootcamp-api' || claims.exp <= Date.now() / 1000) {
    throw new Error('bad claims');
  }
  return claims;
}

const server = http.createServer(async (req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'healthy' }));
    return;
  }
  try {
    const token = req.headers.authorization?.slice(7) ?? '';
    const payload = verify(token);
    const [user] = await sql`
      select u.id, u.email, u.full_name, u.role, u.is_active, u.is_verified, u.created_at, u.last_login_at
      from sessions s
      join users u on u.id = s.user_id
      where s.id = ${payload.sid}
        and s.user_id = ${payload.sub}
        and s.revoked_at is null
        and s.expires_at > ${new Date()}
        and u.is_active
    `;
    res.writeHead(user ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify(user ?? {}));
  } catch {
    res.writeHead(401);
    res.end();
  }
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => sql.end().then(() => process.exit(0))));
