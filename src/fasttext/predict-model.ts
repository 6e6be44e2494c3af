/**
 * A fastText supervised model loaded for prediction only (what `quantext predict` needs): the file read in one go,
 * parsed into the arguments, dictionary and matrices, and the wasm predictor over them. It leaves out what
 * FastTextModel adds (word vectors, KeyedVectors, saving, the TypeScript reference predictor), so that the command
 * line's start-up does not load those modules (the vectors layer, its tables and file formats: ~30 of the ~45
 * modules FastTextModel reaches).
 */
import { QuantextError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { fileSystemHost } from '../io/lines.js';
import { ChunkReader } from './bytes.js';
import { parseModel, type ParsedModel } from './io.js';
import { FastTextPredictor } from './predictor.js';

export class FastTextPredictModel {
  private _predictor?: FastTextPredictor;
  private disposed = false;

  private constructor(readonly parts: ParsedModel) {}

  /** Reads a `.bin` / `.ftz` file (1 MiB reads, the matrices straight into wasm memory; E_IO naming it when it cannot be read; E_FORMAT for a bad file). */
  static async load(path: string, rt: Runtime): Promise<FastTextPredictModel> {
    const host = fileSystemHost(path);
    let r: ChunkReader;
    if (host.openPositional) r = ChunkReader.fromFile(host.openPositional(path), path);
    else {
      if (!host.readSync) throw new QuantextError('E_UNSUPPORTED', `cannot read ${path}: this runtime's file system has no whole-file read`);
      const bytes = host.readSync(path);
      r = new ChunkReader(one(bytes), path, bytes.length);
    }
    try {
      return new FastTextPredictModel(await parseModel(r, rt));
    } finally {
      await r.close();
    }
  }

  get isSupervised(): boolean {
    return this.parts.args.model === 'supervised';
  }

  /** The wasm predictor (made on first use, disposed with the model). */
  get predictor(): FastTextPredictor {
    this._predictor ??= new FastTextPredictor(this.parts);
    return this._predictor;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this._predictor?.dispose();
    this.parts.input.dispose();
    this.parts.output.dispose();
  }
}

async function* one(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
