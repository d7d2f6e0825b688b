import postgres from 'postgres';

// SQLSTATE codes we map to HTTP answers: https://www.postgresql.org/docs/current/errcodes-appendix.html
export const PG_UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof postgres.PostgresError && error.code === PG_UNIQUE_VIOLATION;
}
