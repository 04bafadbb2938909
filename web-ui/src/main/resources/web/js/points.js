// The point list: one row per point with its progress towards the target
// (1 - |handle - target| / |start - target|), the distance left and a delete button.

import { el } from "./dom.js";
import { POINT_COLOURS } from "./chart.js";

/** @typedef {import("./api.js").Point} Point */

/**
 * How far a point has come: 0 at its start, 1 at its target (clamped), and the distance left.
 *
 * @param {Point} p
 * @returns {{progress: number, remaining: number}}
 */
export function progressOf(p) {
  const remaining = Math.hypot(p.handle[0] - p.target[0], p.handle[1] - p.target[1]);
  const start = p.start ?? p.handle;
  const initial = Math.hypot(start[0] - p.target[0], start[1] - p.target[1]);
  const progress = initial > 0 ? Math.min(1, Math.max(0, 1 - remaining / initial)) : 1;
  return { progress, remaining };
}

/** @param {number[]} v */
const coords = (v) => v.map((c) => (Number.isInteger(c) ? String(c) : c.toFixed(1))).join(", ");

export class PointsPanel {
  /**
   * @param {HTMLElement} root
   * @param {{onRemove: (id: number) => void, onSelect: (id: number) => void}} callbacks
   */
  constructor(root, callbacks) {
    this.root = root;
    this.callbacks = callbacks;
  }

  /**
   * @param {Point[]} points
   * @param {{editable: boolean, selected: number|null}} options
   */
  render(points, { editable, selected }) {
    this.root.dataset.count = String(points.length);
    if (!points.length) {
      this.root.replaceChildren(el("p", { class: "muted empty" }, "No points yet. With the Points tool, click a handle, then its target."));
      return;
    }
    const rows = points.map((p) => {
      const { progress, remaining } = progressOf(p);
      const percent = Math.round(progress * 100);
      const colour = POINT_COLOURS[p.id % POINT_COLOURS.length];
      return el(
        "li",
        {
          class: `point-row${p.id === selected ? " selected" : ""}`,
          "data-testid": "point-row",
          dataset: {
            pointId: String(p.id),
            handle: p.handle.join(","),
            target: p.target.join(","),
          },
        },
        el("button", {
          class: "point-name linklike",
          type: "button",
          title: "Select this point",
          onclick: () => this.callbacks.onSelect(p.id),
        }, el("span", { class: "dot", style: `background:${colour}` }), `Point ${p.id}`),
        el("span", { class: "point-coords muted", "data-testid": "point-coords" }, `(${coords(p.handle)}) → (${coords(p.target)})`),
        el("div", {
          class: "progress",
          role: "progressbar",
          "aria-label": `Point ${p.id} progress`,
          "aria-valuemin": 0,
          "aria-valuemax": 100,
          "aria-valuenow": percent,
          "data-testid": "point-progress",
          dataset: { pointId: String(p.id), progress: progress.toFixed(3) },
        }, el("div", { class: "progress-fill", style: `width:${percent}%` })),
        el("span", { class: "point-left", "data-testid": "point-remaining" }, `${percent}% · ${remaining.toFixed(1)} px left`),
        editable
          ? el("button", {
            class: "icon-button",
            type: "button",
            title: `Delete point ${p.id}`,
            "aria-label": `Delete point ${p.id}`,
            "data-testid": "point-delete",
            onclick: () => this.callbacks.onRemove(p.id),
          }, "×")
          : null,
      );
    });
    this.root.replaceChildren(el("ul", { class: "point-list" }, ...rows));
  }
}
