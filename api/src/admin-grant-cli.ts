import { grantAdmin } from './auth/admin-grant';
import { ConfigError, loadConfig } from './env';
import { openPreparedDatabase } from './prepare-database';

// `npm run admin:grant -- <email> [<email> ...]`: make existing accounts admins, on DATABASE_URL (or the embedded
// database). The first admin of a new deployment comes from here (or ADMIN_EMAILS). The account must exist and be
// active; it need not be verified (whoever runs this vouches for it).
const emails = process.argv.slice(2).filter((arg) => arg !== '--');
if (emails.length === 0) {
  process.stderr.write('usage: npm run admin:grant -- <email> [<email> ...]\n');
  process.exit(2);
}
try {
  const config = loadConfig(undefined, { purpose: 'migrate' });
  const database = await openPreparedDatabase(config, { poolMax: 1, migrate: config.migrateOnStart });
  try {
    const granted = await grantAdmin(database.sql, { emails, source: 'cli', onlyVerified: false, now: new Date() });
    const [{ admins }]: [{ admins: string[] }] = await database.sql`
      select coalesce(array_agg(email order by email), '{}') as admins
      from users
      where role = 'admin'
        and email in ${database.sql(emails.map((email) => email.trim().toLowerCase()))}
    `;
    for (const email of emails) {
      const normalized = email.trim().toLowerCase();
      const state = granted.some((row) => row.email === normalized)
        ? 'is now an admin'
        : admins.includes(normalized)
          ? 'was already an admin'
          : 'not found (or disabled): sign up first';
      process.stdout.write(`${normalized}: ${state}\n`);
    }
    if (admins.length < new Set(emails.map((email) => email.trim().toLowerCase())).size) process.exitCode = 1;
  } finally {
    await database.close();
  }
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? '' : 'admin:grant failed: '}${(error as Error).message}\n`);
  process.exit(1);
}
