import { randomBytes } from 'node:crypto';
import { z } from 'zod';

// The only reader of process.env. Everything else receives a typed Config.

const intFrom = (fallback: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .transform((value) => value ?? fallback);

const boolFrom = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((value) => (value === undefined ? fallback : ['true', '1', 'yes'].includes(value)));

const rawSchema = z.object({
  ENVIRONMENT: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.string().optional(),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  JWT_SECRET_KEY: z.string().optional(),
  JWT_ALGORITHM: z.enum(['HS256', 'HS384', 'HS512']).default('HS256'),
  JWT_ISSUER: z.string().min(1).default('ai-bootcamp'),
  JWT_AUDIENCE: z.string().min(1).default('ai-bootcamp-api'),
  ACCESS_TOKEN_EXPIRE_MINUTES: z.string().optional(),
  REFRESH_TOKEN_EXPIRE_DAYS: z.string().optional(),
  CORS_ORIGINS: z.string().default('http://localhost:3000,http://localhost:3001'),
  K_SERVICE: z.string().optional(),
  K_REVISION: z.string().optional(),
  GOOGLE_CLOUD_PROJECT: z.string().optional(),
  DB_POOL_MAX: z.string().optional(),
  BCRYPT_ROUNDS: z.string().optional(),
  RATE_LIMIT_SIGNUP_PER_MINUTE: z.string().optional(),
  RATE_LIMIT_LOGIN_PER_MINUTE: z.string().optional(),
  RATE_LIMIT_RESET_PER_MINUTE: z.string().optional(),
  LOCKOUT_MAX_ATTEMPTS: z.string().optional(),
  LOCKOUT_MINUTES: z.string().optional(),
  REFRESH_REUSE_GRACE_SECONDS: z.string().optional(),
  SESSION_MAX_DAYS: z.string().optional(),
  TRUST_PROXY_HOPS: z.string().optional(),
  MIGRATE_ON_START: z.string().optional(),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().optional(),
  PUBLIC_APP_URL: z.string().optional(),
  PGLITE_DIR: z.string().optional(),
  WEB_DIST_DIR: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
});

export type Config = {
  environment: 'development' | 'test' | 'production';
  port: number;
  databaseUrl: string | undefined;
  jwt: { secret: Uint8Array; algorithm: 'HS256' | 'HS384' | 'HS512'; issuer: string; audience: string };
  jwtSecretGenerated: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  sessionMaxSeconds: number;
  refreshReuseGraceSeconds: number;
  corsOrigins: string[];
  cloudRun: { service: string; revision: string | undefined; project: string | undefined } | undefined;
  dbPoolMax: number;
  bcryptRounds: number;
  rateLimits: { signupPerMinute: number; loginPerMinute: number; resetPerMinute: number };
  lockout: { maxAttempts: number; lockSeconds: number };
  trustProxyHops: number;
  migrateOnStart: boolean;
  mail: { smtpUrl: string | undefined; from: string; publicAppUrl: string };
  pgliteDir: string;
  webDistDir: string | undefined;
  logLevel: string;
};

export class ConfigError extends Error {}

// Each rule names its variable so a bad configuration stops the process with one clear line.
const numberRules = {
  PORT: intFrom(8000, 1, 65535),
  ACCESS_TOKEN_EXPIRE_MINUTES: intFrom(60, 1, 24 * 60),
  REFRESH_TOKEN_EXPIRE_DAYS: intFrom(7, 1, 365),
  DB_POOL_MAX: intFrom(15, 1, 200),
  BCRYPT_ROUNDS: intFrom(12, 4, 16),
  RATE_LIMIT_SIGNUP_PER_MINUTE: intFrom(5, 1, 1_000_000),
  RATE_LIMIT_LOGIN_PER_MINUTE: intFrom(10, 1, 1_000_000),
  RATE_LIMIT_RESET_PER_MINUTE: intFrom(5, 1, 1_000_000),
  LOCKOUT_MAX_ATTEMPTS: intFrom(5, 1, 100),
  LOCKOUT_MINUTES: intFrom(30, 1, 24 * 60),
  REFRESH_REUSE_GRACE_SECONDS: intFrom(10, 0, 300),
  SESSION_MAX_DAYS: intFrom(30, 1, 365),
  TRUST_PROXY_HOPS: intFrom(0, 0, 10),
} as const;

function fail(variable: string, message: string): never {
  throw new ConfigError(`Invalid configuration: ${variable} ${message}`);
}

// `purpose: 'migrate'` is the migration job: it signs no tokens, so it needs no JWT_SECRET_KEY even in production.
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  options: { purpose?: 'server' | 'migrate' } = {},
): Config {
  const parsed = rawSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(String(issue?.path[0] ?? 'environment'), issue?.message ?? 'is invalid');
  }
  const raw = parsed.data;
  const onCloudRun = Boolean(raw.K_SERVICE);

  const num = (name: keyof typeof numberRules, cloudRunDefault?: number): number => {
    const value = env[name];
    if (value === undefined || value === '') {
      if (onCloudRun && cloudRunDefault !== undefined) return cloudRunDefault;
    }
    const result = numberRules[name].safeParse(value === '' ? undefined : value);
    if (!result.success) fail(name, `must be a whole number in range (got "${String(value).slice(0, 20)}")`);
    return result.data;
  };

  const secretText = raw.JWT_SECRET_KEY;
  let secret: Uint8Array;
  let jwtSecretGenerated = false;
  if (secretText) {
    if (Buffer.byteLength(secretText) < 32) fail('JWT_SECRET_KEY', 'must be at least 32 bytes');
    secret = new TextEncoder().encode(secretText);
  } else if (raw.ENVIRONMENT === 'production' && options.purpose !== 'migrate') {
    fail('JWT_SECRET_KEY', 'is required in production (at least 32 bytes)');
  } else {
    // A random key per process: tokens do not survive a restart, which is fine for development.
    secret = randomBytes(48);
    jwtSecretGenerated = true;
  }

  const corsOrigins = raw.CORS_ORIGINS.split(',')
    .map((origin) => origin.trim().replace(/\/$/, ''))
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) fail('CORS_ORIGINS', `has an invalid origin "${origin.slice(0, 60)}"`);
  }

  const publicAppUrl = (raw.PUBLIC_APP_URL ?? `http://localhost:${num('PORT', 8080)}`).replace(/\/$/, '');
  if (!/^https?:\/\/[^\s]+$/.test(publicAppUrl)) fail('PUBLIC_APP_URL', 'must be an http(s) URL');
  if (raw.SMTP_URL && !/^smtps?:\/\//.test(raw.SMTP_URL)) fail('SMTP_URL', 'must start with smtp:// or smtps://');

  const migrate = boolFrom(true).safeParse(raw.MIGRATE_ON_START);
  if (!migrate.success) fail('MIGRATE_ON_START', 'must be true or false');

  return {
    environment: raw.ENVIRONMENT,
    port: num('PORT'),
    databaseUrl: raw.DATABASE_URL,
    jwt: { secret, algorithm: raw.JWT_ALGORITHM, issuer: raw.JWT_ISSUER, audience: raw.JWT_AUDIENCE },
    jwtSecretGenerated,
    accessTokenTtlSeconds: num('ACCESS_TOKEN_EXPIRE_MINUTES') * 60,
    refreshTokenTtlSeconds: num('REFRESH_TOKEN_EXPIRE_DAYS') * 86_400,
    sessionMaxSeconds: num('SESSION_MAX_DAYS') * 86_400,
    refreshReuseGraceSeconds: num('REFRESH_REUSE_GRACE_SECONDS'),
    corsOrigins,
    cloudRun: raw.K_SERVICE
      ? { service: raw.K_SERVICE, revision: raw.K_REVISION, project: raw.GOOGLE_CLOUD_PROJECT }
      : undefined,
    dbPoolMax: num('DB_POOL_MAX', 5),
    bcryptRounds: num('BCRYPT_ROUNDS', 10),
    rateLimits: {
      signupPerMinute: num('RATE_LIMIT_SIGNUP_PER_MINUTE'),
      loginPerMinute: num('RATE_LIMIT_LOGIN_PER_MINUTE'),
      resetPerMinute: num('RATE_LIMIT_RESET_PER_MINUTE'),
    },
    lockout: { maxAttempts: num('LOCKOUT_MAX_ATTEMPTS'), lockSeconds: num('LOCKOUT_MINUTES') * 60 },
    trustProxyHops: num('TRUST_PROXY_HOPS', 1),
    migrateOnStart: migrate.data,
    mail: {
      smtpUrl: raw.SMTP_URL || undefined,
      from: raw.MAIL_FROM ?? 'AI Bootcamp <no-reply@aibootcamp.local>',
      publicAppUrl,
    },
    pgliteDir: raw.PGLITE_DIR ?? '.data/pglite',
    webDistDir: raw.WEB_DIST_DIR,
    logLevel: raw.LOG_LEVEL ?? (raw.ENVIRONMENT === 'test' ? 'silent' : 'info'),
  };
}
