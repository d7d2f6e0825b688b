import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

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

const CONTENT_FILE = path.join('content', 'curriculum.json');

/**
 * Where content/curriculum.json is when no path is given: first `<cwd>/content/curriculum.json` (npm scripts and
 * the container run from the repo root), then each directory above this module. Walking up covers both the source
 * (api/src/features/curriculum/) and the esbuild bundle (api/dist/), whose import.meta.url differ.
 */
export function findCurriculumFile(): string {
  const candidates = [path.resolve(process.cwd(), CONTENT_FILE)];
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    candidates.push(path.join(dir, CONTENT_FILE));
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`curriculum: ${CONTENT_FILE} not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** Reads and validates the curriculum file; throws one Error that names the file and every bad field. */
export function loadCurriculum(file: string = findCurriculumFile()): CurriculumContent {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`curriculum: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseCurriculum(json, file);
}

/** Validates already-parsed content (the file, or a test's edited copy). */
export function parseCurriculum(json: unknown, source = 'content'): CurriculumContent {
  const result = curriculumContentSchema.safeParse(json);
  if (!result.success) throw new Error(`curriculum: ${source} is invalid:\n${z.prettifyError(result.error)}`);
  return result.data;
}
