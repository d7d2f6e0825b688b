import { describe, expect, it } from 'vitest';
import { ConfigError, KNOWN_DEVELOPMENT_JWT_KEYS, loadConfig } from './env';

const SECRET = 'a-production-secret-that-is-long-enough-0123456789';

// loadConfig with exactly these variables: nothing leaks in from the process environment.
function configWith(env: Record<string, string> = {}) {
  return loadConfig(env);
}

function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('loadConfig with an empty environment gives the documented defaults', () => {
    const config = configWith();
    expect(config.environment).toBe('development');
    expect(config.port).toBe(8000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.jwt.algorithm).toBe('HS256');
    expect(config.jwt.issuer).toBe('ai-bootcamp');
    expect(config.jwt.audience).toBe('ai-bootcamp-api');
    expect(config.accessTokenTtlSeconds).toBe(60 * 60);
    expect(config.refreshTokenTtlSeconds).toBe(7 * 86_400);
    expect(config.sessionMaxSeconds).toBe(30 * 86_400);
    expect(config.refreshReuseGraceSeconds).toBe(10);
    expect(config.corsOrigins).toEqual(['http://localhost:3000', 'http://localhost:3001']);
    expect(config.cloudRun).toBeUndefined();
    expect(config.dbPoolMax).toBe(15);
    expect(config.bcryptRounds).toBe(12);
    expect(config.rateLimits).toEqual({
      signupPerMinute: 5,
      loginPerMinute: 10,
      resetPerMinute: 5,
      loginPerEmailPerMinute: 10,
      mailPerHour: 3,
      sessionWritesPerMinute: 60,
    });
    expect(config.host).toBe('127.0.0.1');
    expect(config.server).toEqual({ headersTimeoutMs: 20_000, requestTimeoutMs: 60_000 });
    expect(config.retention).toEqual({
      intervalSeconds: 3600,
      batchSize: 1000,
      endedSessionSeconds: 30 * 86_400,
      loginAttemptSeconds: 30 * 86_400,
      auditLogSeconds: 365 * 86_400,
    });
    expect(config.lockout).toEqual({ maxAttempts: 5, lockSeconds: 30 * 60 });
    expect(config.trustProxyHops).toBe(0);
    expect(config.migrateOnStart).toBe(true);
    expect(config.mail.smtpUrl).toBeUndefined();
  });

  it('loadConfig in development without JWT_SECRET_KEY generates a random key of at least 32 bytes', () => {
    const first = configWith();
    const second = configWith();
    expect(first.jwtSecretGenerated).toBe(true);
    expect(first.jwt.secret.byteLength).toBeGreaterThanOrEqual(32);
    expect(Buffer.from(first.jwt.secret).equals(Buffer.from(second.jwt.secret))).toBe(false);
  });

  it('loadConfig reads overrides', () => {
    const config = configWith({
      ENVIRONMENT: 'test',
      PORT: '9000',
      DATABASE_URL: 'postgres://u@db:5432/app',
      JWT_SECRET_KEY: SECRET,
      JWT_ALGORITHM: 'HS512',
      ACCESS_TOKEN_EXPIRE_MINUTES: '15',
      REFRESH_TOKEN_EXPIRE_DAYS: '14',
      CORS_ORIGINS: 'https://app.example.com/, http://localhost:4321',
      LOCKOUT_MAX_ATTEMPTS: '3',
      LOCKOUT_MINUTES: '10',
      TRUST_PROXY_HOPS: '2',
    });
    expect(config.port).toBe(9000);
    expect(config.databaseUrl).toBe('postgres://u@db:5432/app');
    expect(config.jwtSecretGenerated).toBe(false);
    expect(new TextDecoder().decode(config.jwt.secret)).toBe(SECRET);
    expect(config.jwt.algorithm).toBe('HS512');
    expect(config.accessTokenTtlSeconds).toBe(900);
    expect(config.refreshTokenTtlSeconds).toBe(14 * 86_400);
    expect(config.corsOrigins).toEqual(['https://app.example.com', 'http://localhost:4321']);
    expect(config.lockout).toEqual({ maxAttempts: 3, lockSeconds: 600 });
    expect(config.trustProxyHops).toBe(2);
    expect(config.logLevel).toBe('silent');
  });
});

