import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

type LoggerOptions = { level: string; json: boolean };

// Cloud Logging reads `severity` and `message` from JSON lines on stdout; elsewhere a readable line is kinder.
const severities: Record<string, string> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

// Belt and braces: even if a caller passes one of these, it never reaches the log.
const redact = {
  paths: [
    'password',
    '*.password',
    'token',
    '*.token',
    'access_token',
    'refresh_token',
    'authorization',
    '*.authorization',
    'headers.authorization',
    'headers.cookie',
  ],
  censor: '[redacted]',
};

export function createLogger(options: LoggerOptions): Logger {
  if (options.json) {
    return pino(
      {
        level: options.level,
        messageKey: 'message',
        base: undefined,
        timestamp: pino.stdTimeFunctions.isoTime,
        redact,
        formatters: { level: (label) => ({ severity: severities[label] ?? 'DEFAULT' }) },
      },
      // Asynchronous: lines written while a write is pending are coalesced into one syscall, so the log costs
      // little under load. index.ts flushes it before the process exits.
      pino.destination({ dest: 1, sync: false }),
    );
  }
  // Development and test: one readable line per entry (pino-pretty, in-process and synchronous, so a line is on the
  // terminal before the process exits).
  return pino(
    { level: options.level, base: undefined, redact },
    pretty({
      colorize: Boolean(process.stdout.isTTY),
      translateTime: 'HH:MM:ss.l',
      ignore: 'pid,hostname',
      singleLine: true,
      sync: true,
    }),
  );
}
