// The step timeline: one cell per engine step, coloured by what ran (as in the DragLoRA paper's
// first figure): DOO+ILFA and ILFA-only drag steps in two colours, preparation (RecLoRA,
// inversion) and finishing (denoise, decode) phases in neutral shades; a legend and phase labels.

import { el } from "./dom.js";

/** @typedef {import("./api.js").Step} Step */
/** @typedef {import("./api.js").Change} Change */

/** The legend: CSS class suffix, label. */
export const KINDS = /** @type {const} */ ([
  ["doo", "DOO + ILFA"],
  ["ilfa", "ILFA only"],
  ["reclora", "RecLoRA"],
  ["inversion", "Inversion"],
  ["denoise", "Denoise"],
  ["decode", "Decode"],
]);

/** @type {Record<string, string>} */
const PHASE_LABEL = { RECLORA: "RecLoRA", INVERSION: "Inversion", DRAG: "Drag", DENOISE: "Denoise", DECODE: "Decode" };

/**
 * The colour class of a step.
 *
 * @param {Step} step
 */
export function kindOf(step) {
  if (step.phase === "DRAG") return step.mode === "ILFA_ONLY" ? "ilfa" : "doo";
  return (step.phase || "").toLowerCase();
}

/**
 * A one-line description of a step (tooltips, the replay label).
 *
 * @param {Step} step
 */
export function describe(step) {
  const parts = [`#${step.n}`, `${PHASE_LABEL[step.phase] ?? step.phase} ${step.index + 1}/${step.total}`];
  if (step.mode) parts.push(step.mode === "DOO" ? "DOO+ILFA" : "ILFA only");
  if (step.loss !== null && step.loss !== undefined) parts.push(`loss ${Number(step.loss).toFixed(4)}`);
  if (step.event) parts.push(`event: ${step.event}`);
  return parts.join(" · ");
}

export class TimelineView {
  /**
   * @param {HTMLElement} root the container (cells, phase labels and legend go in it)
   * @param {(n: number) => void} onPick a cell was clicked
   */
  constructor(root, onPick) {
    this.onPick = onPick;
    this.cells = el("div", { class: "tl-cells", role: "list", "aria-label": "Engine steps" });
    this.labels = el("div", { class: "tl-labels", "aria-hidden": "true" });
    this.summary = el("p", { class: "tl-summary muted", "data-testid": "timeline-summary" });
    const legend = el(
      "ul",
      { class: "legend", "aria-label": "Legend" },
      ...KINDS.map(([kind, label]) => el("li", {}, el("span", { class: `swatch tl-${kind}` }), label)),
    );
    root.append(this.cells, this.labels, legend, this.summary);
    this.root = root;
    /** @type {Step[]} */
    this.steps = [];
    /** @type {Set<number>} drag-step indices before which a change applied */
    this.changeAt = new Set();
    /** @type {number|null} */
    this.marked = null;
    this.cells.addEventListener("click", (e) => {
      const cell = /** @type {HTMLElement} */ (e.target).closest(".tl-cell");
      if (cell instanceof HTMLElement && cell.dataset.n !== undefined) this.onPick(Number(cell.dataset.n));
    });
  }

  /**
   * Replaces every step (a fetched timeline).
   *
   * @param {Step[]} steps
   * @param {Change[]} changes
   */
  setSteps(steps, changes) {
    this.steps = [...steps].sort((a, b) => a.n - b.n);
    this.changeAt = new Set(changes.map((c) => c.atDragStep));
    this.cells.replaceChildren(...this.steps.map((s) => this.cell(s)));
    this.afterChange();
  }

  /**
   * Adds the next step.
   *
   * @param {Step} step
   */
  append(step) {
    const last = this.steps[this.steps.length - 1];
    if (last && step.n <= last.n) return;
    this.steps.push(step);
    this.cells.append(this.cell(step));
    this.afterChange();
  }

  /** The n of the last step, or -1. */
  lastN() {
    return this.steps.length ? this.steps[this.steps.length - 1].n : -1;
  }

  /** @param {Step} step */
  cell(step) {
    const kind = kindOf(step);
    const classes = ["tl-cell", `tl-${kind}`];
    if (step.event) classes.push("tl-event");
    if (step.phase === "DRAG" && this.changeAt.has(step.index)) classes.push("tl-change");
    return el("div", {
      class: classes.join(" "),
      role: "listitem",
      title: describe(step),
      dataset: { n: String(step.n), phase: step.phase, mode: step.mode ?? "" },
    });
  }

  /**
   * Highlights the step being replayed (null = none).
   *
   * @param {number|null} n
   */
  mark(n) {
    if (this.marked !== null) this.cells.querySelector(`[data-n="${this.marked}"]`)?.classList.remove("tl-marked");
    this.marked = n;
    if (n !== null) this.cells.querySelector(`[data-n="${n}"]`)?.classList.add("tl-marked");
  }

  afterChange() {
    this.root.dataset.steps = String(this.steps.length);
    this.mark(this.marked);
    // Phase labels: one per run of steps of the same phase, as wide as the run.
    /** @type {{phase: string, count: number}[]} */
    const runs = [];
    for (const s of this.steps) {
      const last = runs[runs.length - 1];
      if (last && last.phase === s.phase) last.count++;
      else runs.push({ phase: s.phase, count: 1 });
    }
    this.labels.replaceChildren(
      ...runs.map((r) =>
        el("span", { style: `flex: ${r.count} 1 0`, title: `${PHASE_LABEL[r.phase] ?? r.phase}: ${r.count}` },
          `${PHASE_LABEL[r.phase] ?? r.phase} ${r.count}`),
      ),
    );
    const drag = this.steps.filter((s) => s.phase === "DRAG");
    const doo = drag.filter((s) => s.mode !== "ILFA_ONLY").length;
    const fwd = this.steps.reduce((a, s) => a + (s.forward || 0), 0);
    const bwd = this.steps.reduce((a, s) => a + (s.backward || 0), 0);
    const ms = this.steps.reduce((a, s) => a + (s.ms || 0), 0);
    this.summary.textContent = this.steps.length
      ? `${this.steps.length} steps · ${drag.length} drag steps (${doo} DOO+ILFA, ${drag.length - doo} ILFA only) · ` +
        `UNet ${fwd} forward / ${bwd} backward passes · ${(ms / 1000).toFixed(1)} s device time`
      : "No steps yet.";
  }
}
