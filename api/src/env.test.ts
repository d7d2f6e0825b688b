import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './env';

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
    expect(config.rateLimits).toEqual({ signupPerMinute: 5, loginPerMinute: 10, resetPerMinute: 5 });
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
    const config = configWith({ ENVIRONMENT: 'production', JWT_SECRET_KEY: 'x'.repeat(32) });
    expect(config.environment).toBe('production');
    expect(config.jwtSecretGenerated).toBe(false);
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
