import type { Context } from 'hono';
import { problem } from '../platform/problem';

// One answer for every failed second step — a wrong or spent code, a used, expired or exhausted mfa_token, a locked
// MFA step — so a guesser learns nothing from which one it was. Every route of the second step answers with it.
export function mfaInvalidProblem(c: Context) {
  return problem(c, 401, 'The code is not valid. Check it and try again, or sign in again.', { code: 'mfa_invalid' });
}
