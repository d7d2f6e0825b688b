import { z } from 'zod';

// The export's sections are drawn from sql/user-data.json at run time, so the route's type names only `format` and
// `exported_at`; the tests read the sections they look into through this schema, as lists of rows.
const row = z.record(z.string(), z.unknown());
export const exportSections = z.looseObject({
  profile: row,
  sessions: z.array(row),
  progress: z.array(row),
  oauth_accounts: z.array(row),
  passkeys: z.array(row),
  audit_log: z.array(row),
  totp: z.array(row),
  recovery_codes: z.array(row),
});
