// The minD curve: per point, the tracking distance (minD, feature pixels) over the drag steps, as
// an SVG line chart with axes and, for DragLoRA, the adaptive switching thresholds: below d1 the
// drag enters ILFA-only; above d2 it traces back or returns to DOO.

/** @typedef {import("./api.js").Step} Step */

const SVG = "http://www.w3.org/2000/svg";
/** Point colours, by point id. */
export const POINT_COLOURS = ["#f97316", "#22c55e", "#3b82f6", "#e11d48", "#a855f7", "#14b8a6", "#eab308", "#64748b"];
/** DragLoRA's switching thresholds on minD (the engine's SwitchingSettings defaults). */
const THRESHOLDS = [
  { value: 1.0, label: "d1 1.0: enter ILFA only" },
  { value: 1.3, label: "d2 1.3: trace back / back to DOO" },
];

/**
 * @param {string} tag
 * @param {Record<string, string|number>} attrs
 * @param {string} [text]
 */
function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * About five round ticks from 0 to max.
 *
 * @param {number} max a positive number
 * @param {boolean} [integers] whole numbers only
 * @returns {number[]}
 */
function ticks(max, integers = false) {
  const raw = integers ? Math.max(1, max / 5) : max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out = [];
  for (let v = 0; v <= max + 1e-9; v += step) out.push(Number(v.toPrecision(6)));
  return out;
}

export class MinDChart {
  /** @param {HTMLElement} root */
  constructor(root) {
    this.root = root;
    this.height = 200;
    this.frame = false;
    /** @type {Step[]} */
    this.steps = [];
    this.maxSteps = 1;
    this.thresholds = true;
    // Drawn at the container's own width, so the text keeps its size.
    new ResizeObserver(() => this.update(this.steps)).observe(root);
  }

  /**
   * @param {Step[]} steps the timeline (only drag steps are drawn)
   * @param {{maxSteps?: number, method?: string}} [session] the DOO budget (the x axis) and the method
   */
  update(steps, session = {}) {
    this.steps = steps;
    if (session.maxSteps) this.maxSteps = session.maxSteps;
    if (session.method) this.thresholds = session.method.startsWith("draglora");
    if (this.frame) return;
    this.frame = true;
    requestAnimationFrame(() => {
      this.frame = false;
      this.render();
    });
  }

  render() {
    const drag = this.steps.filter((s) => s.phase === "DRAG");
    /** @type {Map<number, [number, number][]>} */
    const series = new Map();
    let maxX = Math.max(1, this.maxSteps);
    let maxY = 2;
    for (const s of drag) {
      maxX = Math.max(maxX, s.index + 1, s.total || 0);
      for (const p of s.points || []) {
        if (p.minD === null || p.minD === undefined || Number.isNaN(p.minD)) continue;
        if (!series.has(p.id)) series.set(p.id, []);
        series.get(p.id)?.push([s.index, p.minD]);
        maxY = Math.max(maxY, p.minD);
      }
    }
    maxY *= 1.05;
    const W = Math.max(240, Math.round(this.root.clientWidth || 520));
    const H = this.height;
    const m = { left: 40, right: 12, top: 22, bottom: 28 };
    const pw = W - m.left - m.right;
    const ph = H - m.top - m.bottom;
    /** @param {number} x */
    const sx = (x) => m.left + (x / maxX) * pw;
    /** @param {number} y */
    const sy = (y) => m.top + ph - (y / maxY) * ph;
    const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "minD per point over drag steps" });
    root.append(svg("title", {}, "minD per point over drag steps"));
    const axes = svg("g", { class: "axes" });
    for (const t of ticks(maxY)) {
      axes.append(svg("line", { x1: m.left, x2: W - m.right, y1: sy(t), y2: sy(t), class: "grid" }));
      axes.append(svg("text", { x: m.left - 6, y: sy(t) + 4, "text-anchor": "end" }, String(t)));
    }
    for (const t of ticks(maxX, true)) {
      axes.append(svg("line", { x1: sx(t), x2: sx(t), y1: m.top + ph, y2: m.top + ph + 4, class: "tick" }));
      axes.append(svg("text", { x: sx(t), y: m.top + ph + 16, "text-anchor": "middle" }, String(t)));
    }
    axes.append(svg("line", { x1: m.left, x2: m.left, y1: m.top, y2: m.top + ph, class: "axis" }));
    axes.append(svg("line", { x1: m.left, x2: W - m.right, y1: m.top + ph, y2: m.top + ph, class: "axis" }));
    axes.append(svg("text", { x: W - m.right, y: H - 2, "text-anchor": "end", class: "label" }, "drag step"));
    axes.append(svg("text", { x: m.left, y: 12, "text-anchor": "middle", class: "label" }, "minD"));
    root.append(axes);
    if (this.thresholds) {
      THRESHOLDS.forEach((t, i) => {
        root.append(svg("line", { x1: m.left, x2: W - m.right, y1: sy(t.value), y2: sy(t.value), class: `threshold threshold-${i}` }));
        root.append(svg("text", { x: W - m.right - 2, y: sy(t.value) + (i === 0 ? 12 : -4), "text-anchor": "end",
          class: `threshold-label threshold-${i}` }, t.label));
      });
    }
    for (const [id, pts] of series) {
      const colour = POINT_COLOURS[id % POINT_COLOURS.length];
      root.append(svg("polyline", {
        points: pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" "),
        fill: "none", stroke: colour, "stroke-width": 2, "data-point": id,
      }));
      const [lx, ly] = pts[pts.length - 1];
      root.append(svg("circle", { cx: sx(lx), cy: sy(ly), r: 3, fill: colour }));
    }
    if (!series.size) {
      root.append(svg("text", { x: m.left + pw / 2, y: m.top + ph / 2, "text-anchor": "middle", class: "label" },
        "no drag steps yet"));
    }
    this.root.replaceChildren(root);
    this.root.dataset.series = String(series.size);
  }
}
