import { COMMON_PASSWORD_MESSAGE, passwordContextProblem } from '../shared/fields';
import { isCommonPassword } from './common-passwords';

// The server-side half of the password policy, for signup, reset and change alike. `passwordSchema` (shared
// with the browser) has already checked length and composition; these checks need the common-password list
// (too large for the landing page) or the account's email, which the reset form does not know.
export function checkPasswordPolicy(password: string, email: string): string | undefined {
  if (isCommonPassword(password)) return COMMON_PASSWORD_MESSAGE;
  return passwordContextProblem(password, email);
}
