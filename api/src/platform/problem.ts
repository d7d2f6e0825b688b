// Problem answers (RFC 9457); their schema lives in ../shared/problem.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type FieldError, type Problem, type ProblemCode, problemSchema, type StepUpMethod } from '../shared/problem';

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  423: 'Locked',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export type ProblemMembers = {
  code?: ProblemCode;
  methods?: StepUpMethod[];
  mfa_token?: string;
  errors?: FieldError[];
  attempts_remaining?: number;
};

export function problemBody(status: number, detail: string, members: ProblemMembers = {}): Problem {
  const { code, methods, mfa_token, errors, attempts_remaining } = members;
  return {
    type: 'about:blank',
    title: titles[status] ?? 'Error',
    status,
    detail,
    ...(code ? { code } : {}),
    ...(methods ? { methods } : {}),
    ...(mfa_token ? { mfa_token } : {}),
    ...(errors ? { errors } : {}),
    ...(attempts_remaining !== undefined ? { attempts_remaining } : {}),
  };
}

// `code` (API.md, "Problem codes") lets a client tell apart two answers with the same status.
export function problem<S extends ContentfulStatusCode>(
  c: Context,
  status: S,
  detail: string,
  options: ProblemMembers & { headers?: Record<string, string> } = {},
) {
  // c.json keeps the body typed (route handlers type-check against their declared problem responses); the media
  // type is RFC 9457's.
  return c.json(problemBody(status, detail, options), status, {
    ...options.headers,
    'Content-Type': 'application/problem+json',
  });
}

// A 422 for a rule the route schema cannot check (the common-password list, the account's email), shaped
// exactly like the defaultHook's so the browser shows it beside the field.
export function validationProblem(c: Context, errors: FieldError[]) {
  return problem(c, 422, 'The request did not pass validation.', { errors });
}

// OpenAPI response entries for problems, so every declared status has its body in the spec.
export function problemResponses<const S extends readonly number[]>(...statuses: S) {
  const entries = statuses.map((status) => [
    status,
    {
      description: titles[status] ?? 'Error',
      content: { 'application/problem+json': { schema: problemSchema } },
    },
  ]);
  return Object.fromEntries(entries) as {
    [K in S[number]]: {
      description: string;
      content: { 'application/problem+json': { schema: typeof problemSchema } };
    };
  };
}
