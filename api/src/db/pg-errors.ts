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

// The database cannot be reached (refused, reset, timed out, shutting down, out of connections). The request was
// fine; the service is briefly unavailable, and the pool reconnects on its own, so the answer is 503 + Retry-After.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '53300',
  '57P01',
  '57P02',
  '57P03',
]);

// The SQLSTATE or the driver's/socket's error code, when the error carries one.
export function pgErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

export function isDatabaseUnavailable(error: unknown): boolean {
  const code = pgErrorCode(error);
  if (code === undefined) return false;
  return UNAVAILABLE_CODES.has(code) || code.startsWith('08');
}
