import { z } from 'zod';
import { lessonStatusSchema } from '../../shared/fields';
import { lessonFields, moduleFields } from '../../shared/lesson';

// Request and response shapes of the learner's progress routes (/api/v1/users/me/progress).

const dateTime = z.string().meta({ format: 'date-time' });
const count = z.int().min(0);

export const lessonIdParamsSchema = z.object({
  lesson_id: z.uuid().meta({ param: { name: 'lesson_id', in: 'path' } }),
});

export const updateProgressSchema = z.object({ status: lessonStatusSchema }).meta({ id: 'LessonProgressUpdate' });

export const lessonProgressSchema = z
  .object({
    lesson_id: z.uuid(),
    status: lessonStatusSchema,
    updated_at: dateTime.meta({ description: 'Last change of status; a repeated PUT leaves it alone' }),
    completed_at: dateTime.nullable().meta({ description: 'First completion; null unless completed' }),
  })
  .meta({ id: 'LessonProgress' });

export const nextLessonSchema = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    title: z.string(),
    module_slug: z.string(),
    module_title: z.string(),
  })
  .meta({ id: 'NextLesson', description: 'The first lesson, in course order, not yet completed' });

// Each lesson with the learner's status, so the dashboard draws every bar and list from this one answer instead of
// asking GET /courses/{slug} per course.
export const lessonWithStatusSchema = z
  .object({ ...lessonFields, status: lessonStatusSchema })
  .meta({ id: 'LessonWithStatus' });

export const moduleProgressSchema = z
  .object({
    ...moduleFields,
    completed: count,
    total: count,
    lessons: z.array(lessonWithStatusSchema).meta({ description: 'In course order' }),
  })
  .meta({ id: 'ModuleProgress' });

export const courseProgressSummarySchema = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    title: z.string(),
    completed: count,
    total: count,
    percent: z.int().min(0).max(100),
    next_lesson: nextLessonSchema.nullable().meta({ description: 'null when every lesson is completed' }),
    modules: z.array(moduleProgressSchema),
  })
  .meta({ id: 'CourseProgressSummary' });

export const progressSummarySchema = z
  .object({ courses: z.array(courseProgressSummarySchema) })
  .meta({ id: 'ProgressSummary' });

export type LessonProgress = z.infer<typeof lessonProgressSchema>;
export type CourseProgressSummary = z.infer<typeof courseProgressSummarySchema>;
export type NextLesson = z.infer<typeof nextLessonSchema>;
export type ModuleProgress = z.infer<typeof moduleProgressSchema>;
