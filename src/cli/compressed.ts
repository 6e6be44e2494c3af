// `quantext predict` / `test` / `test-label` on a compressed classifier (`quantext compress` output, magic "QTXC"):
// the same output as for a fastText model, through CompressedClassifier (quantext/compress, imported only here).
import { closeSync, openSync, readSync } from 'node:fs';
import type { ByteSource } from '../io/lines.js';
import { readLines } from '../io/lines.js';
import type { ClassifierData } from '../classify/encode.js';
import type { TestResult } from '../classify/meter.js';
import { formatG } from '../fasttext/format.js';
import { CQ_MAGIC } from '../compress/cformat.js';
import { int, num } from './args.js';
import { QuantextError } from '../errors.js';
import type { PredictSummary } from './predict.js';

/** Whether the file at `path` starts with the compressed classifier's magic (false for anything unreadable). */
export function isCompressedClassifier(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(4);
    return readSync(fd, b, 0, 4, 0) === 4 && CQ_MAGIC.every((x, i) => b[i] === x);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function options(o: { k?: unknown; threshold?: unknown }): { k: number; threshold: number } {
  const k = int('--k', o.k, 1, { min: -1 });
  if (k === 0) throw new QuantextError('E_OPTION', '--k must be a positive integer or -1 (all labels)', { option: 'k' });
  return { k, threshold: num('--threshold', o.threshold, 0) };
}

/** `quantext predict` on a compressed classifier: one line out per line in, as `fasttext predict[-prob]` prints. */
export async function predictCompressed(path: string, input: ByteSource, o: { k?: unknown; prob?: boolean; threshold?: unknown }, write: (s: string) => void): Promise<PredictSummary> {
  const { k, threshold } = options(o);
  const { CompressedClassifier } = await import('../compress/classifier.js');
  const cc = await CompressedClassifier.load(path);
  try {
    const t0 = performance.now();
    let n = 0, out = '';
    for await (const line of readLines(input)) {
      out += cc.predict(line, k, threshold).map(([l, p]) => (o.prob ? `${l} ${formatG(p, 6)}` : l)).join(' ') + '\n';
      n++;
      if (out.length > 1 << 16) {
        write(out);
        out = '';
      }
    }
    if (out) write(out);
    const seconds = (performance.now() - t0) / 1000;
    return { n, seconds, docsPerSecond: seconds > 0 ? n / seconds : 0 };
  } finally {
    cc.dispose();
  }
}

/** `quantext test` / `test-label` on a compressed classifier. */
export async function testCompressed(path: string, input: ClassifierData, o: { k?: unknown; threshold?: unknown }): Promise<{ k: number; result: TestResult }> {
  const { k, threshold } = options(o);
  const { CompressedClassifier } = await import('../compress/classifier.js');
  const cc = await CompressedClassifier.load(path);
  try {
    return { k, result: await cc.test(input, k, threshold) };
  } finally {
    cc.dispose();
  }
}
