// The measuring half of the bench harness: timing with tinybench, the machine description, and
// small helpers that suites share. bench/run.mjs is the other half (CLI, results files, RESULTS.md).
//
// How a task is timed (see bench/README.md):
//   - A task is one operation, `op()`, e.g. one dot product of n floats.
//   - One timed sample runs `op()` m times in a loop and records elapsed / m, so timer resolution and
//     tinybench's per-sample bookkeeping do not dominate small sizes. m is calibrated per task so that a
//     sample lasts at least `minSampleMs` (or set `inner` explicitly).
//   - The loop is compiled fresh per task (new Function), so its call site of op() sees one target only
//     and V8 does not make it polymorphic across tasks (which cost ~60 % extra on 100-element SIMD dots).
//   - The figure reported is the median of the samples (ns per operation), with tinybench's relative
//     margin of error of the mean. `compare()` runs the variants of one case in interleaved rounds and
//     reports the median of the round medians, so that load from other work on a shared machine hits
//     every variant alike.
import { Bench } from 'tinybench';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Timing budgets: `quick` is a smoke run (seconds for a whole suite), not a measurement. */
export const PROFILES = {
  full: { time: 300, warmupTime: 80, iterations: 10, warmupIterations: 4, minSampleMs: 0.25 },
  quick: { time: 10, warmupTime: 3, iterations: 3, warmupIterations: 1, minSampleMs: 0.05 },
};

/** Sink for results of measured operations, so the JIT cannot drop them as dead code. */
export const sink = { value: 0 };

/**
 * Compiles `m => { for (i < m) acc += op() }` as a new function, with its own feedback,
 * and returns it. `op` may return a number (accumulated) or nothing.
 */
function makeLoop(op) {
  // eslint-disable-next-line no-new-func
  return new Function('op', 'sink', `
    return function batch(m) {
      let acc = 0;
      for (let i = 0; i < m; i++) acc += +(op() ?? 0);
      sink.value += acc;
    };`)(op, sink);
}

/**
 * Picks the inner repetition count m so that one batch lasts at least `minMs`. The loop is warmed up
 * first (a cold first call, still in the interpreter or compiling, would make m far too small), and the
 * larger of two calibrations is kept.
 */
function calibrate(batch, minMs) {
  const once = () => {
    let m = 1;
    for (;;) {
      const t0 = performance.now();
      batch(m);
      const dt = performance.now() - t0;
      if (dt >= minMs || m >= 1 << 24) return m;
      m = dt <= 0 ? m * 16 : Math.min(m * 16, Math.max(m * 2, Math.ceil((m * minMs * 1.2) / dt)));
    }
  };
  const warm = performance.now();
  for (let i = 0; i < 1000 && performance.now() - warm < 20; i++) batch(1);
  once();
  return Math.max(once(), once());
}

/** One tinybench run of `batch(inner)`; returns per-operation latency statistics (ms). */
function sample(name, batch, inner, budget) {
  const bench = new Bench({
    time: budget.time,
    warmup: budget.warmupTime > 0,
    warmupTime: budget.warmupTime,
    iterations: budget.iterations,
    warmupIterations: budget.warmupIterations,
    throws: true,
  });
  bench.add(name, () => {
    const t0 = performance.now();
    batch(inner);
    const dt = performance.now() - t0;
    return { overriddenDuration: dt / inner, overriddenIterationCost: dt };
  }, { async: false });
  bench.runSync();
  const r = bench.tasks[0].result;
  if (r.state !== 'completed') throw new Error(`${name}: ${r.state} ${r.error?.message ?? ''}`);
  return r.latency;
}

/** The result row of a task from its latency statistics (one per round). */
function toRow(task, inner, rounds) {
  const p50s = rounds.map((l) => l.p50 * 1e6);
  const nsPerOp = median(p50s);
  const row = {
    case: task.case,
    variant: task.variant,
    ...(task.group !== undefined && { group: task.group }),
    ...(task.params !== undefined && { params: task.params }),
    nsPerOp: round(nsPerOp, 4),
    nsMean: round(median(rounds.map((l) => l.mean * 1e6)), 4),
    rme: round(median(rounds.map((l) => l.rme)), 3),
    samples: rounds.reduce((s, l) => s + l.samplesCount, 0),
    inner,
  };
  if (rounds.length > 1) {
    row.rounds = p50s.map((x) => round(x, 4));
    row.spread = round((100 * (Math.max(...p50s) - Math.min(...p50s))) / nsPerOp, 3); // % of the median
  }
  if (task.work !== undefined && task.rateUnit) {
    // GFLOP/s = FLOPs per ns; Melem/s = elements per µs
    const perNs = task.work / nsPerOp;
    row.rate = round(task.rateUnit.startsWith('G') ? perNs : perNs * 1e3, 4);
    row.rateUnit = task.rateUnit;
  }
  return row;
}

