import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { formatG } from '../../src/fasttext/format.js';

describe("fastText's number format (%g)", () => {
  it('matches printf %g at precisions 5 and 6', () => {
    const cases: [number, number, string][] = [
      [0.218528, 6, '0.218528'], [1e-5, 6, '1e-05'], [0.00012345678, 6, '0.000123457'], [123456.7, 6, '123457'],
      [1234567, 6, '1.23457e+06'], [-0.00097545, 5, '-0.00097545'], [0.043779, 5, '0.043779'], [1, 6, '1'], [0.5, 5, '0.5'],
      [-1.5e-7, 5, '-1.5e-07'], [1e100, 6, '1e+100'], [99999.95, 6, '99999.9'], [999999.5, 6, '1e+06'],
    ];
    for (const [x, p, s] of cases) expect(formatG(x, p), `${x}`).toBe(s);
  });

  it('agrees with the C library (printf %.6g / %.5g) on random float32 values', () => {
    const xs: number[] = [];
    let seed = 99;
    for (let i = 0; i < 300; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const m = (seed / 4294967296) * 2 - 1;
      xs.push(Math.fround(m * 10 ** ((i % 17) - 8)));
    }
    const r = spawnSync('printf', [xs.map(() => '%.6g %.5g\\n').join(''), ...xs.flatMap((x) => [String(x), String(x)])], { encoding: 'utf8' });
    if (r.status !== 0) return; // no printf(1)
    const want = r.stdout.trim().split('\n');
    xs.forEach((x, i) => expect(`${formatG(x, 6)} ${formatG(x, 5)}`, String(x)).toBe(want[i]));
  });
});
