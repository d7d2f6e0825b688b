import manifest from '../../../sql/user-data.json';

// The tables that hold data about a user (sql/user-data.json, beside the migrations): what the data export reads,
// and what the completeness test (user-data.test.ts) holds against the database's foreign keys.

// What happens to a row when its user is deleted. Only these two: account deletion is one `delete from users`.
export type OnUserDelete = 'cascade' | 'set null';

export type ExportedTable = {
  // The key of the export document the rows go under.
  section: string;
  // One row (the profile) rather than a list.
  single?: boolean;
  // The row belongs to the user when any of these columns holds the user's id.
  match: string[];
  order?: string[];
  columns: string[];
  // Columns left out, each with the reason (a hash, a secret, the user's own id again).
  withheld: Record<string, string>;
};

export type UserDataTable = {
  // Each foreign key column of this table that points at users, with its ON DELETE rule.
  references: Record<string, OnUserDelete>;
} & ({ export: ExportedTable; excluded?: undefined } | { excluded: string; export?: undefined });

export const userDataTables = manifest.tables as Record<string, UserDataTable>;

export const exportedTables = Object.entries(userDataTables).flatMap(([table, entry]) =>
  entry.export ? [{ table, ...entry.export }] : [],
);
