import { z } from 'zod';

// A module's own fields, as both answers send them.
export const moduleFields = {
  id: z.uuid(),
  slug: z.string(),
  title: z.string(),
  summary: z.string(),
  position: z.int().min(1),
};

// A lesson as the API describes it: the catalogue (GET /courses/{slug}) and the learner's progress
// (GET /users/me/progress) both send these fields, each adding the learner's status its own way.
export const lessonFields = {
  id: z.uuid(),
  slug: z.string(),
  title: z.string(),
  summary: z.string(),
  duration_minutes: z.int().min(1),
  position: z.int().min(1),
};
