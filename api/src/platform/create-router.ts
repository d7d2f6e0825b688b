import { OpenAPIHono } from '@hono/zod-openapi';
import { problem } from './problem';
import type { AppBindings } from './types';

// One defaultHook for every router: a failed validation is a 422 problem listing each field.
export function createRouter() {
  return new OpenAPIHono<AppBindings>({
    strict: false,
    defaultHook: (result, c) => {
      if (result.success) return;
      const errors = result.error.issues.map((issue) => ({
        field: issue.path.length > 0 ? issue.path.join('.') : result.target,
        message: issue.message,
      }));
      return problem(c, 422, 'The request did not pass validation.', { errors });
    },
  });
}
