/**
 * Helpers for the work-histogram plots of the runner and the demo (uPlot):
 * the histogram as a step line over its bin edges, vertical markers drawn at
 * given x values (⟨W⟩, ΔF) with their labels, and an x scale that keeps the
 * markers in view.
 */
import uPlot from 'uplot';

/** A vertical line at `x` (data units) with a label at its top. */
export interface Marker {
  x: number;
  color: string;
  label: string;
  dash?: number[];
}

/** A histogram over `edges` (bins + 1) as uPlot data for a step line: x = edges, y = counts with the last repeated. */
export function stepData(h: { edges: readonly number[]; counts: readonly number[] }): [number[], number[]] {
  if (h.counts.length === 0) return [[], []];
  return [[...h.edges], [...h.counts, h.counts[h.counts.length - 1]]];
}

/** The series of a histogram drawn as steps, filled. */
export function stepSeries(label: string, stroke: string, fill: string): uPlot.Series {
  return { label, stroke, fill, width: 1.5, paths: uPlot.paths.stepped!({ align: 1 }), points: { show: false } };
}

/** The markers that have a finite x. */
function finite(markers: readonly Marker[]): Marker[] {
  return markers.filter((m) => Number.isFinite(m.x));
}

/** An x range that holds the data and every marker, padded by 4 %. */
export function rangeWithMarkers(markers: () => readonly Marker[]): uPlot.Range.Function {
  return (_u, min, max) => {
    const xs = finite(markers()).map((m) => m.x);
    const all = [min, max, ...xs].filter((v): v is number => v !== null && Number.isFinite(v));
    if (all.length === 0) return [0, 1];
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    const pad = hi > lo ? 0.04 * (hi - lo) : Math.max(1e-3, Math.abs(lo) * 0.1);
    return [lo - pad, hi + pad];
  };
}

/** A uPlot draw hook: each marker as a vertical line over the plotting area, its label near the top (staggered, on `labelBackground`). */
export function markerHook(markers: () => readonly Marker[], labelBackground = 'rgba(255,255,255,0.85)'): (u: uPlot) => void {
  return (u) => {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const ratio = uPlot.pxRatio;
    ctx.save();
    ctx.font = `${Math.round(11 * ratio)}px system-ui, sans-serif`;
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    finite(markers()).forEach((m, i) => {
      const x = u.valToPos(m.x, 'x', true);
      if (x < left - 1 || x > left + width + 1) return;
      ctx.strokeStyle = m.color;
      ctx.lineWidth = 2 * ratio;
      ctx.setLineDash((m.dash ?? []).map((d) => d * ratio));
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      const text = m.label;
      const w = ctx.measureText(text).width;
      // the label on the side with room, one row per marker so that labels of close markers do not overlap
      const tx = x + 4 * ratio + w < left + width ? x + 4 * ratio : x - 4 * ratio - w;
      const ty = top + (4 + 14 * i) * ratio;
      ctx.fillStyle = labelBackground;
      ctx.fillRect(tx - 2 * ratio, ty - ratio, w + 4 * ratio, 13 * ratio);
      ctx.fillStyle = m.color;
      ctx.fillText(text, tx, ty);
    });
    ctx.restore();
  };
}
