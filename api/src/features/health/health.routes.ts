import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';

const tags = ['Health'];

export const healthSchema = z
  .object({
    status: z.literal('healthy'),
    service: z.string(),
    version: z.string(),
    environment: z.string(),
  })
  .meta({ id: 'Health' });

export const dbHealthSchema = z
  .object({
    status: z.enum(['healthy', 'unhealthy']),
    database: z.enum(['connected', 'disconnected']),
    latency_ms: z.number().optional(),
  })
  .meta({ id: 'DatabaseHealth' });

export const health = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: 'Liveness: never touches the database',
  responses: { 200: { description: 'Alive', content: { 'application/json': { schema: healthSchema } } } },
});
export type HealthRoute = typeof health;

export const healthDb = createRoute({
  method: 'get',
  path: '/db',
  tags,
  summary: 'Database reachability (answers within 3 s)',
  responses: {
    200: { description: 'Connected', content: { 'application/json': { schema: dbHealthSchema } } },
    503: { description: 'Unreachable', content: { 'application/json': { schema: dbHealthSchema } } },
  },
});
export type HealthDbRoute = typeof healthDb;
