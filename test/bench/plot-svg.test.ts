// The hand-written SVG plotter of the bench reports (bench/plot-svg.mjs) and the quantize suite's report
// (render + accuracy plot) on a small synthetic results file.
import { describe, expect, it } from 'vitest';
// @ts-ignore: plain ES modules without type declarations
import { escapeXml, fmtTick, logTicks, niceTicks, placeLabels, scale, scatterPanels, textWidth } from '../../bench/plot-svg.mjs';
// @ts-ignore: plain ES module without type declarations
import { accuracyPlot, render } from '../../bench/quantize.bench.mjs';

/** A minimal XML well-formedness check: balanced tags, quoted attributes, no raw '<' or '&' in text. */
function checkXml(s: string): { tags: Map<string, number> } {
  const stack: string[] = [];
  const tags = new Map<string, number>();
  const re = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  let m: RegExpExecArray | null;
  const text = (t: string) => {
    if (/<|&(?!amp;|lt;|gt;|quot;|#39;)/.test(t)) throw new Error(`unescaped text: ${t.slice(0, 60)}`);
  };
  while ((m = re.exec(s))) {
    text(s.slice(last, m.index));
    last = re.lastIndex;
    const [, close, name, , self] = m;
    if (close) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else {
      tags.set(name, (tags.get(name) ?? 0) + 1);
      if (!self) stack.push(name);
    }
  }
  text(s.slice(last));
  if (stack.length) throw new Error(`unclosed <${stack.join('>, <')}>`);
  return { tags };
}

describe('axis ticks and scales', () => {
  it('log ticks are 1-2-5 values covering the range', () => {
    expect(logTicks(17, 400)).toEqual([10, 20, 50, 100, 200, 500]);
    expect(logTicks(1, 1)).toEqual([1]);
    expect(logTicks(0.3, 0.7)).toEqual([0.2, 0.5, 1]);
    // too many: powers of ten only
    expect(logTicks(1, 1e6)).toEqual([1, 10, 100, 1000, 10000, 100000, 1000000]);
    expect(() => logTicks(0, 10)).toThrow();
  });

  it('linear ticks are evenly spaced nice steps covering the range', () => {
    for (const [lo, hi] of [[0.2291, 0.2913], [1.07, 3.6], [-3, 7], [0, 1], [5, 5]]) {
      const t = niceTicks(lo, hi, 5);
      expect(t[0]).toBeLessThanOrEqual(lo);
      expect(t[t.length - 1]).toBeGreaterThanOrEqual(hi);
      expect(t.length).toBeGreaterThanOrEqual(2);
      expect(t.length).toBeLessThanOrEqual(12);
      const step = t[1] - t[0];
      const mant = step / 10 ** Math.floor(Math.log10(step));
      expect([1, 2, 2.5, 5].some((m) => Math.abs(mant - m) < 1e-9)).toBe(true);
      for (let i = 1; i < t.length; i++) expect(t[i] - t[i - 1]).toBeCloseTo(step, 9);
    }
    expect(niceTicks(0.2291, 0.2913, 5)).toEqual([0.22, 0.24, 0.26, 0.28, 0.3]);
  });

  it('scales map the ends of the domain to the ends of the range, log in log space', () => {
    const lin = scale(0, 10, 100, 200);
    expect(lin(0)).toBe(100);
    expect(lin(10)).toBe(200);
    expect(lin(2.5)).toBe(125);
    const lg = scale(10, 1000, 0, 200, true);
    expect(lg(10)).toBe(0);
    expect(lg(100)).toBeCloseTo(100, 9);
    expect(lg(1000)).toBeCloseTo(200, 9);
    const flipped = scale(0, 1, 300, 100); // y axes grow upwards
    expect(flipped(0.25)).toBe(250);
  });

  it('formats ticks and escapes text', () => {
    expect(fmtTick(0.30000000000000004)).toBe('0.3');
    expect(fmtTick(1000)).toBe('1000');
    expect(fmtTick(0)).toBe('0');
    expect(escapeXml(`a<b & "c" 'd'>`)).toBe('a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;');
  });
});

describe('label placement', () => {
  const area = { x0: 0, y0: 0, x1: 600, y1: 300 };
  const intersects = (a: any, b: any) => Math.min(a.x + a.w, b.x + b.w) > Math.max(a.x, b.x) && Math.min(a.y + a.h, b.y + b.h) > Math.max(a.y, b.y);

  it('keeps labels of coincident points apart and inside the area', () => {
    const pts = [
      { px: 300, py: 150, label: 'fp16' }, { px: 300, py: 150, label: 'bf16' }, { px: 302, py: 151, label: 'int8 per-tensor' },
      { px: 100, py: 50, label: 'int4' }, { px: 104, py: 52, label: 'int4 MSE' },
    ];
    const boxes = placeLabels(pts, area, 11);
    expect(boxes).toHaveLength(pts.length);
    for (let i = 0; i < boxes.length; i++) {
      const b = boxes[i];
      expect(b.x).toBeGreaterThanOrEqual(area.x0);
      expect(b.y).toBeGreaterThanOrEqual(area.y0);
      expect(b.x + b.w).toBeLessThanOrEqual(area.x1);
      expect(b.y + b.h).toBeLessThanOrEqual(area.y1);
      expect(b.w).toBeCloseTo(textWidth(pts[i].label, 11) + 2, 9);
      for (let j = 0; j < i; j++) expect(intersects(b, boxes[j])).toBe(false);
      // no label covers any marker
      for (const p of pts) expect(intersects(b, { x: p.px - 4, y: p.py - 4, w: 8, h: 8 })).toBe(false);
    }
  });

  it('puts a lone label right next to its point, without a leader line', () => {
    const [b] = placeLabels([{ px: 300, py: 150, label: 'x' }], area, 11, 4);
    expect(b.leader).toBe(false);
    expect(b.x).toBeCloseTo(300 + 4 + 3, 9);
    expect(b.y + b.h / 2).toBeCloseTo(150, 9);
  });

  it('moves a label that would leave the area to the other side', () => {
    const [b] = placeLabels([{ px: 595, py: 150, label: 'far right' }], area, 11, 4);
    expect(b.x + b.w).toBeLessThanOrEqual(600);
    expect(b.x + b.w).toBeLessThanOrEqual(595);
  });
});

describe('scatterPanels', () => {
  const spec = {
    title: 'Accuracy & size <test>',
    subtitle: 'two panels',
    width: 700,
    x: { label: 'bytes per vector', log: true },
    panels: [
      { yLabel: 'rho', reference: { y: 0.26, label: 'f32' }, points: [{ x: 400, y: 0.26, label: 'f32', color: '#111' }, { x: 104, y: 0.2645, label: 'int8' }, { x: 17, y: 0.29, label: 'binary' }] },
      { yLabel: 'analogy %', points: [{ x: 400, y: 3.5, label: 'f32' }, { x: 104, y: 3.5, label: 'int8' }, { x: 17, y: 1.1, label: 'binary' }] },
    ],
    legend: [{ label: 'float', color: '#111' }, { label: 'int8', color: '#2ca02c' }],
    footnote: 'a note',
  };

  it('writes well-formed SVG with every point, label, tick and legend entry', () => {
    const svg = scatterPanels(spec);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="700"')).toBe(true);
    const { tags } = checkXml(svg);
    expect(tags.get('circle')).toBe(6 + 2); // points + legend markers
    expect(svg).toContain('Accuracy &amp; size &lt;test&gt;');
    for (const t of ['>int8<', '>binary<', '>bytes per vector<', '>analogy %<', '>f32<', '>a note<', '>10<', '>20<', '>50<', '>100<', '>200<', '>500<']) expect(svg).toContain(t);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(1); // one reference line
  });

  it('places points by their values: log x, y growing upwards', () => {
    const svg = scatterPanels({ width: 600, x: { label: 'x', log: true }, panels: [{ yLabel: 'y', yMin: 0, yMax: 1, points: [{ x: 10, y: 0 }, { x: 100, y: 0.5 }, { x: 1000, y: 1 }] }] });
    const cs = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(cs).toHaveLength(3);
    // equal steps in log10(x) → equal steps in pixels; the middle one halfway
    expect(cs[1][0] - cs[0][0]).toBeCloseTo(cs[2][0] - cs[1][0], 0);
    expect(cs[1][1]).toBeCloseTo((cs[0][1] + cs[2][1]) / 2, 0);
    expect(cs[0][1]).toBeGreaterThan(cs[2][1]);
  });

  it('rejects a plot without points', () => {
    expect(() => scatterPanels({ x: { label: 'x', log: true }, panels: [{ yLabel: 'y', points: [] }] })).toThrow(/no points/);
  });
});

describe('quantize suite report', () => {
  const rec = (id: string, family: string, label: string, bytesPerVector: number, rho: number, an: number, extra: object = {}) => ({
    id, family, label, bytesPerVector, bytes: bytesPerVector * 1000, sizeVsF32: 400 / bytesPerVector, codesVsF32: 400 / bytesPerVector,
    wordsim: { spearman: rho }, analogy: { accuracy: an, total: 6313 }, deltaRho: rho - 0.264, deltaAnalogyPoints: an - 3.517,
    recall10: { frequent: 1, random: 1 }, queriesPerSec: 3000, speedVsF32: 1, ...extra,
  });
  const results = {
    title: 'Quantization', suite: 'quantize', quick: true, rows: [],
    quality: {
      rows: 1000, cols: 100,
      records: [
        rec('f32', 'float', 'f32', 400, 0.264, 3.517),
        rec('int8', 'int8', 'int8 per-row', 104, 0.2646, 3.5, { error: { mse: 1e-5, sqnrDb: 44.4, meanCosine: 0.99998 } }),
        rec('binary', 'binary', 'binary (centred)', 17, 0.291, 1.08, { error: { mse: 1e-2, sqnrDb: 9.5, meanCosine: 0.96 } }),
      ],
    },
    metrics: [
      { name: 'int8 per-row: WordSim-353 |Δρ| vs f32', value: 0.0005, target: '≤ 0.002', ok: true },
      { name: 'binary: size', value: '30.8× / 23.5×', target: '32× (codes)', ok: false, note: 'byte padding' },
      { name: 'PQ: reported', value: '0.86 / 0.42×' },
    ],
  };

  it('renders the targets and quality tables, and links the plot', () => {
    const md = render(results, { writePlot: false });
    expect(md).toContain('| int8 per-row: WordSim-353 \\|Δρ\\| vs f32 | 0.000500 | ≤ 0.002 | yes |');
    expect(md).toContain('| **no** (byte padding) |');
    expect(md).toContain('| PQ: reported | 0.86 / 0.42× | reported | – |');
    expect(md).toMatch(/\| f32 \| 400 \| 1\.00× \/ 1\.00× \| – \| – \| – \| 0\.2640 \| – \| 3\.52 \| – \|/);
    expect(md).toMatch(/\| int8 per-row \| 104 \| 3\.85× \/ 3\.85× \| 1\.00e-5 \| 44\.4 \| 0\.99998 \| 0\.2646 \| \+0\.0006 \| 3\.50 \| -0\.02 \|/);
    expect(md).toContain('](results/quantize-accuracy-vs-size.svg)');
  });

  it('plots one labelled point per scheme in each panel', () => {
    const svg = accuracyPlot(results);
    checkXml(svg);
    expect(svg.match(/<circle /g)).toHaveLength(2 * 3 + 3); // 3 schemes × 2 panels + 3 legend families
    for (const t of ['>int8<', '>binary<', '>WordSim-353 Spearman ρ<', '>analogy accuracy (%)<']) expect(svg).toContain(t);
  });
});
