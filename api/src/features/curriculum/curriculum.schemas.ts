import { z } from 'zod';
import { lessonStatusSchema } from '../../schemas';

// Response and request shapes of the curriculum and progress routes. `progress` and `status` are optional because
// they appear only for a signed-in caller: an anonymous visitor sees the catalogue, never anyone's progress.

const dateTime = z.string().meta({ format: 'date-time' });
const count = z.int().min(0);

export const lessonStatus = lessonStatusSchema.meta({ id: 'LessonStatus' });

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
    id: z.uuid(),
    slug: z.string(),
    title: z.string(),
    summary: z.string(),
    duration_minutes: z.int().min(1),
    position: z.int().min(1),
    status: lessonStatus.optional().meta({ description: 'Only for a signed-in caller; not_started when untouched' }),
  })
  .meta({ id: 'Lesson' });

export const courseModuleSchema = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    title: z.string(),
    summary: z.string(),
    position: z.int().min(1),
    lessons: z.array(lessonSchema),
  })
  .meta({ id: 'CourseModule' });

export const courseDetailSchema = z
  .object({ ...courseFields, modules: z.array(courseModuleSchema) })
  .meta({ id: 'CourseDetail' });

export const courseSlugParamsSchema = z.object({
  slug: z.string().meta({ param: { name: 'slug', in: 'path' }, example: 'ai-engineering-bootcamp' }),
});

export const lessonIdParamsSchema = z.object({
  lesson_id: z.uuid().meta({ param: { name: 'lesson_id', in: 'path' } }),
});

export const updateProgressSchema = z.object({ status: lessonStatus }).meta({ id: 'LessonProgressUpdate' });

export const lessonProgressSchema = z
  .object({
    lesson_id: z.uuid(),
    status: lessonStatus,
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

export const moduleProgressSchema = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    title: z.string(),
    completed: count,
    total: count,
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

export type CourseSummary = z.infer<typeof courseSummarySchema>;
export type CourseDetail = z.infer<typeof courseDetailSchema>;
export type CourseModule = z.infer<typeof courseModuleSchema>;
export type Lesson = z.infer<typeof lessonSchema>;
export type LessonStatus = z.infer<typeof lessonStatus>;
export type LessonProgress = z.infer<typeof lessonProgressSchema>;
export type CourseProgressSummary = z.infer<typeof courseProgressSummarySchema>;

// One rule for the API and the dashboard, which recomputes its bars locally after each change.
export { percentOf } from '../../percent';
