import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';
import { type Problem, rateLimitedMessage, readProblem, UNEXPECTED_ERROR } from '../../lib/problems';

/**
 * Puts a 422's `errors[]` on the form's own fields (the first error focused). Returns the messages that match no
 * field, for the form's alert. `aliases` maps API field names onto form fields (`username` → `email` at login).
 */
export function applyFieldErrors<T extends FieldValues>(
  problem: Problem,
  fields: readonly Path<T>[],
  setError: UseFormSetError<T>,
  aliases: Partial<Record<string, Path<T>>> = {},
): string[] {
  const unmatched: string[] = [];
  let focused = false;
  for (const { field, message } of problem.errors ?? []) {
    const name = aliases[field] ?? fields.find((candidate) => candidate === field);
    if (!name) {
      unmatched.push(message);
      continue;
    }
    setError(name, { type: 'server', message }, { shouldFocus: !focused });
    focused = true;
  }
  return unmatched;
}

type ProblemHandling<T extends FieldValues> = {
  fields: readonly Path<T>[];
  setError: UseFormSetError<T>;
  setAlert: (message: string) => void;
  aliases?: Partial<Record<string, Path<T>>>;
  /**
   * A 429 in words: `true` for rateLimitedMessage's own, a string for its opening ("Too many attempts."). Without
   * it a 429 shows the API's detail like any other answer.
   */
  rateLimited?: true | string;
  /** The body, when the form has already read it (a body reads only once). */
  problem?: Problem;
};

/**
 * What every form does with an answer it has no special case for: a 429 says how long to wait (when the form
 * asks for it), a 422 puts its errors on the fields and the rest in the alert, anything else shows the problem's
 * detail or UNEXPECTED_ERROR.
 */
export async function showProblem<T extends FieldValues>(
  response: Response,
  { fields, setError, setAlert, aliases, rateLimited, problem }: ProblemHandling<T>,
): Promise<void> {
  if (response.status === 429 && rateLimited !== undefined) {
    setAlert(rateLimitedMessage(response, rateLimited === true ? undefined : rateLimited));
    return;
  }
  const body = problem ?? (await readProblem(response));
  if (response.status !== 422) {
    setAlert(body.detail ?? UNEXPECTED_ERROR);
    return;
  }
  const [first] = applyFieldErrors(body, fields, setError, aliases);
  if (first !== undefined) setAlert(first);
}
