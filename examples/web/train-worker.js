// The demo's training worker: Word2Vec runs here so that the page stays responsive while it trains. It posts
// progress (epoch, fraction, loss of the current epoch) and at the end the words and their vectors, which the page
// loads into its own KeyedVectors. Import maps do not reach workers, so this imports the browser entry by path
// (with Vite, the `quantext` alias in vite.config.mjs makes both the same module file).
import { init, env, Word2Vec } from '../../dist/index.js';

let running = false;

self.onmessage = async ({ data }) => {
  if (data.type !== 'train' || running) return;
  running = true;
  const { sentences, epochs, vectorSize, window, sg } = data;
  let model;
  try {
    await init();
    model = new Word2Vec({
      vectorSize, window, sg, minCount: 1, sample: 0, seed: 1, epochs,
      // threads where the page is cross-origin isolated (the worker inherits it); one thread, silently, elsewhere
      workers: env.canThread ? 2 : 1,
    });
    const lossByEpoch = [];
    const res = await model.train(sentences, {
      progressInterval: 50,
      onProgress: (p) => {
        // `loss` is the sum over the current epoch so far; at an epoch's end it is that epoch's loss
        if (p.progress > 0) self.postMessage({ type: 'progress', epoch: p.epoch, epochs: p.epochs, progress: p.progress, loss: p.loss, words: p.words, wordsPerSecond: p.wordsPerSecond });
      },
    });
    lossByEpoch.push(...res.epochLoss);
    const words = Array.from(model.wv.indexToKey);
    const vectors = new Float32Array(model.wv.vectors);
    self.postMessage(
      { type: 'done', words, vectors, dim: model.wv.dim, threads: res.threads, seconds: res.seconds, epochs: res.epochs, epochLoss: lossByEpoch, loss: res.loss },
      [vectors.buffer],
    );
  } catch (e) {
    self.postMessage({ type: 'error', code: e?.code, message: e?.message ?? String(e) });
  } finally {
    model?.dispose();
    running = false;
  }
};
