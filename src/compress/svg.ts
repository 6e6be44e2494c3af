// Hand-written SVG charts with no plotting dependency (moved here from bench/plot-svg.mjs, which re-exports it, so
// that `quantext compress` can draw its Pareto plot): one or more scatter panels stacked over a shared x axis (linear
// or log scale), labelled points, an optional dashed reference line per panel, and a legend.
//
//   const svg = scatterPanels({
//     title: 'Accuracy against size',
//     x: { label: 'bytes per vector', log: true },
//     panels: [{ yLabel: 'Spearman ρ', reference: { y: 0.264, label: 'f32' },
//                points: [{ x: 104, y: 0.2645, label: 'int8', color: '#2a9d3a' }] }],
//     legend: [{ label: 'int8', color: '#2a9d3a' }],
//   });
//
// Text widths are estimated (no font metrics): 0.58 em per character is close to the default sans-serif of
// browsers and rsvg for digits and lower-case letters, and label placement keeps a margin for the error.

interface Box { x: number; y: number; w: number; h: number }

export interface ScatterPoint { x: number; y: number; label?: string; color?: string }
export interface ScatterPanel {
  yLabel: string;
  height?: number;
  yMin?: number;
  yMax?: number;
  reference?: { y: number; label?: string };
  points: ScatterPoint[];
}
export interface ScatterSpec {
  title?: string;
  subtitle?: string;
  /** Pixels (default 760). */
  width?: number;
  x: { label: string; log?: boolean; min?: number; max?: number };
  panels: ScatterPanel[];
  legend?: { label: string; color: string }[];
  /** One line of small text under the x axis. */
  footnote?: string;
}

/** Escapes text for SVG content and attribute values. */
export function escapeXml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A number with at most `digits` significant digits and no trailing zeros ("0.25", "1,000" stays "1000"). */
export function fmtTick(v: number, digits = 4): string {
  if (v === 0) return '0';
  const s = Number(v.toPrecision(digits)).toString();
  return s.includes('e') ? v.toExponential(1) : s;
}

/**
 * About `count` evenly spaced "nice" ticks (steps of 1, 2 or 5 × 10^k) covering [min, max]: the first tick is
 * at or below min and the last at or above max, so the axis can be extended to them.
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    return niceTicks(min - pad, max + pad, count);
  }
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const lo = Math.floor(min / step + 1e-9) * step, hi = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = lo; v <= hi + step * 1e-6; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/**
 * Ticks of a log axis over [min, max] (min > 0): 1, 2 and 5 × 10^k, extended to the 1-2-5 values just outside
 * the range. When that gives more than `maxTicks`, only the powers of ten are kept.
 */
export function logTicks(min: number, max: number, maxTicks = 12): number[] {
  if (!(min > 0) || !(max >= min)) throw new Error(`logTicks: need 0 < min ≤ max; got ${min}, ${max}`);
  const mults = [1, 2, 5];
  const all: number[] = [];
  for (let e = Math.floor(Math.log10(min)) - 1; e <= Math.ceil(Math.log10(max)) + 1; e++) for (const m of mults) all.push(Number((m * 10 ** e).toPrecision(12)));
  const first = all.filter((v) => v <= min * (1 + 1e-9)).pop() ?? all[0];
  const last = all.find((v) => v >= max * (1 - 1e-9)) ?? all[all.length - 1];
  const ticks = all.filter((v) => v >= first && v <= last);
  if (ticks.length <= maxTicks) return ticks;
  return ticks.filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
}

/** A linear or log map from data to pixels over [d0, d1] → [p0, p1]. */
export function scale(d0: number, d1: number, p0: number, p1: number, log = false): (v: number) => number {
  const f = log ? Math.log10 : (v: number) => v;
  const a = f(d0), b = f(d1);
  return (v: number) => p0 + ((f(v) - a) / (b - a || 1)) * (p1 - p0);
}

/** Estimated width in pixels of `text` at `fontSize` (see the header). */
export function textWidth(text: unknown, fontSize: number): number {
  return String(text).length * fontSize * 0.58;
}

function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Places one label per point without overlapping the other labels or the point markers, greedily (points in the
 * given order). Candidates: right, left, above and below the marker at growing distances; the first free one wins,
 * else the one with the least overlap. A label placed away from its marker gets a leader line.
 * @param {{px: number, py: number, label: string}[]} pts  points in pixels
 * @param {{x0: number, y0: number, x1: number, y1: number}} box  the area labels must stay in
 * @returns {{x: number, y: number, w: number, h: number, leader: boolean}[]}  text boxes (x, y = top left)
 */