describe('loadConfig failures name the variable', () => {
  it('loadConfig in production without JWT_SECRET_KEY throws a ConfigError naming JWT_SECRET_KEY', () => {
    const error = configErrorOf({ ENVIRONMENT: 'production' });
    expect(error.message).toMatch(/JWT_SECRET_KEY/);
    expect(error.message).not.toMatch(/\n/);
  });

  it('loadConfig with a JWT_SECRET_KEY under 32 bytes throws naming it, in every environment', () => {
    for (const ENVIRONMENT of ['production', 'development', 'test']) {
      const error = configErrorOf({ ENVIRONMENT, JWT_SECRET_KEY: 'short-secret' });
      expect(error.message).toMatch(/JWT_SECRET_KEY/);
      expect(error.message).toMatch(/32/);
      expect(error.message).not.toContain('short-secret');
    }
  });

  it('loadConfig accepts a 32-byte JWT_SECRET_KEY in production', () => {
    const config = configWith({
      ENVIRONMENT: 'production',
      JWT_SECRET_KEY: 'x'.repeat(32),
      PUBLIC_APP_URL: 'https://bootcamp.example.com',
      MFA_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
    });
    expect(config.environment).toBe('production');
    expect(config.jwtSecretGenerated).toBe(false);
  });

  it('loadConfig in production without MFA_ENCRYPTION_KEY throws a ConfigError naming it', () => {
    const error = configErrorOf({ ENVIRONMENT: 'production', JWT_SECRET_KEY: 'x'.repeat(32) });
    expect(error.message).toMatch(/MFA_ENCRYPTION_KEY is required in production/);
  });

  it('loadConfig refuses an MFA_ENCRYPTION_KEY that is not 32 bytes of base64, without echoing it', () => {
    const error = configErrorOf({ MFA_ENCRYPTION_KEY: 'c2hvcnQta2V5' });
    expect(error.message).toMatch(/MFA_ENCRYPTION_KEY must be 32 bytes, base64-encoded/);
    expect(error.message).not.toContain('c2hvcnQta2V5');
    const config = configWith({ MFA_ENCRYPTION_KEY: Buffer.alloc(32, 2).toString('base64url') });
    expect(config.mfa.encryptionKey).toEqual(Buffer.alloc(32, 2));
  });

  it('loadConfig with PORT=abc throws a ConfigError naming PORT', () => {
    const error = configErrorOf({ PORT: 'abc' });
    expect(error.message).toMatch(/\bPORT\b/);
    expect(error.message).not.toMatch(/\n/);
  });

  it('loadConfig rejects out-of-range and non-integer numbers, naming each variable', () => {
    const cases: Record<string, string> = {
      PORT: '70000',
      BCRYPT_ROUNDS: '3',
      DB_POOL_MAX: '0',
      ACCESS_TOKEN_EXPIRE_MINUTES: '1.5',
      TRUST_PROXY_HOPS: '-1',
      LOCKOUT_MAX_ATTEMPTS: 'five',
      RATE_LIMIT_LOGIN_PER_MINUTE: '10abc',
    };
    for (const [name, value] of Object.entries(cases)) {
      expect(configErrorOf({ [name]: value }).message, name).toContain(name);
    }
  });

  it('loadConfig rejects a bad ENVIRONMENT, JWT_ALGORITHM, DATABASE_URL or CORS origin, naming it', () => {
    expect(configErrorOf({ ENVIRONMENT: 'staging' }).message).toContain('ENVIRONMENT');
    expect(configErrorOf({ JWT_ALGORITHM: 'none' }).message).toContain('JWT_ALGORITHM');
    expect(configErrorOf({ JWT_ALGORITHM: 'RS256' }).message).toContain('JWT_ALGORITHM');
    expect(configErrorOf({ DATABASE_URL: 'mysql://x' }).message).toContain('DATABASE_URL');
    expect(configErrorOf({ CORS_ORIGINS: 'not a url' }).message).toContain('CORS_ORIGINS');
    expect(configErrorOf({ CORS_ORIGINS: 'https://a.example/path' }).message).toContain('CORS_ORIGINS');
  });

  it('DATABASE_RUNTIME_USER takes a role name, only with DATABASE_URL, and the migration job reads it', () => {
    const url = 'postgres://owner@db:5432/app';
    expect(configWith({ DATABASE_URL: url }).databaseRuntimeUser).toBeUndefined();
    expect(configWith({ DATABASE_URL: url, DATABASE_RUNTIME_USER: ' aibootcamp_app ' }).databaseRuntimeUser).toBe(
      'aibootcamp_app',
    );
    const job = loadConfig(
      { ENVIRONMENT: 'production', DATABASE_URL: url, DATABASE_RUNTIME_USER: 'aibootcamp_app' },
      { purpose: 'migrate' },
    );
    expect(job.databaseRuntimeUser).toBe('aibootcamp_app');
    expect(configErrorOf({ DATABASE_URL: url, DATABASE_RUNTIME_USER: 'app"; drop' }).message).toContain(
      'DATABASE_RUNTIME_USER must be a PostgreSQL role name',
    );
    expect(configErrorOf({ DATABASE_RUNTIME_USER: 'aibootcamp_app' }).message).toContain(
      'DATABASE_RUNTIME_USER needs DATABASE_URL',
    );
  });
});

