import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CurriculumContent, parseCurriculum } from '../../shared/curriculum';

export { type CurriculumContent, parseCurriculum };

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
