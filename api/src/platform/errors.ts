import type { ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { PasswordWorkBusy } from '../auth/passwords';
import { isBadInputError, isDatabaseUnavailable, pgErrorCode } from '../db/pg-errors';
import { problem } from './problem';
import type { AppBindings } from './types';

// The one onError: every failure leaves as a problem, never a stack trace. Expected client errors keep their
// status; input PostgreSQL refuses is a 400; an unreachable database or full password gate is a 503 the client may
// retry.
export const onError: ErrorHandler<AppBindings> = (error, c) => {
  if (error instanceof HTTPException && error.status < 500) {
    const detail = error.status === 400 ? 'The request body is not valid JSON or form data.' : error.message;
    return problem(c, error.status, detail || 'The request could not be processed.');
  }
  if (isBadInputError(error)) {
    return problem(c, 400, 'The request contains characters or values that cannot be stored.');
  }
  // Password hashing is at its ceiling (auth/passwords.ts): shed at once, the client may retry shortly. Nothing was
  // counted or changed for this request.
  if (error instanceof PasswordWorkBusy) {
    return problem(c, 503, 'The service is busy. Try again in a few seconds.', {
      headers: { 'Retry-After': String(error.retryAfterSeconds) },
    });
  }
  const requestId = c.get('requestId');
  if (isDatabaseUnavailable(error)) {
    c.var.deps?.logger.error({ code: pgErrorCode(error), requestId }, 'database unavailable');
    return problem(
      c,
      503,
      `The service is briefly unavailable. Try again in a few seconds (request id ${requestId}).`,
      {
        headers: { 'Retry-After': '5' },
      },
    );
  }
  c.var.deps?.logger.error({ err: sanitize(error), requestId }, 'unhandled error');
  return problem(c, 500, `Something went wrong on our side. Quote request id ${requestId} if you contact us.`);
};

// The log keeps the name, message and stack for us; the response above never carries any of them.
function sanitize(error: unknown) {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { message: String(error) };
}
