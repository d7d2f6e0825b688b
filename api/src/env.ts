import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';

// The only reader of process.env (lint enforces it): one zod schema turns the environment into a typed Config.
// Every bad variable is reported in one go, on one line that names each and never echoes a secret.

export class ConfigError extends Error {}

// An empty variable counts as unset (deploy tools often write `NAME=`).
const unsetIfEmpty = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const wholeNumber = (min: number, max: number) =>
  z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
      .optional(),
  );

const text = () => z.preprocess(unsetIfEmpty, z.string().optional());

// An http(s) URL without a trailing slash (an OAuth issuer or base URL). Production refuses http: below.
const baseUrl = (fallback: string) =>
  z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      .default(fallback)
      .refine(
        (value) => URL.canParse(value) && /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(value),
        'must be an http(s) URL',
      )
      .transform((value) => value.replace(/\/+$/, '')),
  );

const envSchema = z.object({
  ENVIRONMENT: z.preprocess(unsetIfEmpty, z.enum(['development', 'test', 'production']).default('development')),
  PORT: wholeNumber(1, 65535),
  HOST: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      .regex(/^[\w.:-]{1,253}$/, 'must be a host name or an IP address')
      .optional(),
  ),
  DATABASE_URL: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string')
      .optional(),
  ),
  // The least-privilege role the service connects as (docs/cloud-run.md): after migrating, the migration run grants it
  // read/write on the app's tables and nothing that changes the schema. Quoted as an identifier, never spliced.
  DATABASE_RUNTIME_USER: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.@$-]{1,63}$/, 'must be a PostgreSQL role name (letters, digits, _ . @ $ -)')
      .optional(),
  ),
  JWT_SECRET_KEY: text(),
  JWT_ALGORITHM: z.preprocess(unsetIfEmpty, z.enum(['HS256', 'HS384', 'HS512']).default('HS256')),
  JWT_ISSUER: z.preprocess(unsetIfEmpty, z.string().default('ai-bootcamp')),
  JWT_AUDIENCE: z.preprocess(unsetIfEmpty, z.string().default('ai-bootcamp-api')),
  ACCESS_TOKEN_EXPIRE_MINUTES: wholeNumber(1, 24 * 60),
  REFRESH_TOKEN_EXPIRE_DAYS: wholeNumber(1, 365),
  CORS_ORIGINS: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .optional()
      .transform((value) =>
        value
          ?.split(',')
          .map((origin) => origin.trim().replace(/\/$/, ''))
          .filter(Boolean),
      )
      .superRefine((origins, ctx) => {
        for (const origin of origins ?? []) {
          if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
            ctx.addIssue({ code: 'custom', message: `has an invalid origin "${origin.slice(0, 60)}"` });
          }
        }
      }),
  ),
  K_SERVICE: text(),
  K_REVISION: text(),
  GOOGLE_CLOUD_PROJECT: text(),
  DB_POOL_MAX: wholeNumber(1, 200),
  BCRYPT_ROUNDS: wholeNumber(4, 16),
  PASSWORD_HASH_CONCURRENCY: wholeNumber(1, 256),
  PASSWORD_HASH_QUEUE_MAX: wholeNumber(0, 10_000),
  PASSWORD_HASH_QUEUE_WAIT_MS: wholeNumber(1, 60_000),
  RATE_LIMIT_SIGNUP_PER_MINUTE: wholeNumber(1, 1_000_000),
  RATE_LIMIT_LOGIN_PER_MINUTE: wholeNumber(1, 1_000_000),
  RATE_LIMIT_RESET_PER_MINUTE: wholeNumber(1, 1_000_000),
  RATE_LIMIT_LOGIN_PER_EMAIL_PER_MINUTE: wholeNumber(1, 1_000_000),
  RATE_LIMIT_MAIL_PER_HOUR: wholeNumber(1, 1_000_000),
  LOCKOUT_MAX_ATTEMPTS: wholeNumber(1, 100),
  LOCKOUT_MINUTES: wholeNumber(1, 24 * 60),
  REFRESH_REUSE_GRACE_SECONDS: wholeNumber(0, 300),
  SESSION_MAX_DAYS: wholeNumber(1, 365),
  TRUST_PROXY_HOPS: wholeNumber(0, 10),
  MIGRATE_CONNECT_WAIT_SECONDS: wholeNumber(0, 600),
  MIGRATE_ON_START: z.preprocess(
    unsetIfEmpty,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], 'must be true or false')
      .default('true')
      .transform((value) => ['true', '1', 'yes'].includes(value)),
  ),
  SMTP_URL: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
      .optional(),
  ),
  MAIL_FROM: z.preprocess(unsetIfEmpty, z.string().default('AI Bootcamp <no-reply@aibootcamp.local>')),
  PUBLIC_APP_URL: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL')
      .transform((url) => url.replace(/\/$/, ''))
      .optional(),
  ),
  REAUTH_MAX_AGE_SECONDS: wholeNumber(30, 86_400),
  // 32 bytes, base64: the AES-256-GCM key of TOTP secrets at rest (and, derived from it, the recovery-code pepper).
  MFA_ENCRYPTION_KEY: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      .refine((value) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) && decodeKey(value).length === 32, {
        message: 'must be 32 bytes, base64-encoded (openssl rand -base64 32)',
      })
      .optional(),
  ),
  SERVER_HEADERS_TIMEOUT_SECONDS: wholeNumber(1, 3600),
  SERVER_REQUEST_TIMEOUT_SECONDS: wholeNumber(1, 3600),
  RETENTION_INTERVAL_MINUTES: wholeNumber(1, 7 * 24 * 60),
  RETENTION_BATCH_SIZE: wholeNumber(10, 100_000),
  RETENTION_ENDED_SESSION_DAYS: wholeNumber(1, 3650),
  RETENTION_LOGIN_ATTEMPT_DAYS: wholeNumber(1, 3650),
  AUDIT_LOG_RETENTION_DAYS: wholeNumber(1, 36_500),
  RATE_LIMIT_SESSION_WRITES_PER_MINUTE: wholeNumber(1, 1_000_000),
  // A registrable domain or host, no scheme or port (e.g. `aibootcamp.example`): passkeys are bound to it for good.
  WEBAUTHN_RP_ID: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, 'must be a host name')
      .optional(),
  ),
  WEBAUTHN_ORIGINS: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((origin) => origin.trim().replace(/\/$/, ''))
          .filter(Boolean),
      )
      .superRefine((origins, ctx) => {
        for (const origin of origins) {
          if (!/^https?:\/\/[^/\s]+$/.test(origin) || !URL.canParse(origin)) {
            ctx.addIssue({ code: 'custom', message: `has an invalid origin "${origin.slice(0, 60)}"` });
          }
        }
      })
      .optional(),
  ),
  GOOGLE_CLIENT_ID: text(),
  GOOGLE_CLIENT_SECRET: text(),
  GOOGLE_ISSUER: baseUrl('https://accounts.google.com'),
  GITHUB_CLIENT_ID: text(),
  GITHUB_CLIENT_SECRET: text(),
  GITHUB_OAUTH_BASE_URL: baseUrl('https://github.com'),
  GITHUB_API_BASE_URL: baseUrl('https://api.github.com'),
  // Comma-separated; their verified, active accounts are made admins at start and at sign-in (auth/admin-grant.ts).
  ADMIN_EMAILS: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((email) => email.trim().toLowerCase())
          .filter(Boolean),
      )
      .superRefine((emails, ctx) => {
        for (const email of emails) {
          if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) {
            ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of email addresses' });
            return;
          }
        }
      }),
  ),
  PGLITE_DIR: z.preprocess(unsetIfEmpty, z.string().default('.data/pglite')),
  WEB_DIST_DIR: text(),
  LOG_LEVEL: z.preprocess(
    unsetIfEmpty,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  ),
  // Set by npm when the process runs through an npm script.
  npm_package_version: z.preprocess(unsetIfEmpty, z.string().default('0.1.0')),
});

