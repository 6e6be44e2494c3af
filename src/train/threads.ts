// Worker threads for the trainers (Word2Vec, FastText, GloVe): how many a train() call runs, the model's pool, and
// the one-per-process warnings. One implementation for the three trainers.
import { QuantextError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { env } from '../runtime/env.js';
import { WorkerPool, hasWorkerFactory, availableParallelism } from '../runtime/pool.js';

const warned = new Set<string>();
/** Warns once per process per kind (e.g. 'Word2Vec:cap'). */
export function warnOnce(kind: string, msg: string): void {
  if (warned.has(kind)) return;
  warned.add(kind);
  console.warn(msg);
}
/** For tests: forget which warnings were given. */
export function resetTrainWarnings(): void {
  warned.clear();
}

/** A model's worker pool, and whether workers failed to start here (then the model stays on one thread). */
export interface PoolBox {
  pool?: WorkerPool;
  unavailable?: boolean;
}

/** Terminates the pool of a model that was collected without dispose(). */
const poolRegistry =
  typeof FinalizationRegistry !== 'undefined' ? new FinalizationRegistry<PoolBox>((box) => box.pool?.terminate()) : undefined;

/** Ties `box`'s pool to `owner`'s life (the safety net behind dispose()). */
export function registerPool(owner: object, box: PoolBox): void {
  poolRegistry?.register(owner, box, owner);
}

/** Ends `owner`'s pool now (dispose()). */
export function terminatePool(owner: object, box: PoolBox): void {
  poolRegistry?.unregister(owner);
  box.pool?.terminate();
  box.pool = undefined;
}

/**
 * How many threads a train() call of trainer `name` runs: `workers`, capped at the host's available parallelism, and
 * 1 where threads cannot run or start (each with one warning per process). Starts the model's pool, or reuses it;
 * with `callerRuns` the caller runs one of the threads itself and the pool has one worker fewer.
 */
export async function startThreads(rt: Runtime, name: string, workers: number, box: PoolBox, callerRuns = false): Promise<number> {
  let n = workers;
  const max = availableParallelism();
  if (n > max) {
    warnOnce(`${name}:cap`, `quantext: ${name} runs ${max} threads, not ${n}: this host runs at most ${max} in parallel`);
    n = max;
  }
  if (n > 1 && !(rt.shared && hasWorkerFactory() && env.canThread)) {
    warnOnce(`${name}:nothreads`, `quantext: ${name} runs single-threaded here (workers: ${n} requested, but ${
      !rt.shared ? 'the runtime has no shared memory (browsers need cross-origin isolation: COOP same-origin + COEP require-corp)' : 'this host has no worker threads'
    })`);
    n = 1;
  }
  if (n > 1 && box.unavailable) n = 1;
  if (n <= 1) return 1;
  // callerRuns: the calling thread runs one of the n threads itself, so the pool has n − 1 workers
  const size = callerRuns ? n - 1 : n;
  if (box.pool && !box.pool.broken && box.pool.size === size) return n;
  box.pool?.terminate();
  box.pool = undefined;
  try {
    box.pool = await WorkerPool.create(rt, size);
  } catch (e) {
    if (!(e instanceof QuantextError) || e.code !== 'E_UNSUPPORTED') throw e;
    box.unavailable = true;
    warnOnce(`${name}:nostart`, `quantext: ${name} runs single-threaded: worker threads did not start here (${e.message})`);
    return 1;
  }
  return n;
}
