// The lesson files against their contract (docs/lesson-format.md): frontmatter through the shared schema the web
// build uses, the five sections in order, fenced code with a language, no HTML but <details>/<summary>, and every
// file belonging to a lesson of content/curriculum.json.
import { describe, expect, test } from 'vitest';
import { LESSON_SECTIONS, lessonFrontmatterSchema, lessonSectionsProblem } from '../../api/src/shared/curriculum';
import { curriculumLessonIds, readLessonFiles, scanBody } from './lesson-files';

const files = readLessonFiles();
const lessonIds = new Set(curriculumLessonIds());

describe('content/lessons', () => {
  test('every file belongs to a lesson of content/curriculum.json (no orphans, one file per lesson)', () => {
    const orphans = files.filter((file) => !lessonIds.has(file.id)).map((file) => file.path);
    expect(orphans).toEqual([]);
    expect(new Set(files.map((file) => file.id)).size).toBe(files.length);
  });

  test('the first module is written in full: it is the preview every visitor can read', () => {
    const firstModule = [...lessonIds].filter((id) => id.startsWith('python-for-ai/'));
    expect(firstModule).toHaveLength(5);
    expect(files.map((file) => file.id).filter((id) => id.startsWith('python-for-ai/'))).toEqual(
      [...firstModule].sort(),
    );
  });

  describe.each(files.map((file) => [file.path, file] as const))('%s', (_path, file) => {
    test('its frontmatter passes the shared lesson schema', () => {
      const result = lessonFrontmatterSchema.safeParse(file.frontmatter);
      expect(result.success ? [] : result.error.issues).toEqual([]);
    });

    test(`its ## sections are exactly: ${LESSON_SECTIONS.join(', ')}`, () => {
      const { prose } = scanBody(file.body);
      const headings = prose.filter((line) => line.startsWith('## ')).map((line) => line.slice(3).trim());
      expect(lessonSectionsProblem(headings)).toBeUndefined();
      expect(prose.some((line) => line.startsWith('# '))).toBe(false); // the page's h1 is the lesson title
    });

    test('its code is fenced with a language, the fences are closed, and "In code" has at least one example', () => {
      const { fences, unclosedFence } = scanBody(file.body);
      expect(unclosedFence).toBe(false);
      expect(fences.filter((fence) => fence.language === '')).toEqual([]);
      const inCode = file.body.split(/^## /m).find((section) => section.startsWith('In code'));
      expect(inCode).toMatch(/^```(python|bash|sh|shell)\b/m);
    });

    test('what an example prints is fenced ```output right after it; ```text (formulas) never is', () => {
      // The page labels ```output blocks "Output" and ```text blocks not at all (see web/src/styles/global.css).
      const blocks = [...file.body.matchAll(/^```(\w*)\n[\s\S]*?^```\s*$(\n\s*)*(?=^```(\w*))?/gm)];
      const misplaced: string[] = [];
      for (const [index, block] of blocks.entries()) {
        const [, language] = block;
        const follows = blocks[index - 1];
        const rightAfterCode =
          follows !== undefined &&
          follows.index + follows[0].length === block.index &&
          follows[1] !== 'text' &&
          follows[1] !== 'output';
        if (language === 'output' && !rightAfterCode)
          misplaced.push(`output block at ${block.index} follows no example`);
        if (language === 'text' && rightAfterCode)
          misplaced.push(`text block at ${block.index} is an example's output`);
      }
      expect(misplaced).toEqual([]);
    });

    test('it uses no HTML except <details> and <summary>, and every <details> closes', () => {
      const { prose } = scanBody(file.body);
      const text = prose.join('\n').replace(/`[^`\n]*`/g, '');
      const tags = [...text.matchAll(/<\/?([a-zA-Z][\w-]*)[^>]*>/g)].map((match) => match[1]?.toLowerCase());
      expect(tags.filter((tag) => tag !== 'details' && tag !== 'summary')).toEqual([]);
      expect(text.match(/<details>/g)?.length ?? 0).toBe(text.match(/<\/details>/g)?.length ?? 0);
    });
  });
});