type Env = z.infer<typeof envSchema>;

export type Config = ReturnType<typeof toConfig>;

// `purpose: 'migrate'` is the migration job: it signs no tokens, so it needs no JWT_SECRET_KEY even in production.
export type LoadOptions = { purpose?: 'server' | 'migrate' };

export function loadConfig(env: Record<string, string | undefined> = process.env, options: LoadOptions = {}): Config {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map(describeIssue);
  if (parsed.success) problems.push(...crossChecks(parsed.data, options));
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return toConfig(parsed.data);
}

// Rules that read more than one variable.
function crossChecks(env: Env, options: LoadOptions): string[] {
  const problems: string[] = [];
  if (env.JWT_SECRET_KEY !== undefined && Buffer.byteLength(env.JWT_SECRET_KEY) < 32) {
    problems.push('JWT_SECRET_KEY must be at least 32 bytes');
  }
  if (env.JWT_SECRET_KEY === undefined && env.ENVIRONMENT === 'production' && options.purpose !== 'migrate') {
    problems.push('JWT_SECRET_KEY is required in production (at least 32 bytes)');
  }
  problems.push(...oauthChecks(env));
  if (env.ENVIRONMENT === 'production') problems.push(...productionChecks(env, options));
  problems.push(...webauthnChecks(env));
  if (env.DATABASE_RUNTIME_USER !== undefined && env.DATABASE_URL === undefined) {
    problems.push('DATABASE_RUNTIME_USER needs DATABASE_URL (the embedded database has one user)');
  }
  return problems;
}

