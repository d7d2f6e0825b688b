import type { AppRouteHandler } from '../../lib/types';
import { getAuth } from '../../middlewares/require-auth';
import { toUserResponse } from '../auth/auth.schemas';
import type { GetMeRoute } from './users.routes';

// One round trip: requireAuth already loaded the user with the session check.
export const getMe: AppRouteHandler<GetMeRoute> = (c) => c.json(toUserResponse(getAuth(c).user), 200);
