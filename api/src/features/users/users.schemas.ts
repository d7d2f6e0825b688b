import { z } from 'zod';

export const sessionSchema = z
  .object({
    id: z.uuid(),
    ip_address: z.string().nullable(),
    user_agent: z.string().nullable(),
    device: z.string().meta({ description: 'A readable summary of the user agent', example: 'Chrome 120 on macOS' }),
    created_at: z.string().meta({ format: 'date-time' }),
    last_used_at: z.string().meta({ format: 'date-time' }),
    current: z.boolean().meta({ description: 'True for the session of the access token making the request' }),
  })
  .meta({ id: 'Session' });

export const sessionListSchema = z.array(sessionSchema).meta({ id: 'SessionList' });

export const sessionIdParamSchema = z.object({
  id: z
    .uuid('Session id must be a UUID')
    .meta({ param: { name: 'id', in: 'path' }, example: '3f1c2b9e-8a4d-4e5f-9b6a-7c8d9e0f1a2b' }),
});

export type SessionResponse = z.infer<typeof sessionSchema>;