// Keys published in this repository (docker-compose.yml, the test setups). Anyone can read them, so a production
// process that signs with one hands out admin tokens to whoever looks; tests/deploy checks the compose key is here.
export const KNOWN_DEVELOPMENT_JWT_KEYS: readonly string[] = [
  'dev-only-insecure-jwt-secret-key-do-not-use-in-production',
  'test-secret-key-that-is-at-least-32-bytes-long!',
  'e2e-secret-key-that-is-at-least-32-bytes-long!',
];

// Production refuses what is only safe on a laptop: a published key, mail in clear, and links or CORS that fall
// back to localhost.
function productionChecks(env: Env, options: LoadOptions): string[] {
  const problems: string[] = [];
  if (env.JWT_SECRET_KEY !== undefined && KNOWN_DEVELOPMENT_JWT_KEYS.includes(env.JWT_SECRET_KEY)) {
    problems.push('JWT_SECRET_KEY is a published development key; generate a new one for production');
  }
  if (env.SMTP_URL !== undefined && !smtpUsesTls(env.SMTP_URL)) {
    problems.push(
      'SMTP_URL must use TLS in production: smtps://host:465 or smtp://host:587?requireTLS=true (STARTTLS)',
    );
  }
  if (env.PUBLIC_APP_URL === undefined && options.purpose !== 'migrate') {
    problems.push('PUBLIC_APP_URL is required in production (the https origin mailed links and redirects use)');
  }
  // Without the key every TOTP secret would be unreadable after a restart (or, worse, kept in plain text).
  if (env.MFA_ENCRYPTION_KEY === undefined && options.purpose !== 'migrate') {
    problems.push('MFA_ENCRYPTION_KEY is required in production (32 bytes, base64)');
  }
  return problems;
}

// nodemailer reads options from the URL's query: smtps:// (or secure=true) is TLS from the first byte;
// requireTLS=true makes STARTTLS mandatory, so a stripped STARTTLS offer fails the send instead of going out in
// clear. ignoreTLS or an unchecked certificate undoes either.
function smtpUsesTls(smtpUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    return false;
  }
  const query = url.searchParams;
  if (query.get('ignoreTLS') === 'true' || query.get('tls.rejectUnauthorized') === 'false') return false;
  return url.protocol === 'smtps:' || query.get('secure') === 'true' || query.get('requireTLS') === 'true';
}

// A provider is on when its id and secret are both set; one without the other is a mistake worth a line. In
// production every provider URL must be https (a token exchange over http hands the code and secret to anyone on
// the path); PUBLIC_APP_URL, the origin of the redirect URIs, is required in production anyway (productionChecks).
function oauthChecks(env: Env): string[] {
  const problems: string[] = [];
  for (const provider of ['GOOGLE', 'GITHUB'] as const) {
    const id = env[`${provider}_CLIENT_ID`];
    const secret = env[`${provider}_CLIENT_SECRET`];
    if ((id === undefined) !== (secret === undefined)) {
      problems.push(`${provider}_CLIENT_ID and ${provider}_CLIENT_SECRET must be set together`);
    }
  }
  if (env.ENVIRONMENT === 'production') {
    for (const name of ['GOOGLE_ISSUER', 'GITHUB_OAUTH_BASE_URL', 'GITHUB_API_BASE_URL'] as const) {
      if (!env[name].startsWith('https://')) problems.push(`${name} must be an https URL in production`);
    }
  }
  return problems;
}

// A browser makes a passkey only for an RP ID that is the page's host or a parent domain of it, so every allowed
// origin must sit on the RP ID: anything else is a configuration that could never sign anyone in.
function webauthnChecks(env: Env): string[] {
  const { rpId, origins } = webauthnSettings(env);
  const outside = origins.filter((origin) => !isOnRpId(origin, rpId));
  if (env.WEBAUTHN_ORIGINS !== undefined && outside.length > 0) {
    return [`WEBAUTHN_ORIGINS has an origin outside WEBAUTHN_RP_ID "${rpId}": ${outside.join(', ').slice(0, 120)}`];
  }
  if (env.WEBAUTHN_RP_ID !== undefined && !origins.some((origin) => isOnRpId(origin, rpId))) {
    return [`WEBAUTHN_RP_ID "${rpId}" matches none of the allowed origins (set WEBAUTHN_ORIGINS)`];
  }
  return [];
}

