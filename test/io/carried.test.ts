// forEachCarried: the chunk loop shared by the classifier's file reader, its test(), `quantext predict` and
// `print-word-vectors`: every byte reaches `take` exactly once and in order, whatever the chunk sizes.
import { describe, expect, it } from 'vitest';
import { forEachCarried } from '../../src/io/lines.js';

async function* chunked(b: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  for (let i = 0, k = 0; i < b.length; k++) {
    const n = sizes[k % sizes.length];
    yield b.slice(i, i + n);
    i += n;
  }
}

describe('forEachCarried', () => {
  const text = 'one line\nsecond line here\n\nthird\nno newline at the end';
  const bytes = new TextEncoder().encode(text);
  for (const sizes of [[1], [3, 7], [100], [2, 1, 5]]) {
    it(`cuts lines the same for chunks of ${sizes.join(', ')} bytes`, async () => {
      const lines: string[] = [];
      const dec = new TextDecoder();
      const rest = await forEachCarried(chunked(bytes, sizes), (buf) => {
        let start = 0;
        for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, start)) {
          lines.push(dec.decode(buf.subarray(start, i)));
          start = i + 1;
        }
        return start;
      });
      expect([...lines, dec.decode(rest)]).toEqual(text.split('\n'));
    });
  }
  it('gives back nothing when take consumes everything, and everything when it consumes nothing', async () => {
    expect((await forEachCarried(chunked(bytes, [4]), (b) => b.length)).length).toBe(0);
    expect(new TextDecoder().decode(await forEachCarried(chunked(bytes, [4]), () => 0))).toBe(text);
  });
});
