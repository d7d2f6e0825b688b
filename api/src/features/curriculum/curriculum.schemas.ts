import { z } from 'zod';
import { lessonStatusSchema } from '../../shared/fields';
import { lessonFields, moduleFields } from '../../shared/lesson';

// Response and request shapes of the curriculum routes. `progress` and `status` are optional because
// they appear only for a signed-in caller: an anonymous visitor sees the catalogue, never anyone's progress.

const count = z.int().min(0);

export const courseProgressSchema = z
  .object({
    completed: count.meta({ description: 'Lessons of the course the caller has completed' }),
    total: count.meta({ description: 'Lessons in the course' }),
    percent: z.int().min(0).max(100).meta({ description: 'completed / total, rounded down: 100 only when all done' }),
  })
  .meta({ id: 'CourseProgress' });

const courseFields = {
  id: z.uuid(),
  slug: z.string().meta({ example: 'ai-engineering-bootcamp' }),
  title: z.string(),
  summary: z.string(),
  module_count: count,
  lesson_count: count,
  total_minutes: count.meta({ description: 'Sum of the lessons’ durations' }),
  progress: courseProgressSchema.optional().meta({ description: 'Only for a signed-in caller' }),
};

export const courseSummarySchema = z.object(courseFields).meta({ id: 'CourseSummary' });

export const courseListSchema = z.array(courseSummarySchema).meta({ id: 'CourseList' });

export const lessonSchema = z
  .object({
    ...lessonFields,
    status: lessonStatusSchema
      .optional()
      .meta({ description: 'Only for a signed-in caller; not_started when untouched' }),
  })
  .meta({ id: 'Lesson' });

export const courseModuleSchema = z
  .object({ ...moduleFields, lessons: z.array(lessonSchema) })
  .meta({ id: 'CourseModule' });

export const courseDetailSchema = z
  .object({ ...courseFields, modules: z.array(courseModuleSchema) })
  .meta({ id: 'CourseDetail' });

export const courseSlugParamsSchema = z.object({
  slug: z.string().meta({ param: { name: 'slug', in: 'path' }, example: 'ai-engineering-bootcamp' }),
});

export type CourseSummary = z.infer<typeof courseSummarySchema>;
export type CourseDetail = z.infer<typeof courseDetailSchema>;
export type CourseModule = z.infer<typeof courseModuleSchema>;
export type Lesson = z.infer<typeof lessonSchema>;
