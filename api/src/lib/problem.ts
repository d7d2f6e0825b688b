import type { Context, TypedResponse } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';

// RFC 9457 problem details: the one shape of every error this API returns.

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export type Problem = z.infer<typeof problemSchema>;
export type FieldError = { field: string; message: string };

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

export function problemBody(status: number, detail: string, errors?: FieldError[]): Problem {
  return { type: 'about:blank', title: titles[status] ?? 'Error', status, detail, ...(errors ? { errors } : {}) };
}

export function problem<S extends ContentfulStatusCode>(
  c: Context,
  status: S,
  detail: string,
  options: { errors?: FieldError[]; headers?: Record<string, string> } = {},
): Response & TypedResponse<Problem, S, 'json'> {
  for (const [name, value] of Object.entries(options.headers ?? {})) c.header(name, value);
  c.header('Content-Type', 'application/problem+json');
  // Typed as the JSON problem it is, so route handlers type-check against their declared problem responses.
  return c.body(JSON.stringify(problemBody(status, detail, options.errors)), status) as unknown as Response &
    TypedResponse<Problem, S, 'json'>;
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
