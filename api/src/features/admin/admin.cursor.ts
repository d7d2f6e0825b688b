// Keyset cursors: the sort key of the last row of a page, as base64url JSON. Opaque to clients (they only hand back
// a `next_cursor`), so its shape may change. Timestamps travel as PostgreSQL's own text with microseconds, and go
// back into SQL as text (`::text::timestamptz`): a JS Date keeps milliseconds only (postgres.js passes a parameter
// it sees typed timestamptz through one), and a page boundary between rows of one millisecond would skip a row.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export type TimeCursor = { at: string; id: string };
export type CountCursor = { count: number; id: string };

export function encodeCursor(key: TimeCursor | CountCursor): string {
  const parts = 'at' in key ? ['t', key.at, key.id] : ['n', key.count, key.id];
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

function decode(cursor: string): unknown[] | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(parts) && parts.length === 3 ? parts : undefined;
  } catch {
    return undefined;
  }
}

// undefined: not a cursor this API made (the handler answers 422).
export function decodeTimeCursor(cursor: string): TimeCursor | undefined {
  const [kind, at, id] = decode(cursor) ?? [];
  if (kind !== 't' || typeof at !== 'string' || !TIMESTAMP.test(at) || typeof id !== 'string' || !UUID.test(id)) {
    return undefined;
  }
  return Number.isNaN(Date.parse(at)) ? undefined : { at, id };
}

export function decodeCountCursor(cursor: string): CountCursor | undefined {
  const [kind, count, id] = decode(cursor) ?? [];
  if (kind !== 'n' || !Number.isSafeInteger(count) || (count as number) < 0 || typeof id !== 'string') return undefined;
  return UUID.test(id) ? { count: count as number, id } : undefined;
}

// Audit rows are keyed by a bigint id, sent as a decimal string.
export function decodeAuditCursor(cursor: string): { at: string; id: string } | undefined {
  const [kind, at, id] = decode(cursor) ?? [];
  if (kind !== 't' || typeof at !== 'string' || !TIMESTAMP.test(at) || typeof id !== 'string') return undefined;
  return /^\d{1,18}$/.test(id) && !Number.isNaN(Date.parse(at)) ? { at, id } : undefined;
}

// `%`, `_` and `\` match themselves: LIKE's escape character (backslash by default) goes before each.
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}
