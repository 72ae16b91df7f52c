// Hand-written SVG line charts for learning curves (no plotting dependency): axes with "nice" ticks, one
// polyline per series, a legend when there are several. Output is standalone SVG 1.1 (xmlns set, text escaped).

export interface Series {
  readonly name: string;
  /** [x, y] points; non-finite values are dropped. */
  readonly points: readonly (readonly [number, number])[];
}

export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** Vertical dashed lines, e.g. the best step. */
  readonly markers?: readonly { readonly x: number; readonly label: string }[];
  readonly width?: number;
  readonly height?: number;
}

/** Okabe-Ito colour-blind-safe palette. */
const COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"];

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** Tick values covering [lo, hi] at a 1/2/5 x 10^k step, about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function formatTick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e3) return `${Number((v / 1000).toPrecision(4))}k`;
  if (a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

export function lineChart(opts: ChartOptions): string {
  const width = opts.width ?? 640;
  const height = opts.height ?? 360;
  const series = opts.series.map((s) => ({ name: s.name, points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)) }));
  const legendRows = series.length > 1 ? series.length : 0;
  const margin = { left: 64, right: 16, top: 32, bottom: 44 + legendRows * 16 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const all = series.flatMap((s) => s.points);
  const out: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(opts.title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="13">${escapeXml(opts.title)}</text>`,
  ];
  if (all.length === 0) {
    out.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle" fill="#666666">no data</text>`, `</svg>`);
    return `${out.join("\n")}\n`;
  }
  let [xMin, xMax] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  let [yMin, yMax] = [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  if (xMax === xMin) [xMin, xMax] = [xMin - 1, xMax + 1];
  if (yMax === yMin) [yMin, yMax] = [yMin - Math.max(1, Math.abs(yMin) * 0.1), yMax + Math.max(1, Math.abs(yMax) * 0.1)];
  const pad = (yMax - yMin) * 0.05;
  yMin -= pad;
  yMax += pad;
  const sx = (x: number) => margin.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const sy = (y: number) => margin.top + (1 - (y - yMin) / (yMax - yMin)) * plotH;
  const f = (v: number) => v.toFixed(2);

  out.push(`<g class="axes" stroke="#333333" fill="none">`);
  out.push(`<line x1="${margin.left}" y1="${margin.top + plotH}" x2="${margin.left + plotW}" y2="${margin.top + plotH}"/>`);
  out.push(`<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${margin.top + plotH}"/>`);
  out.push(`</g>`);
  out.push(`<g class="ticks" fill="#333333">`);
  for (const t of niceTicks(xMin, xMax)) {
    const x = f(sx(t));
    out.push(`<line x1="${x}" y1="${margin.top + plotH}" x2="${x}" y2="${margin.top + plotH + 4}" stroke="#333333"/>`);
    out.push(`<text x="${x}" y="${margin.top + plotH + 16}" text-anchor="middle">${formatTick(t)}</text>`);
  }
  for (const t of niceTicks(yMin, yMax)) {
    const y = f(sy(t));
    out.push(`<line x1="${margin.left}" y1="${y}" x2="${margin.left + plotW}" y2="${y}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${margin.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatTick(t)}</text>`);
  }
  out.push(`</g>`);
  out.push(`<text x="${margin.left + plotW / 2}" y="${margin.top + plotH + 32}" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`);
  out.push(
    `<text x="14" y="${margin.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 14 ${margin.top + plotH / 2})">${escapeXml(opts.yLabel)}</text>`,
  );
  for (const marker of opts.markers ?? []) {
    if (marker.x < xMin || marker.x > xMax) continue;
    const x = f(sx(marker.x));
    out.push(`<line class="marker" x1="${x}" y1="${margin.top}" x2="${x}" y2="${margin.top + plotH}" stroke="#777777" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${x}" y="${margin.top - 4}" text-anchor="middle" fill="#555555">${escapeXml(marker.label)}</text>`);
  }
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    out.push(
      `<polyline class="series" data-name="${escapeXml(s.name)}" fill="none" stroke="${color}" stroke-width="1.5" points="${pts.map(([x, y]) => `${f(sx(x))},${f(sy(y))}`).join(" ")}"/>`,
    );
    if (pts.length === 1) out.push(`<circle cx="${f(sx(pts[0]![0]))}" cy="${f(sy(pts[0]![1]))}" r="2.5" fill="${color}"/>`);
    if (legendRows > 0) {
      const y = margin.top + plotH + 44 + i * 16;
      out.push(`<line x1="${margin.left}" y1="${y}" x2="${margin.left + 18}" y2="${y}" stroke="${color}" stroke-width="2"/>`);
      out.push(`<text x="${margin.left + 24}" y="${y}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
    }
  });
  out.push(`</svg>`);
  return `${out.join("\n")}\n`;
}