function isOnRpId(origin: string, rpId: string) {
  const host = new URL(origin).hostname;
  return host === rpId || host.endsWith(`.${rpId}`);
}

function corsOriginsOf(env: Env) {
  return (
    env.CORS_ORIGINS ?? (env.ENVIRONMENT === 'production' ? [] : ['http://localhost:3000', 'http://localhost:3001'])
  );
}

// The site's origin: PUBLIC_APP_URL, or this process on localhost.
function publicAppUrlOf(env: Env) {
  return env.PUBLIC_APP_URL ?? `http://localhost:${env.PORT ?? (env.K_SERVICE !== undefined ? 8080 : 8000)}`;
}

// The relying party: RP ID = the host of PUBLIC_APP_URL, origins = PUBLIC_APP_URL and CORS_ORIGINS (API.md), each
// overridable. Default origins that are not on the RP ID (another site in CORS_ORIGINS) are left out: a browser
// would refuse them anyway.
function webauthnSettings(env: Env) {
  const publicAppUrl = publicAppUrlOf(env);
  const rpId = env.WEBAUTHN_RP_ID ?? new URL(publicAppUrl).hostname;
  const origins =
    env.WEBAUTHN_ORIGINS ??
    [...new Set([publicAppUrl, ...corsOriginsOf(env)])].filter((origin) => isOnRpId(origin, rpId));
  return { rpId, origins };
}

// Standard or URL-safe base64.
function decodeKey(value: string): Buffer {
  return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  return `${String(issue.path[0] ?? 'environment')} ${issue.message}`;
}

