// The relative-import graph of a source file (for the tests that keep separate package entries out of the core).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every src/*.ts file reachable from `entry` through relative `.js` imports. */
export function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const stack = [join(ROOT, entry)];
  while (stack.length) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    const src = readFileSync(f, 'utf8');
    const specs = [...src.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
    stack.push(...specs.filter((s) => s.startsWith('.') && s.endsWith('.js')).map((s) => resolve(dirname(f), s.replace(/\.js$/, '.ts'))).filter((p) => existsSync(p)));
  }
  return seen;
}

/** Paths relative to the repository. */
export const rel = (s: Set<string>) => [...s].map((f) => f.slice(ROOT.length + 1));
