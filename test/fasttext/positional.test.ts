// Loading a model from a path reads its matrices straight into wasm memory (ChunkReader.fromFile over the host's
// positional file), never through a chunk: the same model as from bytes, far fewer and larger reads, the same
// errors for truncated files, folders and missing files.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../../src/index.node.js';
import { FastTextModel } from '../../src/fasttext/model.js';
import { FastTextPredictModel } from '../../src/fasttext/predict-model.js';
import { ChunkReader } from '../../src/fasttext/bytes.js';
import { parseModel } from '../../src/fasttext/io.js';
import type { PositionalFile } from '../../src/io/lines.js';
import { QuantextError } from '../../src/errors.js';
import type { Runtime } from '../../src/runtime/runtime.js';

const DIR = new URL('../fixtures/fasttext/', import.meta.url);
const tmp = mkdtempSync(join(tmpdir(), 'quantext-pos-'));
let rt: Runtime;
beforeAll(async () => {
  rt = await init();
});

/** A positional file over bytes that records every read (position, length). */
function recording(bytes: Uint8Array) {
  const reads: [number, number][] = [];
  let closed = false;
  const f: PositionalFile = {
    name: 'mem.bin', size: bytes.length,
    read(dst, pos) {
      const n = Math.max(0, Math.min(dst.length, bytes.length - pos));
      dst.set(bytes.subarray(pos, pos + n));
      reads.push([pos, n]);
      return n;
    },
    close() { closed = true; },
  };
  return { f, reads, closed: () => closed };
}

describe('models from a path: positional reads', () => {
  for (const name of ['sup_softmax.bin', 'sg.bin', 'ftz_qnorm.ftz']) {
    it(`${name}: the same model as from bytes, and the dense matrices in one read each`, async () => {
      const bytes = new Uint8Array(readFileSync(new URL(name, DIR)));
      using fromBytes = await FastTextModel.load(bytes, { rt });
      using fromPath = await FastTextModel.load(fileURLToPath(new URL(name, DIR)), { rt });
      expect(fromPath.input.rows).toBe(fromBytes.input.rows);
      const a = new Float32Array(fromBytes.dim), b = new Float32Array(fromBytes.dim);
      for (const r of [0, 1, fromBytes.input.rows - 1]) {
        fromBytes.input.decodeRow(r, a);
        fromPath.input.decodeRow(r, b);
        expect(b).toEqual(a);
      }
      if (fromBytes.isSupervised) expect(fromPath.predict('free money now', 2)).toEqual(fromBytes.predict('free money now', 2));
      // the reads: small chunks for the header and dictionary, then each dense matrix straight into wasm memory
      const rec = recording(bytes);
      const r = ChunkReader.fromFile(rec.f, undefined, 4096);
      const parts = await parseModel(r, rt);
      await r.close();
      expect(rec.closed()).toBe(true);
      let covered = 0;
      for (const [pos, n] of rec.reads) {
        expect(pos).toBe(covered); // every byte read once, in order
        covered += n;
      }
      expect(covered).toBe(bytes.length);
      if (!name.endsWith('.ftz')) {
        const big = parts.input.rows * parts.input.cols * 4;
        expect(Math.max(...rec.reads.map(([, n]) => n))).toBeGreaterThan(big - 4096);
        expect(rec.reads.length).toBeLessThan(bytes.length / 4096 - big / 4096 + 8);
      }
      parts.input.dispose();
      parts.output.dispose();
    });
  }

  it('a truncated file, a folder and a missing file give the errors they gave through chunks', async () => {
    const bytes = new Uint8Array(readFileSync(new URL('sup_softmax.bin', DIR)));
    for (const cut of [bytes.length - 3, Math.floor(bytes.length / 2), 40]) {
      const p = join(tmp, `cut${cut}.bin`);
      writeFileSync(p, bytes.subarray(0, cut));
      const errs: unknown[] = [];
      for (const load of [() => FastTextModel.load(p, { rt }), () => FastTextPredictModel.load(p, rt), () => FastTextModel.load(bytes.subarray(0, cut), { rt })]) {
        errs.push(await load().then((m) => { m.dispose(); return undefined; }, (e) => e));
      }
      for (const e of errs) {
        expect(e).toBeInstanceOf(QuantextError);
        expect((e as QuantextError).code).toBe('E_FORMAT');
      }
      // same message and offset as the chunked read of the same bytes (but for the file's name)
      const msg = (e: unknown) => (e as QuantextError).message.replace(/^[^:]*: /, '');
      expect(msg(errs[0])).toBe(msg(errs[2]));
      expect(msg(errs[1])).toBe(msg(errs[2]));
    }
    for (const p of [tmp, join(tmp, 'missing.bin')]) {
      const e = await FastTextModel.load(p, { rt }).then(() => undefined, (x) => x);
      expect(e).toBeInstanceOf(QuantextError);
      expect((e as QuantextError).code).toBe('E_IO');
    }
  });
});
