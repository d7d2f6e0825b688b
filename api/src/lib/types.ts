import type { RouteConfig, RouteHandler } from '@hono/zod-openapi';
import type { Sql } from '../db/sql';
import type { Config } from '../env';
import type { Logger } from './logger';
import type { Mailer } from './mailer';

export type Clock = { now: () => Date };

export type Deps = {
  config: Config;
  sql: Sql;
  logger: Logger;
  clock: Clock;
  version: string;
  // Verified against when the email is unknown, so both paths cost one bcrypt verify.
  dummyHash: Promise<string>;
  // Sends in the background, after the database commit; a request never waits for SMTP.
  mailer: Mailer;
};

export type AuthUser = {
  id: string;
  email: string;
  full_name: string;
  role: 'student' | 'instructor' | 'admin';
  is_active: boolean;
  is_verified: boolean;
  created_at: Date;
  last_login_at: Date | null;
};

export type AuthContext = { user: AuthUser; sessionId: string };

export type AppBindings = {
  Variables: {
    deps: Deps;
    requestId: string;
    clientIp: string;
    auth: AuthContext | undefined;
  };
};

export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppBindings>;
