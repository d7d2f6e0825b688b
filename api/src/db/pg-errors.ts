import postgres from 'postgres';

// SQLSTATE codes we map to HTTP answers: https://www.postgresql.org/docs/current/errcodes-appendix.html
export const PG_UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof postgres.PostgresError && error.code === PG_UNIQUE_VIOLATION;
}

// Data exceptions PostgreSQL raises for input it cannot take (a NUL byte in text, a malformed uuid, an over-long
// value): the request was bad, so the answer is a 400, not a 500. A safety net behind the route schemas.
const BAD_INPUT_CODES = new Set(['22021', '22P02', '22P05', '22001', '54000']);

export function isBadInputError(error: unknown): boolean {
  return error instanceof postgres.PostgresError && BAD_INPUT_CODES.has(error.code);
}
