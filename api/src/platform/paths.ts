import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The repository root, found from this module whether it runs from api/src (tsx, vitest) or api/dist (bundle).
export function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'sql')) && existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return resolve(process.cwd());
}
