import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import postgres from 'postgres';

export type Sql = postgres.Sql;
// The client inside `sql.begin(async (sql) => ...)`: for queries that only make sense within a transaction.
export type TransactionSql = postgres.TransactionSql;
// A piece of SQL built with `sql`...`` and nested into a statement (never sql.unsafe).
export type Fragment = postgres.PendingQuery<postgres.Row[]>;

export type Database = {
  sql: Sql;
  embedded: boolean;
  close: () => Promise<void>;
};

type DatabaseOptions = {
  databaseUrl: string | undefined;
  poolMax: number;
  pgliteDir: string;
  onNotice?: (message: string) => void;
};

// One postgres.js client for the process. With no DATABASE_URL, PGlite runs in-process behind
// pglite-socket on a private Unix socket, and the same driver talks to it with one connection
// (PGlite runs one transaction at a time), so the SQL, the migrations and the code paths are the same.
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const { url, socketPath } = parseDatabaseUrl(options.databaseUrl);
    const sql = postgres(url, {
      ...(socketPath ? { path: socketPath } : {}),
      max: options.poolMax,
      connect_timeout: 5,
      idle_timeout: 60,
      max_lifetime: 60 * 30,
      onnotice: () => {},
      connection: { application_name: 'aibc-api', statement_timeout: 10_000 },
    });
    return { sql, embedded: false, close: () => sql.end({ timeout: 5 }) };
  }
  return openEmbeddedDatabase(options);
}

async function openEmbeddedDatabase(options: DatabaseOptions): Promise<Database> {
  const [{ PGlite }, { PGLiteSocketServer }, { pg_trgm }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-socket'),
    // Trigram indexes for the admin users search (sql/00009_admin.sql); PGlite ships the extension, loaded on demand.
    import('@electric-sql/pglite/contrib/pg_trgm'),
  ]);
  const dataDir = resolve(options.pgliteDir);
  mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create({ dataDir, extensions: { pg_trgm } });
  const socketDir = join(tmpdir(), `aibc-pglite-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(socketDir, { recursive: true });
  const socketPath = join(socketDir, '.s.PGSQL.5432');
  const server = new PGLiteSocketServer({ db: pglite, path: socketPath });
  await server.start();
  const sql = postgres({
    path: socketPath,
    database: 'postgres',
    username: 'postgres',
    max: 1,
    connect_timeout: 5,
    onnotice: () => {},
  });
  return {
    sql,
    embedded: true,
    close: async () => {
      await sql.end({ timeout: 5 });
      await server.stop();
      await pglite.close();
      // The socket's directory is ours alone; leave nothing behind in the temp dir.
      rmSync(socketDir, { recursive: true, force: true });
    },
  };
}

// Cloud SQL on Cloud Run is a Unix socket named in the query string (`?host=/cloudsql/PROJECT:REGION:INSTANCE`),
// the libpq convention. postgres.js would send an unknown `host` parameter to the server as a setting, so it is
// taken out here and turned into the socket path postgres.js expects.
export function parseDatabaseUrl(databaseUrl: string): { url: string; socketPath: string | undefined } {
  const url = new URL(databaseUrl);
  const socketDir = url.searchParams.get('host');
  if (!socketDir?.startsWith('/')) return { url: databaseUrl, socketPath: undefined };
  url.searchParams.delete('host');
  return { url: url.href, socketPath: `${socketDir.replace(/\/$/, '')}/.s.PGSQL.${url.port || 5432}` };
}
