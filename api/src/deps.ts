import { loadMfaKeys, type MfaKeys } from './auth/mfa-keys';
import { createDummyHash, createPasswordWork, type PasswordWork } from './auth/passwords';
import type { Sql } from './db/sql';
import type { Config } from './env';
import { createMailer, type Mailer } from './mail/mailer';
import { type Clock, systemClock } from './platform/clock';
import { createLogger, type Logger } from './platform/logger';

// What every request handler can reach: built once here, for the process (index.ts) and the tests alike.
export type Deps = {
  config: Config;
  sql: Sql;
  logger: Logger;
  clock: Clock;
  // The running build's version, as /health and the OpenAPI document report it.
  version: string;
  // The process's one gate for bcrypt: every hash and verify runs through it (auth/passwords.ts).
  passwordWork: PasswordWork;
  // Verified against when the email is unknown, so both paths cost one bcrypt verify (at the configured cost).
  dummyHash: Promise<string>;
  // Sends in the background, after the database commit; a request never waits for SMTP.
  mailer: Mailer;
  // The keys of TOTP secrets and recovery-code hashes, from MFA_ENCRYPTION_KEY (auth/mfa-keys.ts).
  mfaKeys: MfaKeys;
};

export type DepsOptions = {
  sql: Sql;
  // Tests move a fake clock; the process reads the system's.
  clock?: Clock;
  logger?: Logger;
  // Defaults to config.version (the package version npm runs it with).
  version?: string;
  // Waits between mail delivery attempts (tests shorten them).
  mailRetryDelaysMs?: readonly number[];
};

export function createDeps(config: Config, options: DepsOptions): Deps {
  // JSON lines for Cloud Logging (and any production log pipeline); readable lines in development and test.
  const logger =
    options.logger ??
    createLogger({ level: config.logLevel, json: Boolean(config.cloudRun) || config.environment === 'production' });
  const passwordWork = createPasswordWork(config.passwordHashing);
  return {
    config,
    sql: options.sql,
    logger,
    clock: options.clock ?? systemClock,
    version: options.version ?? config.version,
    passwordWork,
    dummyHash: createDummyHash(passwordWork, config.bcryptRounds),
    mfaKeys: loadMfaKeys(config),
    mailer: createMailer({
      smtpUrl: config.mail.smtpUrl,
      from: config.mail.from,
      logger,
      environment: config.environment,
      retryDelaysMs: options.mailRetryDelaysMs,
    }),
  };
}