describe('loadConfig on Cloud Run', () => {
  it('loadConfig with K_SERVICE set uses pool 5, bcrypt cost 10 and one trusted proxy hop', () => {
    const config = configWith({ K_SERVICE: 'aibc-api', K_REVISION: 'aibc-api-00001', JWT_SECRET_KEY: SECRET });
    expect(config.cloudRun).toEqual({ service: 'aibc-api', revision: 'aibc-api-00001', project: undefined });
    expect(config.dbPoolMax).toBe(5);
    expect(config.bcryptRounds).toBe(10);
    expect(config.trustProxyHops).toBe(1);
  });

  it('loadConfig with K_SERVICE set still honours explicit overrides', () => {
    const config = configWith({
      K_SERVICE: 'aibc-api',
      DB_POOL_MAX: '8',
      BCRYPT_ROUNDS: '11',
      TRUST_PROXY_HOPS: '0',
    });
    expect(config.dbPoolMax).toBe(8);
    expect(config.bcryptRounds).toBe(11);
    expect(config.trustProxyHops).toBe(0);
  });

  it('loadConfig with K_SERVICE set treats an empty variable as unset', () => {
    const config = configWith({ K_SERVICE: 'aibc-api', DB_POOL_MAX: '', BCRYPT_ROUNDS: '' });
    expect(config.dbPoolMax).toBe(5);
    expect(config.bcryptRounds).toBe(10);
  });

  it('loadConfig with K_SERVICE set still rejects a bad override', () => {
    expect(configErrorOf({ K_SERVICE: 'aibc-api', BCRYPT_ROUNDS: 'ten' }).message).toContain('BCRYPT_ROUNDS');
  });
});