/**
 * Times one operation and returns a result row (see the row schema in bench/README.md).
 *
 * @param {object} task
 * @param {string} task.case      what is measured, e.g. "dot n=1024" (rows with equal `case` are compared)
 * @param {string} task.variant   the implementation, e.g. "simd", "scalar", "js"
 * @param {() => number | void} task.op  one operation
 * @param {string} [task.group]   the table the row belongs to, e.g. "dot"
 * @param {object} [task.params]  parameters worth recording, e.g. { n: 1024 }
 * @param {number} [task.work]    units of work per operation (e.g. FLOPs); with `task.rateUnit`
 * @param {string} [task.rateUnit] unit of work/time: 'GFLOP/s' (work in FLOPs) or 'Melem/s' (work in elements)
 * @param {number} [task.inner]   fixed inner repetitions (default: calibrated)
 * @param {object} [opts]
 * @param {boolean} [opts.quick]
 */
export function measure(task, opts = {}) {
  return compare([task], { ...opts, rounds: 1 })[0];
}

/**
 * Times several variants of one case, interleaved: `rounds` rounds, each running every variant for
 * 1/rounds of the time budget, and reports per variant the median of its round medians. On a machine
 * shared with other work, a burst of load then hits all variants alike instead of one of them, so the
 * ratios between variants stay meaningful. Rows carry `rounds` (each round's median) and `spread`.
 */
export function compare(tasks, opts = {}) {
  const profile = opts.quick ? PROFILES.quick : PROFILES.full;
  const rounds = Math.max(1, opts.rounds ?? (opts.quick ? 1 : 3));
  const prepared = tasks.map((task) => {
    const batch = makeLoop(task.op);
    return { task, batch, inner: task.inner ?? calibrate(batch, profile.minSampleMs), lat: [] };
  });
  for (let r = 0; r < rounds; r++) {
    for (const p of prepared) {
      const budget = {
        time: profile.time / rounds,
        warmupTime: r === 0 ? profile.warmupTime : 0,
        iterations: Math.max(2, Math.ceil(profile.iterations / rounds)),
        warmupIterations: profile.warmupIterations,
      };
      p.lat.push(sample(`${p.task.case} [${p.task.variant}]`, p.batch, p.inner, budget));
    }
  }
  return prepared.map((p) => toRow(p.task, p.inner, p.lat));
}

/** mulberry32: seeded so every variant sees the same numbers. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rounds to `sig` significant digits (keeps results files readable). */
export function round(x, sig = 4) {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(sig));
}

/** Median of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** The machine a result was measured on: CPU, cores, runtime versions, date, commit. */
export function machineInfo(repoDir) {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  let flags = '';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    cpu = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? cpu;
    const f = /^flags\s*:\s*(.+)$/m.exec(info)?.[1]?.split(/\s+/) ?? [];
    flags = ['avx2', 'fma', 'avx512f', 'avx512_vnni', 'avx_vnni', 'amx_int8'].filter((x) => f.includes(x)).join(' ');
  } catch {
    /* not Linux */
  }
  const git = (args) => {
    try {
      return execFileSync('git', args, { cwd: repoDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  const commit = git(['rev-parse', '--short=12', 'HEAD']);
  const dirty = commit && git(['status', '--porcelain', '--untracked-files=no']) !== '';
  return {
    cpu,
    ...(flags && { cpuFlags: flags }),
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
    memoryGB: round(os.totalmem() / 2 ** 30, 3),
    os: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    date: new Date().toISOString(),
    // 1-minute load average when the suite finished: above ~0.5 per core, other work shared the CPU
    loadAvg: round(os.loadavg()[0], 3),
    commit: commit ? commit + (dirty ? '-dirty' : '') : 'unknown',
  };
}
