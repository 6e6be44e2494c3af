/**
 * fastText's saved training arguments (src/args.cc `Args::save`): twelve int32 then one float64, 56 bytes, in this
 * order. Everything else fastText knows about a run (lr, thread, label prefix …) is not in the model file.
 */
export type FastTextModelName = 'cbow' | 'skipgram' | 'supervised';
export type FastTextLoss = 'hs' | 'ns' | 'softmax' | 'ova';

export interface FastTextArgs {
  dim: number;
  ws: number;
  epoch: number;
  minCount: number;
  neg: number;
  wordNgrams: number;
  loss: FastTextLoss;
  model: FastTextModelName;
  bucket: number;
  minn: number;
  maxn: number;
  lrUpdateRate: number;
  /** Sub-sampling threshold. */
  t: number;
}

/** fastText's enum values: model_name { cbow = 1, sg, sup }, loss_name { hs = 1, ns, softmax, ova }. */
export const MODEL_CODES: Record<FastTextModelName, number> = { cbow: 1, skipgram: 2, supervised: 3 };
export const LOSS_CODES: Record<FastTextLoss, number> = { hs: 1, ns: 2, softmax: 3, ova: 4 };
export const MODEL_NAMES: FastTextModelName[] = ['cbow', 'skipgram', 'supervised'];
export const LOSS_NAMES: FastTextLoss[] = ['hs', 'ns', 'softmax', 'ova'];

/** Bytes of the saved arguments. */
export const ARGS_BYTES = 12 * 4 + 8;

/** fastText 0.9's defaults for an unsupervised model (main.cc / args.cc), for models made here. */
export function defaultArgs(over: Partial<FastTextArgs> = {}): FastTextArgs {
  return { dim: 100, ws: 5, epoch: 5, minCount: 5, neg: 5, wordNgrams: 1, loss: 'ns', model: 'skipgram', bucket: 2000000, minn: 3, maxn: 6, lrUpdateRate: 100, t: 1e-4, ...over };
}
