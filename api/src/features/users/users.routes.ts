import { createRoute } from '@hono/zod-openapi';
import { problemResponses } from '../../lib/problem';
import { requireAuth } from '../../middlewares/require-auth';
import { userSchema } from '../auth/auth.schemas';

const tags = ['Users'];
const security = [{ OAuth2PasswordBearer: [] }];

export const getMe = createRoute({
  method: 'get',
  path: '/me',
  tags,
  security,
  summary: 'The signed-in user',
  middleware: [requireAuth()] as const,
  responses: {
    200: { description: 'The user', content: { 'application/json': { schema: userSchema } } },
    ...problemResponses(401),
  },
});
export type GetMeRoute = typeof getMe;