describe('loadConfig for step-up and sign-in providers', () => {
  it('loadConfig without provider variables leaves both providers off and step-up at 600 seconds', () => {
    const config = configWith();
    expect(config.oauth.google).toBeUndefined();
    expect(config.oauth.github).toBeUndefined();
    expect(config.reauthMaxAgeSeconds).toBe(600);
  });

  it('loadConfig turns a provider on when its id and secret are set, with the default URLs', () => {
    const config = configWith({
      GOOGLE_CLIENT_ID: 'g-id',
      GOOGLE_CLIENT_SECRET: 'g-secret',
      GITHUB_CLIENT_ID: 'gh-id',
      GITHUB_CLIENT_SECRET: 'gh-secret',
      REAUTH_MAX_AGE_SECONDS: '300',
    });
    expect(config.oauth.google).toEqual({
      clientId: 'g-id',
      clientSecret: 'g-secret',
      issuer: 'https://accounts.google.com',
    });
    expect(config.oauth.github).toEqual({
      clientId: 'gh-id',
      clientSecret: 'gh-secret',
      oauthBaseUrl: 'https://github.com',
      apiBaseUrl: 'https://api.github.com',
    });
    expect(config.reauthMaxAgeSeconds).toBe(300);
  });

  it('loadConfig accepts http provider URLs outside production and drops a trailing slash', () => {
    const config = configWith({
      ENVIRONMENT: 'test',
      GOOGLE_CLIENT_ID: 'g-id',
      GOOGLE_CLIENT_SECRET: 'g-secret',
      GOOGLE_ISSUER: 'http://127.0.0.1:4000/',
      GITHUB_CLIENT_ID: 'gh-id',
      GITHUB_CLIENT_SECRET: 'gh-secret',
      GITHUB_OAUTH_BASE_URL: 'http://127.0.0.1:4001',
      GITHUB_API_BASE_URL: 'http://127.0.0.1:4001/api/',
    });
    expect(config.oauth.google?.issuer).toBe('http://127.0.0.1:4000');
    expect(config.oauth.github?.apiBaseUrl).toBe('http://127.0.0.1:4001/api');
  });

  it('loadConfig in production refuses an http issuer or base URL, naming each', () => {
    const error = configErrorOf({
      ENVIRONMENT: 'production',
      JWT_SECRET_KEY: SECRET,
      PUBLIC_APP_URL: 'https://aibc.example',
      GOOGLE_ISSUER: 'http://accounts.example',
      GITHUB_OAUTH_BASE_URL: 'http://github.example',
      GITHUB_API_BASE_URL: 'http://api.github.example',
    });
    expect(error.message).toContain('GOOGLE_ISSUER must be an https URL in production');
    expect(error.message).toContain('GITHUB_OAUTH_BASE_URL must be an https URL in production');
    expect(error.message).toContain('GITHUB_API_BASE_URL must be an https URL in production');
    expect(error.message).not.toMatch(/\n/);
  });

  it('loadConfig refuses a client id without its secret, and never echoes the secret', () => {
    expect(configErrorOf({ GOOGLE_CLIENT_ID: 'g-id' }).message).toContain(
      'GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET must be set together',
    );
    const error = configErrorOf({ GITHUB_CLIENT_SECRET: 'gh-very-secret' });
    expect(error.message).toContain('GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET must be set together');
    expect(error.message).not.toContain('gh-very-secret');
  });

  it('loadConfig in production with a provider on requires PUBLIC_APP_URL', () => {
    const error = configErrorOf({
      ENVIRONMENT: 'production',
      JWT_SECRET_KEY: SECRET,
      GITHUB_CLIENT_ID: 'gh-id',
      GITHUB_CLIENT_SECRET: 'gh-secret',
    });
    expect(error.message).toContain('PUBLIC_APP_URL is required in production');
  });

  it('loadConfig rejects a provider URL that is not an http(s) URL and an out-of-range REAUTH_MAX_AGE_SECONDS', () => {
    expect(configErrorOf({ GOOGLE_ISSUER: 'accounts.google.com' }).message).toContain('GOOGLE_ISSUER');
    expect(configErrorOf({ GITHUB_API_BASE_URL: 'ftp://x' }).message).toContain('GITHUB_API_BASE_URL');
    expect(configErrorOf({ REAUTH_MAX_AGE_SECONDS: '5' }).message).toContain('REAUTH_MAX_AGE_SECONDS');
  });
});

