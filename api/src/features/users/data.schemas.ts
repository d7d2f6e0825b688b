import { z } from 'zod';
import { exportedTables } from '../../db/user-data';

// The export document, drawn from sql/user-data.json: one member per exported table, holding exactly the columns
// listed there. Values keep their database types (ISO 8601 strings for times, objects for JSON).
const sectionRow = (columns: string[]) =>
  z.object(Object.fromEntries(columns.map((column) => [column, z.unknown()]))).meta({});

export const userDataExportSchema = z
  .object({
    format: z.literal('ai-bootcamp-export/1'),
    exported_at: z.string().meta({ format: 'date-time' }),
    ...Object.fromEntries(
      exportedTables.map((table) => [
        table.section,
        table.single ? sectionRow(table.columns) : z.array(sectionRow(table.columns)),
      ]),
    ),
  })
  .meta({
    id: 'UserDataExport',
    description:
      'Everything the service holds about the user: ' +
      exportedTables.map((table) => `\`${table.section}\` (${table.table})`).join(', ') +
      '. Never a hash, secret, key or token.',
  });
