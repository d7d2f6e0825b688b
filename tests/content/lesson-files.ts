// Reads the lesson files (content/lessons/<module>/<lesson>.md) the way the web build does, without Astro: the
// frontmatter through `yaml`, the body as lines. Shared by the content tests.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { loadCurriculum } from '../../api/src/features/curriculum/curriculum.content';

export const ROOT = resolve(import.meta.dirname, '../..');
export const LESSONS_DIR = join(ROOT, 'content/lessons');

export type LessonFile = { id: string; path: string; frontmatter: unknown; body: string };

/** Every `<module>/<lesson>.md` under content/lessons (ids as the web build's collection makes them). */
export function readLessonFiles(): LessonFile[] {
  const files: LessonFile[] = [];
  for (const module of readdirSync(LESSONS_DIR, { withFileTypes: true })) {
    if (!module.isDirectory()) continue;
    for (const file of readdirSync(join(LESSONS_DIR, module.name))) {
      if (!file.endsWith('.md')) continue;
      const path = join(LESSONS_DIR, module.name, file);
      const source = readFileSync(path, 'utf8');
      const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(source);
      files.push({
        id: `${module.name}/${file.slice(0, -'.md'.length)}`,
        path: `content/lessons/${module.name}/${file}`,
        frontmatter: match ? parse(match[1] ?? '') : undefined,
        body: match?.[2] ?? source,
      });
    }
  }
  return files.sort((a, b) => a.id.localeCompare(b.id));
}

/** `<module>/<lesson>` of every lesson in content/curriculum.json, in course order. */
export function curriculumLessonIds(): string[] {
  return loadCurriculum().courses.flatMap((course) =>
    course.modules.flatMap((module) => module.lessons.map((lesson) => `${module.slug}/${lesson.slug}`)),
  );
}

/** The body's lines outside fenced code blocks, with the fences themselves reported separately. */
export function scanBody(body: string) {
  const prose: string[] = [];
  const fences: { language: string; lines: number }[] = [];
  let open: { language: string; lines: number } | undefined;
  for (const line of body.split('\n')) {
    const fence = /^(`{3,})(.*)$/.exec(line.trim());
    if (fence) {
      if (open) {
        fences.push(open);
        open = undefined;
      } else {
        open = { language: (fence[2] ?? '').trim(), lines: 0 };
      }
      continue;
    }
    if (open) open.lines += 1;
    else prose.push(line);
  }
  return { prose, fences, unclosedFence: open !== undefined };
}
