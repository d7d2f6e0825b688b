import pino, { type Logger } from 'pino';

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
  return pino(
    { level: options.level, base: undefined, redact, timestamp: false },
    { write: (line: string) => process.stdout.write(formatReadable(line)) },
  );
}

const levelNames: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

function formatReadable(line: string): string {
  const { level, msg, ...rest } = JSON.parse(line) as Record<string, unknown> & { level: number; msg?: string };
  const time = new Date().toISOString().slice(11, 23);
  const fields = Object.entries(rest)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${time} ${(levelNames[level] ?? String(level)).padEnd(5)} ${msg ?? ''}${fields ? ` ${fields}` : ''}\n`;
}
