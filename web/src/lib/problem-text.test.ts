import { describe, expect, test } from 'vitest';
import { readProblemDetail } from './problem-text';

const answer = (body: string, type = 'application/problem+json') =>
  new Response(body, { status: 409, headers: { 'Content-Type': type } });

describe('readProblemDetail', () => {
  test("returns a problem's detail", async () => {
    const body = { type: 'about:blank', title: 'Conflict', status: 409, detail: 'That lesson is not published yet.' };
    expect(await readProblemDetail(answer(JSON.stringify(body)))).toBe('That lesson is not published yet.');
  });

  test('returns undefined for a body that is not JSON, or JSON without a string detail', async () => {
    expect(await readProblemDetail(answer('<html>502 Bad Gateway</html>', 'text/html'))).toBeUndefined();
    expect(await readProblemDetail(answer(''))).toBeUndefined();
    expect(await readProblemDetail(answer('null'))).toBeUndefined();
    expect(await readProblemDetail(answer(JSON.stringify({ detail: 42 })))).toBeUndefined();
    expect(await readProblemDetail(answer(JSON.stringify(['detail'])))).toBeUndefined();
  });
});
