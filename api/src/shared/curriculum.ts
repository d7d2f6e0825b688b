import { z } from 'zod';

// Shared with the web build (its lesson pages and landing outline validate against it).
// The shape of content/curriculum.json, the one source of truth for the curriculum (the API syncs it into
// PostgreSQL, the Astro build renders the outline from it). Limits mirror the CHECKs in sql/00002_curriculum.sql so
// a bad edit fails here, with the field named, instead of as a constraint violation at start.

const slugSchema = z
  .string()
  .max(80)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lower-case kebab-case (a-z, 0-9 and single hyphens)');
const titleSchema = z.string().trim().min(1).max(120);
const summarySchema = z.string().trim().min(1).max(300);

// Strict objects: a misspelt key ("duration_minute") is an error, not a silently ignored field.
export const lessonContentSchema = z.strictObject({
  slug: slugSchema,
  title: titleSchema,
  summary: summarySchema,
  duration_minutes: z.int().min(1).max(600),
});

export const moduleContentSchema = z.strictObject({
  slug: slugSchema,
  title: titleSchema,
  summary: summarySchema,
  lessons: z.array(lessonContentSchema).min(1),
});

export const courseContentSchema = z
  .strictObject({
    slug: slugSchema,
    title: titleSchema,
    summary: summarySchema,
    modules: z.array(moduleContentSchema).min(1),
  })
  .superRefine((course, ctx) => {
    // Module slugs are unique within a course; lesson slugs too, across all its modules (one URL per lesson).
    reportDuplicates(
      course.modules.map((module, m) => ({ slug: module.slug, path: ['modules', m, 'slug'] })),
      'module',
      ctx,
    );
    reportDuplicates(
      course.modules.flatMap((module, m) =>
        module.lessons.map((lesson, l) => ({ slug: lesson.slug, path: ['modules', m, 'lessons', l, 'slug'] })),
      ),
      'lesson',
      ctx,
    );
  });

export const curriculumContentSchema = z
  .strictObject({
    courses: z.array(courseContentSchema).min(1),
  })
  .superRefine((content, ctx) => {
    reportDuplicates(
      content.courses.map((course, c) => ({ slug: course.slug, path: ['courses', c, 'slug'] })),
      'course',
      ctx,
    );
  });

export type LessonContent = z.infer<typeof lessonContentSchema>;
export type ModuleContent = z.infer<typeof moduleContentSchema>;
export type CourseContent = z.infer<typeof courseContentSchema>;
export type CurriculumContent = z.infer<typeof curriculumContentSchema>;

function reportDuplicates(
  entries: { slug: string; path: (string | number)[] }[],
  kind: string,
  ctx: z.RefinementCtx,
): void {
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.slug)) {
      ctx.addIssue({ code: 'custom', message: `duplicate ${kind} slug "${entry.slug}"`, path: entry.path });
    }
    seen.add(entry.slug);
  }
}

/** Validates already-parsed content (the file, or a test's edited copy). */
export function parseCurriculum(json: unknown, source = 'content'): CurriculumContent {
  const result = curriculumContentSchema.safeParse(json);
  if (!result.success) throw new Error(`curriculum: ${source} is invalid:\n${z.prettifyError(result.error)}`);
  return result.data;
}

// ---- Lesson files: content/lessons/<module-slug>/<lesson-slug>.md --------------------------------------------------
// The frontmatter of one lesson's Markdown file, validated by the web build (its content collection) and by the
// content tests. The lesson's title, summary and duration stay in content/curriculum.json (the one source the API
// syncs), so they never appear here; a strict object makes a stray `title:` an error instead of a silent second
// source. The format writers follow is docs/lesson-format.md.

// An objective is a sentence that starts with a verb ("Explain ...", "Compute ...").
const objectiveSchema = z
  .string()
  .trim()
  .min(10)
  .max(300)
  .regex(/^\p{Lu}/u, 'must start with a capital letter (a verb: "Explain ...", "Compute ...")');

export const quizQuestionSchema = z
  .strictObject({
    question: z.string().trim().min(10).max(400),
    options: z.array(z.string().trim().min(1).max(300)).min(2).max(5),
    answer: z.int().min(0),
    explanation: z.string().trim().min(10).max(600),
  })
  .superRefine((question, ctx) => {
    if (question.answer >= question.options.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['answer'],
        message: `must be the 0-based index of an option (0–${question.options.length - 1})`,
      });
    }
    const seen = new Set<string>();
    question.options.forEach((option, index) => {
      if (seen.has(option)) ctx.addIssue({ code: 'custom', path: ['options', index], message: 'duplicate option' });
      seen.add(option);
    });
  });

export const furtherReadingSchema = z.strictObject({
  title: z.string().trim().min(3).max(200),
  url: z.url({ protocol: /^https?$/, hostname: z.regexes.domain }),
});

export const lessonFrontmatterSchema = z.strictObject({
  objectives: z.array(objectiveSchema).min(3).max(5),
  quiz: z.array(quizQuestionSchema).min(3).max(5),
  further_reading: z.array(furtherReadingSchema).min(2).max(4),
});

export type QuizQuestion = z.infer<typeof quizQuestionSchema>;
export type FurtherReading = z.infer<typeof furtherReadingSchema>;
export type LessonFrontmatter = z.infer<typeof lessonFrontmatterSchema>;

/** The second-level sections of every lesson body, in this order (the page builds its table of contents from them). */
export const LESSON_SECTIONS = ['Why it matters', 'The idea', 'In code', 'Exercise', 'Key takeaways'] as const;

/** What is wrong with a lesson body's `##` headings, or undefined when they are exactly LESSON_SECTIONS in order. */
export function lessonSectionsProblem(headings: readonly string[]): string | undefined {
  const expected = LESSON_SECTIONS.join(' · ');
  const found = headings.join(' · ');
  return found === expected ? undefined : `its ## sections must be exactly "${expected}", found "${found || 'none'}"`;
}

/** Validates one lesson file's frontmatter; the error names the file and every bad field. */
export function parseLessonFrontmatter(data: unknown, source: string): LessonFrontmatter {
  const result = lessonFrontmatterSchema.safeParse(data);
  if (!result.success) throw new Error(`lesson ${source} is invalid:\n${z.prettifyError(result.error)}`);
  return result.data;
}