export function placeLabels(pts: readonly { px: number; py: number; label: string }[], box: { x0: number; y0: number; x1: number; y1: number }, fontSize = 11, markerR = 4): (Box & { leader: boolean })[] {
  const h = fontSize + 2;
  const blocked = pts.map((p) => ({ x: p.px - markerR - 1, y: p.py - markerR - 1, w: 2 * markerR + 2, h: 2 * markerR + 2 }));
  const placed: (Box & { leader: boolean })[] = [];
  for (const p of pts) {
    const w = textWidth(p.label, fontSize) + 2;
    let best: (Box & { leader: boolean }) | undefined, bestCost = Infinity;
    for (const dist of [markerR + 3, markerR + 12, markerR + 24, markerR + 40]) {
      const cands = [
        [p.px + dist, p.py - h / 2], [p.px - dist - w, p.py - h / 2],
        [p.px - w / 2, p.py - dist - h], [p.px - w / 2, p.py + dist],
        [p.px + dist * 0.7, p.py - dist * 0.7 - h], [p.px + dist * 0.7, p.py + dist * 0.7],
        [p.px - dist * 0.7 - w, p.py - dist * 0.7 - h], [p.px - dist * 0.7 - w, p.py + dist * 0.7],
      ];
      for (const [x, y] of cands) {
        const b = { x, y, w, h };
        let cost = 0;
        if (x < box.x0 || y < box.y0 || x + w > box.x1 || y + h > box.y1) cost += 1e6;
        for (const o of placed) cost += overlap(b, o) * 10;
        for (const o of blocked) cost += overlap(b, o) * 10;
        cost += dist * 0.01; // prefer near
        if (cost < bestCost) {
          bestCost = cost;
          best = { ...b, leader: dist > markerR + 3 };
        }
      }
      if (bestCost < 1) break;
    }
    placed.push(best!);
  }
  return placed;
}

/**
 * Scatter panels stacked vertically over one x axis.
 * @param {object} spec
 * @param {string} [spec.title]
 * @param {string} [spec.subtitle]
 * @param {number} [spec.width]  pixels (default 760)
 * @param {{label: string, log?: boolean, min?: number, max?: number}} spec.x
 * @param {{yLabel: string, height?: number, yMin?: number, yMax?: number,
 *          reference?: {y: number, label?: string},
 *          points: {x: number, y: number, label?: string, color?: string}[]}[]} spec.panels
 * @param {{label: string, color: string}[]} [spec.legend]
 * @param {string} [spec.footnote]  one line of small text under the x axis
 * @returns {string} an SVG document
 */