describe('loadConfig refuses unsafe production settings', () => {
  const production = {
    ENVIRONMENT: 'production',
    JWT_SECRET_KEY: SECRET,
    PUBLIC_APP_URL: 'https://bootcamp.example.com',
    MFA_ENCRYPTION_KEY: Buffer.alloc(32, 4).toString('base64'),
  };

  it('loadConfig in production has no localhost CORS default and binds every interface', () => {
    const config = configWith(production);
    expect(config.corsOrigins).toEqual([]);
    expect(config.host).toBe('0.0.0.0');
    expect(configWith({ ...production, CORS_ORIGINS: 'https://admin.example.com' }).corsOrigins).toEqual([
      'https://admin.example.com',
    ]);
    expect(configWith({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(configErrorOf({ HOST: 'a b' }).message).toContain('HOST');
  });

  it('loadConfig in production requires PUBLIC_APP_URL, except for the migration job', () => {
    const { PUBLIC_APP_URL: _unset, ...withoutUrl } = production;
    const error = configErrorOf(withoutUrl);
    expect(error.message).toContain('PUBLIC_APP_URL is required in production');
    expect(loadConfig(withoutUrl, { purpose: 'migrate' }).environment).toBe('production');
  });

  it('loadConfig in production refuses the development keys published in this repository', () => {
    for (const key of KNOWN_DEVELOPMENT_JWT_KEYS) {
      const error = configErrorOf({ ...production, JWT_SECRET_KEY: key });
      expect(error.message).toContain('JWT_SECRET_KEY is a published development key');
      expect(error.message).not.toContain(key);
    }
    // Outside production the compose file's key keeps working.
    expect(configWith({ JWT_SECRET_KEY: KNOWN_DEVELOPMENT_JWT_KEYS[0] as string }).jwtSecretGenerated).toBe(false);
  });

  it('loadConfig in production refuses an SMTP_URL without TLS on one line, and accepts smtps or required STARTTLS', () => {
    for (const smtpUrl of [
      'smtp://mail.example.com:587',
      'smtp://user:pw@mail.example.com:25?requireTLS=false',
      'smtps://mail.example.com:465?tls.rejectUnauthorized=false',
      'smtp://mail.example.com:587?requireTLS=true&ignoreTLS=true',
    ]) {
      const error = configErrorOf({ ...production, SMTP_URL: smtpUrl });
      expect(error.message).toMatch(/SMTP_URL must use TLS in production/);
      expect(error.message).not.toMatch(/\n/);
      expect(error.message).not.toContain('pw@');
    }
    for (const smtpUrl of [
      'smtps://user:pw@mail.example.com:465',
      'smtp://user:pw@mail.example.com:587?requireTLS=true',
      'smtp://mail.example.com:465?secure=true',
    ]) {
      expect(configWith({ ...production, SMTP_URL: smtpUrl }).mail.smtpUrl).toBe(smtpUrl);
    }
    // Development keeps plain SMTP for the local catcher.
    expect(configWith({ SMTP_URL: 'smtp://127.0.0.1:1025' }).mail.smtpUrl).toBe('smtp://127.0.0.1:1025');
  });
});

describe('loadConfig for passkeys (WebAuthn)', () => {
  it('loadConfig takes the RP ID from PUBLIC_APP_URL and the origins on it from PUBLIC_APP_URL and CORS_ORIGINS', () => {
    const config = loadConfig({
      PUBLIC_APP_URL: 'https://learn.example.com',
      CORS_ORIGINS: 'https://learn.example.com,https://admin.learn.example.com,https://elsewhere.example.org',
    });
    expect(config.webauthn).toEqual({
      rpId: 'learn.example.com',
      origins: ['https://learn.example.com', 'https://admin.learn.example.com'],
    });
    expect(loadConfig({}).webauthn).toEqual({
      rpId: 'localhost',
      origins: ['http://localhost:8000', 'http://localhost:3000', 'http://localhost:3001'],
    });
  });

  it('loadConfig reads WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS', () => {
    const config = loadConfig({
      PUBLIC_APP_URL: 'https://learn.example.com',
      WEBAUTHN_RP_ID: 'Example.com',
      WEBAUTHN_ORIGINS: 'https://learn.example.com, https://example.com/',
    });
    expect(config.webauthn).toEqual({
      rpId: 'example.com',
      origins: ['https://learn.example.com', 'https://example.com'],
    });
  });

  it('loadConfig refuses an origin outside the RP ID and a malformed RP ID, naming the variable', () => {
    expect(() => loadConfig({ WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://evil.example.org' })).toThrow(
      /WEBAUTHN_ORIGINS has an origin outside WEBAUTHN_RP_ID "example.com": https:\/\/evil.example.org/,
    );
    expect(() => loadConfig({ WEBAUTHN_RP_ID: 'https://example.com' })).toThrow(/WEBAUTHN_RP_ID must be a host name/);
    expect(() => loadConfig({ WEBAUTHN_RP_ID: 'example.com' })).toThrow(/WEBAUTHN_RP_ID "example.com" matches none/);
    expect(() => loadConfig({ WEBAUTHN_ORIGINS: 'not a url' })).toThrow(/WEBAUTHN_ORIGINS has an invalid origin/);
  });
});

describe('loadConfig for the password gate', () => {
  it('loadConfig defaults to one bcrypt job per core, 16 waiting, 3 s at most', async () => {
    const { availableParallelism } = await import('node:os');
    expect(configWith().passwordHashing).toEqual({
      concurrency: availableParallelism(),
      queueMax: 16,
      queueWaitMs: 3000,
    });
  });

  it('loadConfig reads PASSWORD_HASH_CONCURRENCY, _QUEUE_MAX and _QUEUE_WAIT_MS and rejects bad values', () => {
    const config = configWith({
      PASSWORD_HASH_CONCURRENCY: '3',
      PASSWORD_HASH_QUEUE_MAX: '0',
      PASSWORD_HASH_QUEUE_WAIT_MS: '500',
    });
    expect(config.passwordHashing).toEqual({ concurrency: 3, queueMax: 0, queueWaitMs: 500 });
    const error = configErrorOf({ PASSWORD_HASH_CONCURRENCY: '0', PASSWORD_HASH_QUEUE_WAIT_MS: 'soon' });
    expect(error.message).toContain('PASSWORD_HASH_CONCURRENCY');
    expect(error.message).toContain('PASSWORD_HASH_QUEUE_WAIT_MS');
  });
});
