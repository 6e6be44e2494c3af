// Markdown for bench/RESULTS.md: the generic rendering of a results file (see the schema in
// bench/README.md). A suite may export its own `render(results)`; it can reuse these helpers.

/** Formats a duration in nanoseconds with a unit that keeps 3–4 significant digits. */
export function fmtTime(ns) {
  if (!Number.isFinite(ns)) return '–';
  if (ns < 1e3) return `${fix(ns)} ns`;
  if (ns < 1e6) return `${fix(ns / 1e3)} µs`;
  if (ns < 1e9) return `${fix(ns / 1e6)} ms`;
  return `${fix(ns / 1e9)} s`;
}

/** 3–4 significant digits without exponent notation. */
export function fix(x) {
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/** A speed-up ratio such as 23.4×. */
export function fmtRatio(x) {
  return Number.isFinite(x) ? `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}×` : '–';
}

/** One markdown table from a header row and body rows (cells are strings). */
export function table(header, body, align) {
  const esc = (c) => String(c).replace(/\|/g, '\\|');
  const al = align ?? header.map((_, i) => (i === 0 ? 'l' : 'r'));
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `| ${al.map((a) => (a === 'r' ? '---:' : a === 'c' ? ':---:' : ':---')).join(' | ')} |`,
    ...body.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

/** The machine line printed under each suite's heading. */
export function machineLine(m, results) {
  if (!m) return '';
  const parts = [
    `${m.cpu}${m.cpuFlags ? ` (${m.cpuFlags})` : ''}`,
    `${m.cores} cores`,
    m.memoryGB ? `${m.memoryGB} GB RAM` : undefined,
    m.os,
    `Node ${m.node} (V8 ${m.v8})`,
    m.date ? m.date.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : undefined,
    `commit ${m.commit}`,
    m.loadAvg !== undefined ? `load average ${m.loadAvg} at the end (other work shares this machine)` : undefined,
    results?.durationSec !== undefined ? `suite ran ${Math.round(results.durationSec)} s` : undefined,
  ].filter(Boolean);
  return `**Machine:** ${parts.join(' · ')}`;
}

/** The metrics table (single numbers such as sizes and start-up times, with optional targets). */
export function renderMetrics(metrics) {
  if (!metrics?.length) return '';
  const withTarget = metrics.some((x) => x.target !== undefined);
  const header = ['measure', 'value', ...(withTarget ? ['target', 'met'] : [])];
  const body = metrics.map((x) => [
    x.name,
    typeof x.value === 'number' ? `${fix(x.value)}${x.unit ? ` ${x.unit}` : ''}` : `${x.value}${x.unit ? ` ${x.unit}` : ''}`,
    ...(withTarget ? [x.target ?? '', x.ok === undefined ? '' : x.ok ? 'yes' : '**no**'] : []),
  ]);
  return table(header, body);
}

/**
 * The rows of one group as a table: one line per `case`, per variant a time column (and a rate column
 * when rows have `rate`), then one column per ratio: time(den) / time(num), i.e. how many times
 * faster `num` is than `den`.
 */
export function renderRows(rows, ratios = []) {
  const variants = [...new Set(rows.map((r) => r.variant))];
  const cases = [...new Set(rows.map((r) => r.case))];
  const at = new Map(rows.map((r) => [`${r.case}\u0000${r.variant}`, r]));
  const get = (c, v) => at.get(`${c}\u0000${v}`);
  const rateUnit = rows.find((r) => r.rateUnit)?.rateUnit;
  const useRatios = ratios.filter((q) => variants.includes(q.num) && variants.includes(q.den));
  const header = [
    'case',
    ...variants.map((v) => `${v} time/op`),
    ...(rateUnit ? variants.map((v) => `${v} ${rateUnit}`) : []),
    ...useRatios.map((q) => q.label ?? `${q.num} / ${q.den}`),
  ];
  const body = cases.map((c) => [
    c,
    ...variants.map((v) => (get(c, v) ? fmtTime(get(c, v).nsPerOp) : '–')),
    ...(rateUnit ? variants.map((v) => (get(c, v)?.rate !== undefined ? fix(get(c, v).rate) : '–')) : []),
    ...useRatios.map((q) => {
      const a = get(c, q.num), b = get(c, q.den);
      return a && b ? fmtRatio(b.nsPerOp / a.nsPerOp) : '–';
    }),
  ]);
  return table(header, body);
}

/** The default rendering of a results file: heading, description, machine, metrics, one table per group, notes. */
export function renderGeneric(results) {
  const out = [];
  out.push(`## ${results.title ?? results.suite}`);
  out.push(`Suite \`${results.suite}\` · \`npm run bench -- ${results.suite}\`${results.quick ? ' · **quick smoke run, not a measurement**' : ''}`);
  if (results.description) out.push(results.description);
  out.push(machineLine(results.machine, results));
  if (results.metrics?.length) out.push(renderMetrics(results.metrics));
  const rows = results.rows ?? [];
  const groups = [...new Set(rows.map((r) => r.group ?? ''))];
  for (const g of groups) {
    const gr = rows.filter((r) => (r.group ?? '') === g);
    if (g) out.push(`### ${g}`);
    out.push(renderRows(gr, results.ratios));
  }
  if (results.notes?.length) out.push(results.notes.map((n) => `- ${n}`).join('\n'));
  return out.filter(Boolean).join('\n\n');
}
