import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';
import type { Problem } from '../../lib/problems';

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