export function scatterPanels(spec: ScatterSpec): string {
  const W = spec.width ?? 760;
  const font = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';
  const left = 78, right = 24;
  const titleH = spec.title ? (spec.subtitle ? 46 : 30) : 8;
  const legendH = spec.legend?.length ? 24 : 0;
  const gap = 30, xAxisH = 44, footH = spec.footnote ? 18 : 0;
  const panels = spec.panels.map((p) => ({ ...p, height: p.height ?? 230 }));
  const H = titleH + legendH + panels.reduce((s, p) => s + p.height, 0) + gap * (panels.length - 1) + xAxisH + footH + 8;
  const x0 = left, x1 = W - right;

  // x range over every panel's points
  const xs = panels.flatMap((p) => p.points.map((q) => q.x)).filter((v) => Number.isFinite(v) && (!spec.x.log || v > 0));
  if (!xs.length) throw new Error('scatterPanels: no points');
  const xmin = spec.x.min ?? Math.min(...xs), xmax = spec.x.max ?? Math.max(...xs);
  const xt = spec.x.log ? logTicks(xmin, xmax) : niceTicks(xmin, xmax, 6);
  const sx = scale(xt[0], xt[xt.length - 1], x0, x1, spec.x.log);

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${font} font-size="12">`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  if (spec.title) out.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold" fill="#222">${escapeXml(spec.title)}</text>`);
  if (spec.subtitle) out.push(`<text x="${W / 2}" y="38" text-anchor="middle" font-size="11.5" fill="#555">${escapeXml(spec.subtitle)}</text>`);
  if (legendH) {
    const items = spec.legend!.map((l) => ({ ...l, w: 18 + textWidth(l.label, 11.5) + 18 }));
    let lx = (W - items.reduce((s, l) => s + l.w, 0)) / 2;
    const ly = titleH + 12;
    for (const l of items) {
      out.push(`<circle cx="${f(lx + 5)}" cy="${ly}" r="5" fill="${l.color}" stroke="#333" stroke-width="0.6"/>`);
      out.push(`<text x="${f(lx + 14)}" y="${ly + 4}" font-size="11.5" fill="#333">${escapeXml(l.label)}</text>`);
      lx += l.w;
    }
  }

  let top = titleH + legendH;
  panels.forEach((p, pi) => {
    const y0 = top + 6, y1 = top + p.height;
    const ys = p.points.map((q) => q.y).filter(Number.isFinite);
    if (p.reference) ys.push(p.reference.y);
    const lo = p.yMin ?? Math.min(...ys), hi = p.yMax ?? Math.max(...ys);
    const padY = (hi - lo) * 0.08 || Math.abs(hi) * 0.05 || 1;
    const yt = niceTicks(p.yMin ?? lo - padY, p.yMax ?? hi + padY, 5);
    const sy = scale(yt[0], yt[yt.length - 1], y1, y0);
    // grid, ticks and frame
    for (const v of yt) {
      const y = f(sy(v));
      out.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#e3e3e3"/>`);
      out.push(`<text x="${x0 - 6}" y="${f(sy(v) + 4)}" text-anchor="end" fill="#444">${escapeXml(fmtTick(v))}</text>`);
    }
    for (const v of xt) out.push(`<line x1="${f(sx(v))}" y1="${y0}" x2="${f(sx(v))}" y2="${y1}" stroke="#e3e3e3"/>`);
    out.push(`<rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" fill="none" stroke="#888"/>`);
    const cy = (y0 + y1) / 2;
    out.push(`<text x="16" y="${f(cy)}" text-anchor="middle" transform="rotate(-90 16 ${f(cy)})" font-size="12.5" fill="#222">${escapeXml(p.yLabel)}</text>`);
    if (p.reference) {
      const y = f(sy(p.reference.y));
      out.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#666" stroke-dasharray="5 4"/>`);
      if (p.reference.label) out.push(`<text x="${x0 + 6}" y="${f(sy(p.reference.y) - 5)}" font-size="11" fill="#555" ${HALO}>${escapeXml(p.reference.label)}</text>`);
    }
    // points, then labels placed around them
    const pts = p.points.filter((q) => Number.isFinite(q.x) && Number.isFinite(q.y)).map((q) => ({ ...q, px: sx(q.x), py: sy(q.y), label: q.label ?? '' }));
    for (const q of pts) out.push(`<circle cx="${f(q.px)}" cy="${f(q.py)}" r="4.5" fill="${q.color ?? '#1f77b4'}" stroke="#222" stroke-width="0.7"/>`);
    const boxes = placeLabels(pts, { x0: x0 + 2, y0: y0 + 2, x1: x1 - 2, y1: y1 - 2 }, 11);
    pts.forEach((q, i) => {
      if (!q.label) return;
      const b = boxes[i];
      if (b.leader) {
        const tx = Math.min(Math.max(q.px, b.x), b.x + b.w), ty = Math.min(Math.max(q.py, b.y), b.y + b.h);
        out.push(`<line x1="${f(q.px)}" y1="${f(q.py)}" x2="${f(tx)}" y2="${f(ty)}" stroke="#999" stroke-width="0.8"/>`);
      }
      out.push(`<text x="${f(b.x + 1)}" y="${f(b.y + b.h - 3)}" font-size="11" fill="#222" ${HALO}>${escapeXml(q.label)}</text>`);
    });
    // x tick labels under the last panel only
    if (pi === panels.length - 1) {
      for (const v of xt) out.push(`<text x="${f(sx(v))}" y="${y1 + 16}" text-anchor="middle" fill="#444">${escapeXml(fmtTick(v))}</text>`);
      out.push(`<text x="${(x0 + x1) / 2}" y="${y1 + 36}" text-anchor="middle" font-size="12.5" fill="#222">${escapeXml(spec.x.label)}</text>`);
      if (spec.footnote) out.push(`<text x="${x0}" y="${y1 + 36 + footH}" font-size="10.5" fill="#666">${escapeXml(spec.footnote)}</text>`);
    }
    top = y1 + gap;
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** A white outline under label text, so that grid and reference lines do not run through it. */
const HALO = 'stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"';

/** Pixel coordinates with one decimal. */
function f(v: number): number {
  return Math.round(v * 10) / 10;
}
