import { z } from 'zod';

// Field schemas shared by the browser (web/ imports this file) and the server: one home for each rule,
// so the sign-up form and the API can never disagree. Plain zod only: no server code is reachable from here.

export const SITE_NAME = 'AI Bootcamp';
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
// How long a mailed link works: the API stores the expiry, the web app says it in words.
export const VERIFY_EMAIL_TTL_HOURS = 24;
export const PASSWORD_RESET_TTL_HOURS = 1;

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'Email must be at most 254 characters')
  .pipe(z.email('Enter a valid email address'))
  .meta({ example: 'user@example.com' });

// One list drives both the validation and the live checklist in the sign-up form.
export const passwordRules = [
  {
    id: 'length',
    label: `${PASSWORD_MIN}–${PASSWORD_MAX} characters`,
    test: (p: string) => [...p].length >= PASSWORD_MIN && [...p].length <= PASSWORD_MAX,
  },
  { id: 'upper', label: 'An upper-case letter', test: (p: string) => /\p{Lu}/u.test(p) },
  { id: 'lower', label: 'A lower-case letter', test: (p: string) => /\p{Ll}/u.test(p) },
  { id: 'digit', label: 'A digit', test: (p: string) => /\p{Nd}/u.test(p) },
  { id: 'special', label: 'A special character', test: (p: string) => /[^\p{L}\p{Nd}\s]/u.test(p) },
] as const;

export const passwordSchema = z
  .string()
  .transform((value) => value.normalize('NFKC'))
  .superRefine((value, ctx) => {
    for (const rule of passwordRules) {
      if (!rule.test(value)) ctx.addIssue({ code: 'custom', message: `Password needs: ${rule.label.toLowerCase()}` });
    }
  })
  .meta({ example: 'SecurePass123!', format: 'password' });

// A password built from the user's email name or the site's name is the first thing an attacker tries.
export const EMAIL_NAME_MESSAGE = 'Password must not contain your email name';
export const SITE_NAME_MESSAGE = "Password must not contain the site's name";
// Checked by the server only: its list (@zxcvbn-ts/language-common) is too large for the browser.
export const COMMON_PASSWORD_MESSAGE = 'This password is too common. Choose one that is harder to guess';

const lettersOf = (value: string) =>
  value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{Nd}]/gu, '');

export function containsEmailName(password: string, email: string): boolean {
  const emailName = lettersOf(email.split('@')[0] ?? '');
  return emailName.length >= 3 && lettersOf(password).includes(emailName);
}

export function containsSiteName(password: string): boolean {
  const compact = lettersOf(password);
  return [lettersOf(SITE_NAME), 'aibootcamp', 'bootcamp'].some((name) => compact.includes(name));
}

// The rules beyond length and composition, each with the 422 message the server answers when it is broken, so the
// checklist can show every rule the server enforces and mark the one a 422 named. `test` is undefined where the
// browser cannot check: the common-password list stays on the server.
export const passwordContextRules = [
  {
    id: 'email-name',
    label: 'Not built from your email name',
    message: EMAIL_NAME_MESSAGE,
    test: (password: string, email: string | undefined) =>
      email === undefined ? undefined : !containsEmailName(password, email),
  },
  {
    id: 'site-name',
    label: `Not the site's name (${SITE_NAME})`,
    message: SITE_NAME_MESSAGE,
    test: (password: string, _email: string | undefined) => !containsSiteName(password),
  },
  {
    id: 'common',
    label: 'Not a common password',
    message: COMMON_PASSWORD_MESSAGE,
    test: (_password: string, _email: string | undefined): boolean | undefined => undefined,
  },
] as const;

export function passwordContextProblem(password: string, email: string): string | undefined {
  if (containsEmailName(password, email)) return EMAIL_NAME_MESSAGE;
  if (containsSiteName(password)) return SITE_NAME_MESSAGE;
  return undefined;
}

// Characters that change how the text around them reads without showing themselves: bidi embeddings, overrides
// and isolates (U+202A–U+202E, U+2066–U+2069) can make a name in a mail read as something else ("Trojan Source"),
// line and paragraph separators (U+2028, U+2029) break lines, and zero-width characters (U+200B–U+200F, U+2060,
// U+FEFF) hide text or make two names look alike.
export const INVISIBLE_FORMAT_CHARACTERS = /[\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]/u;

export const fullNameSchema = z
  .string()
  .trim()
  .min(1, 'Name is required')
  .max(100, 'Name must be at most 100 characters')
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .refine((value) => !/[\u0000-\u001f\u007f-\u009f]/.test(value), 'Name must not contain control characters')
  .refine(
    (value) => !INVISIBLE_FORMAT_CHARACTERS.test(value),
    'Name must not contain invisible formatting characters (direction overrides, zero-width characters, line separators)',
  )
  .meta({ example: 'User Name' });

export const signupSchema = z
  .object({ email: emailSchema, full_name: fullNameSchema, password: passwordSchema })
  .superRefine((value, ctx) => {
    const issue = passwordContextProblem(value.password, value.email);
    if (issue) ctx.addIssue({ code: 'custom', path: ['password'], message: issue });
  })
  .meta({ id: 'SignupRequest' });

// Login takes any string as the email (an unknown one is just a failed login), but never control characters:
// no account can have them, and PostgreSQL refuses a NUL byte in text.
export const loginEmailSchema = z
  .string()
  .trim()
  .min(1, 'Email is required')
  .max(254)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'Enter a valid email address');

export const loginSchema = z
  .object({ email: loginEmailSchema, password: z.string().min(1).max(1024) })
  .meta({ id: 'LoginRequest' });

export const SAME_PASSWORD_MESSAGE = 'Choose a new password different from your current one';
// A reset to the password the account already has: refused (the link stays usable), since it changes nothing.
export const SAME_PASSWORD_RESET_MESSAGE = 'This is already your password: sign in with it, or choose a different one';

// The same password twice is refused from the two strings alone: the 422 needs no bcrypt, spends no guess of
// the lockout budget and says nothing the caller did not send. (A wrong current_password equal to the new one
// gets this 422 too, which is harmless: the new password would not differ from what the caller believes.)
export const changePasswordSchema = z
  .object({ current_password: z.string().min(1).max(1024), new_password: passwordSchema })
  .superRefine((value, ctx) => {
    // new_password is NFKC-normalised by its schema; the hash compares NFKC forms too (auth/passwords.ts).
    if (value.new_password === value.current_password.normalize('NFKC'))
      ctx.addIssue({ code: 'custom', path: ['new_password'], message: SAME_PASSWORD_MESSAGE });
  })
  .meta({ id: 'ChangePasswordRequest' });

export const updateProfileSchema = z.object({ full_name: fullNameSchema }).meta({ id: 'UpdateProfileRequest' });

export const passwordResetRequestSchema = z.object({ email: emailSchema }).meta({ id: 'PasswordResetRequest' });

export const passwordResetConfirmSchema = z
  .object({ token: z.string().min(1).max(256), new_password: passwordSchema })
  .meta({ id: 'PasswordResetConfirm' });

export const roleSchema = z.enum(['student', 'instructor', 'admin']);
export const lessonStatusSchema = z.enum(['not_started', 'in_progress', 'completed']).meta({ id: 'LessonStatus' });
export type LessonStatus = z.infer<typeof lessonStatusSchema>;
