import { problemSchema } from '@aibc/api/shared/problem';
import type { z } from 'zod';

// The API's RFC 9457 problem body, read with the API's own schema. Every member is optional here: a body that is not
// a problem (a proxy's HTML error page, an empty 502) still reads as one, with nothing in it.
const readableProblemSchema = problemSchema.partial();
export type Problem = z.infer<typeof readableProblemSchema>;

export { NETWORK_ERROR, UNEXPECTED_ERROR } from './problem-text';

export async function readProblem(response: Response): Promise<Problem> {
  try {
    const parsed = readableProblemSchema.safeParse(await response.json());
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** `Retry-After` in seconds (the API sends delta-seconds), or undefined when absent or unreadable. */
export function retryAfterSeconds(response: Response): number | undefined {
  const value = Number(response.headers.get('Retry-After'));
  return Number.isFinite(value) && value > 0 ? Math.ceil(value) : undefined;
}

/** "45 seconds", "1 minute", "30 minutes": the wait in the unit a person would say. */
export function describeWait(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

export function lockedMessage(response: Response): string {
  const seconds = retryAfterSeconds(response);
  const minutes = seconds === undefined ? undefined : Math.max(1, Math.ceil(seconds / 60));
  const when = minutes === undefined ? 'later' : `in ${minutes === 1 ? '1 minute' : `${minutes} minutes`}`;
  return `Too many failed sign-ins: this account is locked for now. Try again ${when}.`;
}

/** A 429 in words: `opening` says what was too many, then the wait from `Retry-After`. */
export function rateLimitedMessage(response: Response, opening = 'Too many attempts from your network.'): string {
  const seconds = retryAfterSeconds(response);
  const wait = seconds === undefined ? 'a minute' : describeWait(seconds);
  return `${opening} Wait ${wait} and try again.`;
}
