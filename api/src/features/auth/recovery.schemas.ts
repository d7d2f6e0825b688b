import { z } from 'zod';

export const acceptedSchema = z
  .object({ detail: z.string().meta({ example: 'Check your inbox for a link.' }) })
  .meta({ id: 'Accepted', description: 'The request was taken; the rest happens by mail.' });

export const verifyEmailSchema = z
  .object({ token: z.string().min(1).max(256).meta({ description: 'The token from the mailed link' }) })
  .meta({ id: 'VerifyEmailRequest' });
