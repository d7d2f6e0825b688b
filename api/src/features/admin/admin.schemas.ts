import { z } from 'zod';
import { roleSchema } from '../../shared/fields';
import { mfaStatusSchema } from '../../shared/mfa';
import { userSchema } from '../../shared/user';

// Request and response shapes of /api/v1/admin. Nothing here carries a hash, secret or token: the admin tests scan
// every answer for them.

const dateTime = () => z.string().meta({ format: 'date-time' });

// Free text in a query string: bounded, and without control characters (a NUL byte would make PostgreSQL refuse
// the whole statement; none belongs in an email or a name anyway).
const searchText = z
  .string()
  .max(200, 'Search at most 200 characters')
  .regex(/^[^\p{Cc}]*$/u, 'Search text cannot contain control characters')
  .transform((value) => value.trim())
  .optional()
  .meta({ description: 'Case-insensitive substring of the email or the name; `%`, `_` and `\\` match themselves' });

// The opaque position after the last row of a page; only this API makes them. Bounded so a forged one costs nothing.
const cursor = z.string().max(300).optional().meta({ description: 'The `next_cursor` of the previous page' });

const limit = z.coerce
  .number()
  .int('limit must be a whole number')
  .min(1, 'limit must be at least 1')
  .max(100, 'limit must be at most 100')
  .default(50);

export const adminUserListQuerySchema = z.object({
  q: searchText,
  role: roleSchema.optional(),
  status: z.enum(['active', 'disabled']).optional(),
  cursor,
  limit,
});

export const adminUserSchema = userSchema
  .extend({
    disabled_at: dateTime().nullable(),
    disabled_reason: z.string().nullable(),
    mfa_enabled: z.boolean().meta({ description: 'A confirmed authenticator app (TOTP) gates sign-in' }),
    passkey_count: z.number().int(),
    oauth_providers: z.array(z.string()),
  })
  .meta({ id: 'AdminUser' });
export type AdminUserResponse = z.infer<typeof adminUserSchema>;

export const adminUserPageSchema = z
  .object({ items: z.array(adminUserSchema), next_cursor: z.string().nullable() })
  .meta({ id: 'AdminUserPage' });

export const adminSessionSchema = z
  .object({
    id: z.uuid(),
    ip_address: z.string().nullable(),
    user_agent: z.string().nullable(),
    device: z.string(),
    created_at: dateTime(),
    last_used_at: dateTime(),
  })
  .meta({ id: 'AdminSession' });

export const courseProgressSchema = z
  .object({
    course_id: z.uuid(),
    slug: z.string(),
    title: z.string(),
    completed: z.number().int(),
    total: z.number().int(),
    percent: z.number().int(),
    last_activity_at: dateTime().nullable(),
  })
  .meta({ id: 'AdminCourseProgress' });

export const adminUserDetailSchema = adminUserSchema
  .extend({
    sessions: z.array(adminSessionSchema),
    oauth: z.array(z.object({ provider: z.string(), email: z.string().nullable() })),
    mfa: mfaStatusSchema,
    progress: z.array(courseProgressSchema),
  })
  .meta({ id: 'AdminUserDetail' });

// Any 8-4-4-4-12 hex id, as PostgreSQL's uuid type takes it (z.guid): ids made by gen_random_uuid() are version 4,
// but imported or seeded ones (scripts/seed-bench.mjs) need not be, and they are users all the same.
export const userIdParamSchema = z.object({
  id: z.guid('User id must be a UUID').meta({ param: { name: 'id', in: 'path' } }),
});

export const adminUserPatchSchema = z
  .object({
    role: roleSchema.optional(),
    is_active: z.boolean().optional(),
    disabled_reason: z
      .string()
      .trim()
      .max(500, 'At most 500 characters')
      .regex(/^[^\p{Cc}]*$/u, 'No control characters')
      .nullable()
      .optional()
      .meta({ description: 'Why the account is disabled; only with `is_active: false` or for a disabled account' }),
  })
  .strict()
  .refine((body) => Object.values(body).some((value) => value !== undefined), 'Send at least one field to change')
  .meta({ id: 'AdminUserPatch' });
export type AdminUserPatch = z.infer<typeof adminUserPatchSchema>;

export const auditQuerySchema = z.object({
  user_id: z.guid('user_id must be a UUID').optional(),
  actor_id: z.guid('actor_id must be a UUID').optional(),
  event: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,63}$/, 'event is a lower-case name such as login_failed')
    .optional(),
  from: z.iso.datetime({ offset: true, message: 'from must be an ISO 8601 date-time' }).optional(),
  to: z.iso.datetime({ offset: true, message: 'to must be an ISO 8601 date-time' }).optional(),
  cursor,
  limit,
});

export const auditEntrySchema = z
  .object({
    id: z.number().int(),
    event: z.string(),
    description: z.string().meta({ description: 'The event in words (shared/audit-events.ts)' }),
    user_id: z.uuid().nullable(),
    actor_id: z.uuid().nullable().meta({ description: 'Who acted when not the user themselves (an admin)' }),
    email: z.string().nullable(),
    ip_address: z.string().nullable(),
    user_agent: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    created_at: dateTime(),
  })
  .meta({ id: 'AuditEntry' });

export const auditPageSchema = z
  .object({ items: z.array(auditEntrySchema), next_cursor: z.string().nullable() })
  .meta({ id: 'AuditPage' });

export const courseSlugParamSchema = z.object({
  slug: z
    .string()
    .max(80)
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'Not a course slug')
    .meta({ param: { name: 'slug', in: 'path' } }),
});

export const learnersQuerySchema = z.object({
  q: searchText,
  sort: z
    .enum(['last_activity', 'progress'])
    .default('last_activity')
    .meta({ description: 'Most recent activity first, or most lessons completed first' }),
  cursor,
  limit,
});

export const learnerSchema = z
  .object({
    user_id: z.uuid(),
    email: z.string(),
    full_name: z.string(),
    completed: z.number().int(),
    total: z.number().int(),
    percent: z.number().int(),
    last_activity_at: dateTime(),
  })
  .meta({ id: 'CourseLearner' });

export const learnerPageSchema = z
  .object({ items: z.array(learnerSchema), next_cursor: z.string().nullable() })
  .meta({ id: 'CourseLearnerPage' });
