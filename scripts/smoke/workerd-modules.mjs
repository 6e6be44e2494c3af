// Shared by the scripts that run code in workerd (scripts/workerd-smoke.mjs, scripts/smoke/worker-example.mjs): the
// workerd binary, and the module list of dist/index.workerd.js for a workerd config (unbundled, as Workers load it).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import ts from 'typescript';

export const WORKERD_VERSION = '1.20261117.1';

/** The workerd binary: $WORKERD, or a pinned copy installed once into the temp dir. */
export function workerdBinary() {
  if (process.env.WORKERD) return resolve(process.env.WORKERD);
  const dir = join(tmpdir(), `quantext-workerd-${WORKERD_VERSION}`);
  const bin = join(dir, 'node_modules', '.bin', 'workerd');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
    console.error(`installing workerd@${WORKERD_VERSION} into ${dir}`);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', `workerd@${WORKERD_VERSION}`], { cwd: dir, stdio: 'inherit' });
  }
  return bin;
}

/**
 * Every module reachable from `start` (a path relative to `root`) by imports: relative specifiers only (Workers have
 * no node_modules here); `bare` lists bare specifiers that are allowed and not followed (they are given to workerd
 * as named modules). Non-.js files (wasm, data) are listed but not read.
 */
export function moduleGraph(root, start, bare = []) {
  const seen = new Set();
  const stack = [start];
  while (stack.length) {
    const m = stack.pop();
    if (seen.has(m)) continue;
    seen.add(m);
    if (!m.endsWith('.js')) continue;
    const src = readFileSync(join(root, m), 'utf8');
    // every import, re-export and dynamic import() (TypeScript's own scanner, not a regex)
    const specs = ts.preProcessFile(src, true, true).importedFiles.map((f) => f.fileName);
    for (const spec of specs) {
      if (bare.includes(spec)) continue;
      if (!spec.startsWith('.')) throw new Error(`${m} imports '${spec}': a bare or node: import cannot run in Workers unbundled`);
      stack.push(posix.normalize(posix.join(posix.dirname(m), spec)));
    }
  }
  return [...seen];
}

/** A workerd module entry for `name` (embedding the file `file`, default `name`), typed by the file's extension. */
export function moduleEntry(name, file = name) {
  const kind = file.endsWith('.js') || file.endsWith('.mjs') ? 'esModule' : file.endsWith('.wasm') ? 'wasm' : 'data';
  return `(name = "${name}", ${kind} = embed "${file}")`;
}
