import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFile, writeFile, readdir, stat, chmod, symlink, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { QuantextError } from '../../src/errors.js';
import { expectError, tempDir } from './util.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

const enc = (s: string) => new TextEncoder().encode(s);

describe('writeFileAtomic', () => {
  it('writes bytes, strings, and sync or async chunk iterables', async () => {
    const p = join(tmp.dir, 'a.bin');
    await writeFileAtomic(p, enc('bytes'));
    expect(await readFile(p, 'utf8')).toBe('bytes');
    await writeFileAtomic(p, 'ünïcode');
    expect(await readFile(p, 'utf8')).toBe('ünïcode');
    await writeFileAtomic(p, ['a', enc('b'), 'c']);
    expect(await readFile(p, 'utf8')).toBe('abc');
    async function* chunks() {
      for (let i = 0; i < 100; i++) yield enc(`${i},`);
    }
    await writeFileAtomic(p, chunks());
    expect(await readFile(p, 'utf8')).toBe(Array.from({ length: 100 }, (_, i) => `${i},`).join(''));
    expect((await readdir(tmp.dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a failure midway leaves the old file intact and removes the temporary file', async () => {
    const p = join(tmp.dir, 'model.bin');
    await writeFile(p, 'the good model');
    function* failing() {
      yield enc('partial data ');
      yield enc('more ');
      throw new QuantextError('E_NAN', 'bad value while encoding');
    }
    const e = await expectError(() => writeFileAtomic(p, failing()), 'E_NAN'); // the encoder's error, unchanged
    expect(e.message).toBe('bad value while encoding');
    expect(await readFile(p, 'utf8')).toBe('the good model');
    expect(await readdir(tmp.dir)).not.toContainEqual(expect.stringMatching(/model\.bin.*\.tmp$/));
    // a plain Error from the data source is wrapped as E_IO
    async function* broken() {
      yield enc('x');
      throw new Error('socket closed');
    }
    const e2 = await expectError(() => writeFileAtomic(p, broken()), 'E_IO');
    expect(e2.message).toContain(p);
    expect(await readFile(p, 'utf8')).toBe('the good model');
  });

  it('keeps the permissions of the file it replaces, and writes through a symlink to its target', async () => {
    const p = join(tmp.dir, 'perm.txt');
    await writeFile(p, 'x');
    await chmod(p, 0o640);
    await writeFileAtomic(p, 'y');
    expect((await stat(p)).mode & 0o777).toBe(0o640);
    await writeFileAtomic(join(tmp.dir, 'mode.txt'), 'z', { mode: 0o600 });
    expect((await stat(join(tmp.dir, 'mode.txt'))).mode & 0o777).toBe(0o600);
    const link = join(tmp.dir, 'link.txt');
    await symlink(p, link);
    await writeFileAtomic(link, 'via link');
    expect(await readlink(link)).toBe(p);
    expect(await readFile(p, 'utf8')).toBe('via link');
  });

  it('a missing folder is E_IO naming the path', async () => {
    const p = join(tmp.dir, 'no', 'such', 'folder', 'f.txt');
    const e = await expectError(() => writeFileAtomic(p, 'x'), 'E_IO');
    expect(e.message).toContain(p);
    expect(e.details).toMatchObject({ syscallCode: 'ENOENT' });
  });

  it('concurrent writers to one path each leave a complete file', async () => {
    const p = join(tmp.dir, 'race.txt');
    const bodies = Array.from({ length: 8 }, (_, i) => String(i).repeat(10000));
    await Promise.all(bodies.map((b) => writeFileAtomic(p, [b.slice(0, 5000), b.slice(5000)], { fsync: false })));
    expect(bodies).toContain(await readFile(p, 'utf8'));
  });
});
