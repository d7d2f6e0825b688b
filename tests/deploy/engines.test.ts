import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../api/src/test/setup';

// The project supports Node >= 20.19 (package.json `engines`): every package the lockfile installs must run there,
// or `npm ci` warns (EBADENGINE) and the newcomer's first command is not clean. The container runs Node 22, which the
// same check covers.

type LockPackage = { version?: string; engines?: { node?: string } | string[] };
const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockPackage>;
};
const root = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };

describe('engines', () => {
  it('the project supports Node 20.19 and newer', () => {
    expect(root.engines.node).toBe('>=20.19');
  });

  it.each(['20.19.0', '22.13.0'])('every locked package declares support for Node %s', (node) => {
    const refusing = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.engines && !Array.isArray(entry.engines) && entry.engines.node)
      .filter(([, entry]) => {
        const range = (entry.engines as { node: string }).node;
        return !semver.satisfies(node, range, { includePrerelease: true });
      })
      .map(([path, entry]) => `${path}@${entry.version} wants node ${(entry.engines as { node: string }).node}`);
    expect(refusing).toEqual([]);
  });
});
