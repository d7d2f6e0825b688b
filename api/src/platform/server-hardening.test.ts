import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../test/setup';

// The server layer against slow clients (real sockets, with the timeouts shortened through the environment) and
// a wrong method on a route that exists.
const { app } = useTestApp({ env: { SERVER_HEADERS_TIMEOUT_SECONDS: '1', SERVER_REQUEST_TIMEOUT_SECONDS: '2' } });

type Trickle = { answer: string; closedAfterMs: number; bytesSent: number };

// Opens a socket, sends `head`, then one byte of `trickle` every `everyMs` until the server closes the connection.
function trickle(url: string, head: string, trickle: string, everyMs: number): Promise<Trickle> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const started = Date.now();
    let answer = '';
    let bytesSent = 0;
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after 15 s (${bytesSent} bytes sent)`));
    }, 15_000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ answer, closedAfterMs: Date.now() - started, bytesSent });
    });
    socket.on('connect', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (socket.destroyed || bytesSent >= trickle.length) return;
        socket.write(trickle[bytesSent] ?? ' ');
        bytesSent++;
      }, everyMs);
    });
  });
}

describe('slow clients are cut', () => {
  it('a body trickled a byte at a time is cut with 408 soon after SERVER_REQUEST_TIMEOUT_SECONDS', async () => {
    const body = JSON.stringify({ email: 'slow@example.com', full_name: 'Slow Loris', password: 'x'.repeat(500) });
    const head =
      'POST /api/v1/auth/signup HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const result = await trickle(app.url, head, body, 100);
    expect(result.answer).toMatch(/^HTTP\/1\.1 408/);
    // 2 s limit, checked every 250 ms here; far before the body would have finished (~50 s at this pace).
    expect(result.closedAfterMs).toBeGreaterThanOrEqual(1_900);
    expect(result.closedAfterMs).toBeLessThan(4_000);
    expect(result.bytesSent).toBeLessThan(body.length);
    const [user] = await app.sql`select 1 from users where email = 'slow@example.com'`;
    expect(user).toBeUndefined();
  });

  it('headers trickled a byte at a time are cut soon after SERVER_HEADERS_TIMEOUT_SECONDS', async () => {
    const result = await trickle(app.url, 'GET /health HTTP/1.1\r\n', 'X-Slow: '.padEnd(400, 'a'), 100);
    expect(result.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(result.closedAfterMs).toBeLessThan(3_000);
  });

  it('the same server still answers a client that sends at once', async () => {
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
  });
});

describe('a wrong method on an existing route', () => {
  it('is a 405 problem with Allow naming the methods the path answers', async () => {
    const res = await fetch(`${app.url}/api/v1/auth/login`, { method: 'GET' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = await res.json();
    expect(problem).toMatchObject({ status: 405, title: 'Method Not Allowed' });

    const me = await fetch(`${app.url}/api/v1/users/me`, { method: 'PUT' });
    expect(me.status).toBe(405);
    expect(me.headers.get('allow')).toMatch(/^GET, HEAD, PATCH(, DELETE)?$/);

    // A path parameter matches too.
    const session = await fetch(`${app.url}/api/v1/users/me/sessions/00000000-0000-4000-8000-000000000000`, {
      method: 'PATCH',
    });
    expect(session.status).toBe(405);
    expect(session.headers.get('allow')).toBe('DELETE');
  });

  it('leaves a path that exists under no method a 404', async () => {
    const res = await fetch(`${app.url}/api/v1/nothing-here`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(res.headers.get('allow')).toBeNull();
  });
});
