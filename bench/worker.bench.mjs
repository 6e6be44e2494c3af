// The Worker of examples/worker/ in workerd: cold start, per-request time and upload size (issue 14). It runs
// scripts/smoke/worker-example.mjs (the same script `npm run test:runtimes` runs as the `worker` runtime, which also
// checks that every answer equals Node's) and keeps its timings.
//
//   npm run bench -- worker          (needs workerd: `npm run test:runtimes -- --install` puts it in scripts/smoke;
//                                     wrangler in examples/worker/node_modules for the bundled variant)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const title = 'Cloudflare Workers: the example Worker in workerd';
export const description = [
  'examples/worker/ (a compressed spam classifier and int8 word vectors bundled as Data modules) served by workerd over',
  'HTTP on this machine. Cold start: workerd started → listening, then the first request (which loads the models).',
  'Warm: medians of 200 requests measured by the client over HTTP; "unknown route" is the HTTP round trip alone. The',
  'same handler called in-process in Node is shown for scale. Size: what `wrangler deploy --dry-run` uploads.',
].join(' ');

export async function run(ctx = { args: [], quick: false, log: (m) => process.stderr.write(m + '\n') }) {
  const dir = mkdtempSync(join(tmpdir(), 'quantext-worker-bench-'));
  try {
    const file = join(dir, 'worker.json');
    const r = spawnSync(process.execPath, [join(REPO, 'scripts/smoke/worker-example.mjs'), '--results', file], {
      encoding: 'utf8', env: { ...process.env, ...(ctx.quick ? { QUANTEXT_WORKER_REQUESTS: '20' } : {}) }, maxBuffer: 1 << 26,
    });
    if (r.status !== 0) throw new Error(`worker-example.mjs failed (exit ${r.status}):\n${r.stderr.slice(-3000)}`);
    ctx.log(r.stderr.trim().split('\n').filter((l) => /cold start|upload/.test(l)).join('\n'));
    const res = JSON.parse(readFileSync(file, 'utf8'));
    const name = res.runs['workerd (wrangler bundle)'] ? 'workerd (wrangler bundle)' : 'workerd (modules)';
    const w = res.runs[name], node = res.runs.node?.warm;
    const metrics = [
      { name: `served as`, value: `${name}, workerd ${res.workerd}` },
      { name: 'upload, gzipped', value: +(w.size.gzBytes / 1024).toFixed(0), unit: 'KiB', target: `far below ${res.limitGzBytes / 1048576} MiB (free plan)`, ok: w.size.gzBytes < res.limitGzBytes / 2 },
      { name: 'upload, raw (models included)', value: `${(w.size.bytes / 1024).toFixed(0)} KiB (models ${(w.size.modelBytes / 1024).toFixed(0)} KiB)` },
      { name: 'cold start: workerd listening', value: w.coldStart.listeningMs, unit: 'ms' },
      { name: 'cold start: first request (loads the models)', value: w.coldStart.firstRequestMs, unit: 'ms' },
      { name: 'models loaded in (Worker clock)', value: w.coldStart.loadMs, unit: 'ms' },
      { name: 'warm POST /classify (client, median)', value: w.warm.classify.clientMedianMs, unit: 'ms' },
      { name: 'warm GET /neighbours (client, median)', value: w.warm.neighbours.clientMedianMs, unit: 'ms' },
      { name: 'warm unknown route (HTTP alone)', value: w.warm.none.clientMedianMs, unit: 'ms' },
    ];
    if (node) metrics.push({ name: 'Node, same handler in-process: classify / neighbours', value: `${node.classify.clientMedianMs} / ${node.neighbours.clientMedianMs} ms` });
    return { metrics, rows: [], raw: res, notes: ["workerd's clock advances only at I/O, so the Worker's own X-Latency-Ms reads 0–1 ms for warm requests; the client's times are the ones shown."] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
