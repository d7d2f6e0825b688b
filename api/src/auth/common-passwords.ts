import { dictionary } from '@zxcvbn-ts/language-common';

// The ~49k most common passwords shipped with @zxcvbn-ts/language-common. Server side only: too large
// for the landing page's bundle. Loaded once, lower-cased, into a Set for O(1) lookups.
let commonPasswords: Set<string> | undefined;

function load(): Set<string> {
  commonPasswords ??= new Set((dictionary['passwords-common'] as string[]).map((entry) => entry.toLowerCase()));
  return commonPasswords;
}

export function isCommonPassword(password: string): boolean {
  const candidate = password.normalize('NFKC').toLowerCase();
  const list = load();
  if (list.has(candidate)) return true;
  // "Password1!" is "password" dressed up: strip the usual trailing digits and symbols and look again.
  const stem = candidate.replace(/[\d\W_]+$/u, '');
  return stem.length >= 4 && stem !== candidate && list.has(stem) && stem.length >= candidate.length - 4;
}
