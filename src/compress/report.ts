// What `quantext compress` writes: the Pareto front (and every candidate) as a markdown table, the trade-off
// explained (what each number of bits costs in quality, where the error comes from, what speed it buys), and an
// SVG scatter plot of quality against size on disk with the front and the target marked.
import type { Measured, ParetoSearchResult } from './search.js';
import { scatterPanels } from './svg.js';

export interface ReportOptions {
  title: string;
  /** Name of the quality column ('Spearman ρ (pairs)', 'P@1'). */
  qualityName: string;
  /** Name of the latency column ('ms / query'). */
  latencyName?: string;
  /** Further metric columns, in order: key in `metrics`, header, digits. */
  columns?: { key: string; label: string; digits?: number; percent?: boolean }[];
  targetSize?: number;
  /** The uncompressed model, measured the same way (Δ quality and speed-ups are relative to it). */
  reference?: { size: number; quality: number; latencyMs?: number; label?: string };
  /** A family whose candidates get their own table first ('What the bits cost': every scheme at full size). */
  costFamily?: { family: string; title: string };
  /** Lines of explanation appended under the tables. */
  notes?: string[];
}

/** '12.3 kB', '1.05 MB', '812 B' (powers of 1000, as the --target-size flag reads them). */
export function fmtSize(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 2 : 1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(n < 1e7 ? 2 : 1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

const fmt = (v: number | undefined, digits = 4, percent = false): string =>
  v === undefined || Number.isNaN(v) ? '–' : v === Infinity ? '∞' : percent ? `${(v * 100).toFixed(digits)} %` : v.toFixed(digits);

function row<P>(m: Measured<P>, o: ReportOptions, best?: Measured<P>): string {
  const ref = o.reference;
  const cells = [
    `${m === best ? '**' : ''}${m.name}${m === best ? '** (kept)' : ''}`,
    fmtSize(m.size),
    ref ? `${(ref.size / m.size).toFixed(1)}×` : '',
    fmt(m.quality),
    ref && Number.isFinite(m.quality - ref.quality) ? fmt(m.quality - ref.quality, 4).replace(/^(?!-)/, '+') : '',
    fmt(m.latencyMs, 3),
    ref?.latencyMs && m.latencyMs ? `${(ref.latencyMs / m.latencyMs).toFixed(2)}×` : '',
    ...(o.columns ?? []).map((c) => fmt(m.metrics?.[c.key], c.digits ?? 3, c.percent)),
  ];
  return `| ${cells.join(' | ')} |`;
}

function table<P>(items: readonly Measured<P>[], o: ReportOptions, best?: Measured<P>): string[] {
  const head = ['candidate', 'size on disk', 'smaller', o.qualityName, 'Δ', o.latencyName ?? 'ms / query', 'speed-up', ...(o.columns ?? []).map((c) => c.label)];
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i ? ' ---: ' : ' --- ')).join('|')}|`, ...items.map((m) => row(m, o, best))];
}

/** The markdown report: summary, Pareto front, every candidate, notes. */
export function markdownReport<P>(r: ParetoSearchResult<P>, o: ReportOptions): string {
  const out: string[] = [`# ${o.title}`, ''];
  const tried = r.candidates.length, total = tried + r.skipped.length + r.failed.length;
  out.push(
    `Tried ${tried} of ${total} candidates in ${(r.elapsedMs / 1000).toFixed(1)} s (budget ${(r.budgetMs / 1000).toFixed(0)} s)` +
      (r.outOfTime ? `; the budget stopped the search, ${r.skipped.length} not tried.` : '.') +
      (r.failed.length ? ` ${r.failed.length} failed: ${r.failed.map((f) => `${f.spec.name} (${f.error})`).join('; ')}.` : ''),
  );
  if (o.reference) out.push(`Reference (${o.reference.label ?? 'uncompressed'}): ${fmtSize(o.reference.size)}, ${o.qualityName} ${fmt(o.reference.quality)}.`);
  if (o.targetSize !== undefined) {
    out.push(
      r.best
        ? `Kept: **${r.best.name}**, ${fmtSize(r.best.size)} (target ${fmtSize(o.targetSize)}), ${o.qualityName} ${fmt(r.best.quality)}.`
        : `No candidate fits the target of ${fmtSize(o.targetSize)}; the smallest tried is ${r.front[0] ? `${r.front[0].name}, ${fmtSize(r.front[0].size)}` : 'none'}.`,
    );
  }
  const cost = o.costFamily && r.candidates.filter((m) => m.family === o.costFamily!.family);
  if (cost?.length) out.push('', `## ${o.costFamily!.title}`, '', ...table(cost, o, r.best));
  out.push('', '## Pareto front (size on disk against quality)', '', ...table(r.front, o, r.best), '');
  out.push('## Every candidate tried', '', ...table(r.candidates, o, r.best), '');
  if (r.skipped.length) out.push(`Not tried (out of time): ${r.skipped.map((s) => s.name).join(', ')}.`, '');
  if (o.notes?.length) out.push('## Reading the numbers', '', ...o.notes, '');
  return out.join('\n');
}

const COLORS = ['#1f77b4', '#d62728', '#2a9d3a', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

/** Quality against size on disk (log scale), one colour per family, the front labelled, the target as a footnote. */
export function paretoSvg<P>(r: ParetoSearchResult<P>, o: ReportOptions): string {
  const families = [...new Set(r.candidates.map((m) => m.family ?? 'candidate'))];
  const color = (m: Measured<P>) => COLORS[families.indexOf(m.family ?? 'candidate') % COLORS.length];
  const pts = r.candidates.filter((m) => Number.isFinite(m.quality) && m.size > 0);
  if (!pts.length) return '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="40"><text x="10" y="25">no candidate measured</text></svg>\n';
  return scatterPanels({
    title: o.title,
    subtitle: `${o.qualityName} against size on disk; labelled: the Pareto front${r.best ? `; kept ${r.best.name}` : ''}`,
    x: { label: 'size on disk (bytes, log scale)', log: true },
    panels: [
      {
        yLabel: o.qualityName,
        reference: o.reference ? { y: o.reference.quality, label: o.reference.label ?? 'uncompressed' } : undefined,
        points: pts.map((m) => ({ x: m.size, y: m.quality, label: m.pareto ? m.name : undefined, color: color(m) })),
      },
    ],
    legend: families.map((f, i) => ({ label: f, color: COLORS[i % COLORS.length] })),
    footnote: o.targetSize !== undefined ? `target size ${fmtSize(o.targetSize)}` : undefined,
  });
}
