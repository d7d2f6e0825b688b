import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CurriculumContent, findCurriculumFile, loadCurriculum, parseCurriculum } from './curriculum.content';

const curriculum = loadCurriculum();

function cloneCurriculum(): CurriculumContent {
  return structuredClone(curriculum);
}

describe('content/curriculum.json', () => {
  it('loadCurriculum() finds and validates the real file', () => {
    expect(findCurriculumFile()).toMatch(/content[\\/]curriculum\.json$/);
    expect(curriculum.courses.length).toBeGreaterThanOrEqual(1);
  });

  it('the bootcamp course has at least 6 modules and 30 lessons', () => {
    const [bootcamp] = curriculum.courses;
    expect(bootcamp?.slug).toBe('ai-engineering-bootcamp');
    const modules = bootcamp?.modules ?? [];
    expect(modules.length).toBeGreaterThanOrEqual(6);
    expect(modules.flatMap((module) => module.lessons).length).toBeGreaterThanOrEqual(30);
  });

  it('slugs are unique: courses globally, modules and lessons within their course', () => {
    const courseSlugs = curriculum.courses.map((course) => course.slug);
    expect(new Set(courseSlugs).size).toBe(courseSlugs.length);
    for (const course of curriculum.courses) {
      const moduleSlugs = course.modules.map((module) => module.slug);
      const lessonSlugs = course.modules.flatMap((module) => module.lessons.map((lesson) => lesson.slug));
      expect(new Set(moduleSlugs).size).toBe(moduleSlugs.length);
      expect(new Set(lessonSlugs).size).toBe(lessonSlugs.length);
    }
  });

  it('every lesson lasts a realistic 15 to 90 minutes', () => {
    const durations = curriculum.courses.flatMap((course) =>
      course.modules.flatMap((module) => module.lessons.map((lesson) => lesson.duration_minutes)),
    );
    for (const minutes of durations) {
      expect(minutes).toBeGreaterThanOrEqual(15);
      expect(minutes).toBeLessThanOrEqual(90);
    }
  });

  it('every module has at least two lessons and every summary is one sentence', () => {
    for (const course of curriculum.courses) {
      const summaries = [course.summary];
      for (const module of course.modules) {
        expect(module.lessons.length).toBeGreaterThanOrEqual(2);
        summaries.push(module.summary, ...module.lessons.map((lesson) => lesson.summary));
      }
      for (const summary of summaries) expect(summary).toMatch(/^[A-Z][^\n]*[^.]\.$/);
    }
  });
});

describe('parseCurriculum', () => {
  it('rejects a duplicate lesson slug across modules and names the field', () => {
    const content = cloneCurriculum();
    const [first, second] = content.courses[0]?.modules ?? [];
    if (!first?.lessons[0] || !second?.lessons[0]) throw new Error('fixture needs two modules with lessons');
    second.lessons[0].slug = first.lessons[0].slug;
    expect(() => parseCurriculum(content)).toThrow(
      /duplicate lesson slug[\s\S]*courses\[0\]\.modules\[1\]\.lessons\[0\]\.slug/,
    );
  });

  it('rejects a duplicate module slug', () => {
    const content = cloneCurriculum();
    const modules = content.courses[0]?.modules ?? [];
    if (!modules[0] || !modules[1]) throw new Error('fixture needs two modules');
    modules[1].slug = modules[0].slug;
    expect(() => parseCurriculum(content)).toThrow(/duplicate module slug/);
  });

  it('rejects a misspelt key, a bad slug and a fractional duration, naming each field', () => {
    const content = JSON.parse(JSON.stringify(curriculum));
    const lesson = content.courses[0].modules[0].lessons[0];
    lesson.duration_minute = lesson.duration_minutes;
    lesson.duration_minutes = 12.5;
    content.courses[0].modules[0].slug = 'Python For AI';
    let message = '';
    try {
      parseCurriculum(content, 'edited.json');
    } catch (error) {
      message = error instanceof Error ? error.message : '';
    }
    expect(message).toContain('curriculum: edited.json is invalid');
    expect(message).toContain('courses[0].modules[0].slug');
    expect(message).toContain('courses[0].modules[0].lessons[0].duration_minutes');
    expect(message).toContain('duration_minute');
  });

  it('rejects a module without lessons', () => {
    const content = cloneCurriculum();
    const module = content.courses[0]?.modules[0];
    if (!module) throw new Error('fixture needs a module');
    module.lessons = [];
    expect(() => parseCurriculum(content)).toThrow(/courses\[0\]\.modules\[0\]\.lessons/);
  });
});

describe('loadCurriculum', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'curriculum-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads an explicit path', () => {
    const file = path.join(dir, 'ok.json');
    writeFileSync(file, JSON.stringify(curriculum));
    expect(loadCurriculum(file)).toEqual(curriculum);
  });

  it('names the file when it is not JSON', () => {
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, '{ "courses": [');
    expect(() => loadCurriculum(file)).toThrow(`curriculum: cannot read ${file}`);
  });

  it('names the file when it does not exist', () => {
    expect(() => loadCurriculum(path.join(dir, 'missing.json'))).toThrow(/cannot read .*missing\.json/);
  });
});