function toConfig(env: Env) {
  // Cloud Run's profile (K_SERVICE is set there): a small pool per instance, a cheaper bcrypt, one proxy hop.
  const onCloudRun = env.K_SERVICE !== undefined;
  const port = env.PORT ?? 8000;
  const jwtSecretGenerated = env.JWT_SECRET_KEY === undefined;
  const publicAppUrl = publicAppUrlOf(env);
  return {
    environment: env.ENVIRONMENT,
    version: env.npm_package_version,
    port,
    // Production listens on every interface (a container's port is published from outside it); elsewhere only
    // loopback, so a laptop on café Wi-Fi does not serve its development API to the room.
    host: env.HOST ?? (env.ENVIRONMENT === 'production' ? '0.0.0.0' : '127.0.0.1'),
    server: {
      // Cloud Run holds a request up to its own timeout (300 s by default) but buffers nothing for us: a client that
      // sends headers or a body 1 byte a second would keep a socket and its memory for as long as it likes.
      headersTimeoutMs: (env.SERVER_HEADERS_TIMEOUT_SECONDS ?? 20) * 1000,
      requestTimeoutMs: (env.SERVER_REQUEST_TIMEOUT_SECONDS ?? 60) * 1000,
    },
    databaseUrl: env.DATABASE_URL,
    databaseRuntimeUser: env.DATABASE_RUNTIME_USER,
    jwt: {
      // Without a key (development and test only: production is refused above), a random one per process:
      // tokens do not survive a restart.
      secret: jwtSecretGenerated ? new Uint8Array(randomBytes(48)) : new TextEncoder().encode(env.JWT_SECRET_KEY),
      algorithm: env.JWT_ALGORITHM,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
    },
    jwtSecretGenerated,
    accessTokenTtlSeconds: (env.ACCESS_TOKEN_EXPIRE_MINUTES ?? 60) * 60,
    refreshTokenTtlSeconds: (env.REFRESH_TOKEN_EXPIRE_DAYS ?? 7) * 86_400,
    sessionMaxSeconds: (env.SESSION_MAX_DAYS ?? 30) * 86_400,
    refreshReuseGraceSeconds: env.REFRESH_REUSE_GRACE_SECONDS ?? 10,
    // The site and the API share one origin; the localhost default serves a separate dev server, never production.
    corsOrigins: corsOriginsOf(env),
    cloudRun: onCloudRun
      ? { service: env.K_SERVICE as string, revision: env.K_REVISION, project: env.GOOGLE_CLOUD_PROJECT }
      : undefined,
    dbPoolMax: env.DB_POOL_MAX ?? (onCloudRun ? 5 : 15),
    bcryptRounds: env.BCRYPT_ROUNDS ?? (onCloudRun ? 10 : 12),
    // The one ceiling on bcrypt work per process (auth/passwords.ts): jobs in flight, jobs waiting, longest wait.
    // Beyond it a request is answered 503 with Retry-After at once.
    passwordHashing: {
      concurrency: env.PASSWORD_HASH_CONCURRENCY ?? availableParallelism(),
      queueMax: env.PASSWORD_HASH_QUEUE_MAX ?? 16,
      queueWaitMs: env.PASSWORD_HASH_QUEUE_WAIT_MS ?? 3000,
    },
    rateLimits: {
      signupPerMinute: env.RATE_LIMIT_SIGNUP_PER_MINUTE ?? 5,
      loginPerMinute: env.RATE_LIMIT_LOGIN_PER_MINUTE ?? 10,
      resetPerMinute: env.RATE_LIMIT_RESET_PER_MINUTE ?? 5,
      // Per account, whatever the address: rotating IPs does not buy more sign-ins or more mail to one inbox.
      loginPerEmailPerMinute: env.RATE_LIMIT_LOGIN_PER_EMAIL_PER_MINUTE ?? 10,
      mailPerHour: env.RATE_LIMIT_MAIL_PER_HOUR ?? 3,
      // Per session: refreshes and profile writes, which a stolen token could otherwise loop on.
      sessionWritesPerMinute: env.RATE_LIMIT_SESSION_WRITES_PER_MINUTE ?? 60,
    },
    lockout: { maxAttempts: env.LOCKOUT_MAX_ATTEMPTS ?? 5, lockSeconds: (env.LOCKOUT_MINUTES ?? 30) * 60 },
    trustProxyHops: env.TRUST_PROXY_HOPS ?? (onCloudRun ? 1 : 0),
    migrateOnStart: env.MIGRATE_ON_START,
    // How long `npm run db:migrate` (the migration job) waits for an unreachable database before it gives up.
    migrateConnectWaitMs: (env.MIGRATE_CONNECT_WAIT_SECONDS ?? 120) * 1000,
    mail: {
      smtpUrl: env.SMTP_URL,
      from: env.MAIL_FROM,
      publicAppUrl,
    },
    reauthMaxAgeSeconds: env.REAUTH_MAX_AGE_SECONDS ?? 600,
    retention: {
      intervalSeconds: (env.RETENTION_INTERVAL_MINUTES ?? 60) * 60,
      batchSize: env.RETENTION_BATCH_SIZE ?? 1000,
      endedSessionSeconds: (env.RETENTION_ENDED_SESSION_DAYS ?? 30) * 86_400,
      loginAttemptSeconds: (env.RETENTION_LOGIN_ATTEMPT_DAYS ?? 30) * 86_400,
      auditLogSeconds: (env.AUDIT_LOG_RETENTION_DAYS ?? 365) * 86_400,
    },
    webauthn: webauthnSettings(env),
    mfa: {
      // Unset outside production: development keeps a generated key in `devKeyFile` (so a restart keeps every
      // enrollment), tests without one get a random key per process (auth/mfa-keys.ts).
      encryptionKey: env.MFA_ENCRYPTION_KEY === undefined ? undefined : decodeKey(env.MFA_ENCRYPTION_KEY),
      devKeyFile: join(dirname(env.PGLITE_DIR), 'mfa-encryption-key'),
    },
    oauth: {
      // Each provider's redirect URI is `${publicAppUrl}/api/v1/auth/oauth/<provider>/callback`.
      publicAppUrl,
      google:
        env.GOOGLE_CLIENT_ID && env.GOOGLE_CLIENT_SECRET
          ? { clientId: env.GOOGLE_CLIENT_ID, clientSecret: env.GOOGLE_CLIENT_SECRET, issuer: env.GOOGLE_ISSUER }
          : undefined,
      github:
        env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET
          ? {
              clientId: env.GITHUB_CLIENT_ID,
              clientSecret: env.GITHUB_CLIENT_SECRET,
              oauthBaseUrl: env.GITHUB_OAUTH_BASE_URL,
              apiBaseUrl: env.GITHUB_API_BASE_URL,
            }
          : undefined,
    },
    adminEmails: env.ADMIN_EMAILS,
    pgliteDir: env.PGLITE_DIR,
    webDistDir: env.WEB_DIST_DIR,
    logLevel: env.LOG_LEVEL ?? (env.ENVIRONMENT === 'test' ? 'silent' : 'info'),
  };
}
