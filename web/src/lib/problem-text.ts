import type { Problem } from '@aibc/api/shared/problem';

/*
 * The words for a failed call, without zod: lib/problems.ts reads whole problems with the API's schema, which puts
 * zod (about 27 KB gzipped) in front of whatever imports it. A lesson page's script has a 30 KB budget before any
 * interaction (tests/e2e/lesson-budget.test.ts) and needs only a problem's `detail`, so it reads that from here.
 */

export const NETWORK_ERROR = "Can't reach the server — check your connection and try again.";
export const UNEXPECTED_ERROR = 'Something went wrong on our side. Please try again in a moment.';

/** A problem answer's `detail`, or undefined when the body is not JSON or has no string `detail`. */
export async function readProblemDetail(response: Response): Promise<Problem['detail'] | undefined> {
  try {
    const body: unknown = await response.json();
    if (typeof body === 'object' && body !== null && 'detail' in body && typeof body.detail === 'string') {
      return body.detail;
    }
  } catch {
    // not JSON: a proxy's HTML error page, an empty 502
  }
  return undefined;
}
