// The image stage: draws the image (input, live preview, result or a replayed frame), the mask
// tint, the points (handle, target, arrow, id) and the other participants' cursors, and turns
// pointer input into point and mask edits. Point coordinates are image pixel indices; a point
// at (x, y) is drawn at the centre of that pixel.

import { MaskLayer } from "./mask.js";

/**
 * @typedef {import("./api.js").Vec} Vec
 *
 * @typedef {Object} DrawPoint
 * @property {number} id
 * @property {Vec} handle
 * @property {Vec} target
 * @property {Vec} [start]
 *
 * @typedef {Object} DrawCursor
 * @property {string} id
 * @property {string} name
 * @property {string} colour
 * @property {number} x image pixels
 * @property {number} y
 *
 * @typedef {"points"|"brush"|"eraser"} Tool
 *
 * @typedef {Object} CanvasCallbacks
 * @property {(handle: Vec, target: Vec) => void} onAddPoint
 * @property {(id: number, handle: Vec, target: Vec) => void} onMovePoint
 * @property {(id: number) => void} onRemovePoint
 * @property {(id: number|null) => void} onSelect
 * @property {() => void} onMaskStroke a brush or eraser stroke ended (the mask layer holds it)
 * @property {(x: number, y: number) => void} onCursor the pointer moved over the image (image pixels)
 * @property {(pending: boolean) => void} [onPending] a handle waits for its target, or no longer
 */

/** The longest side an image is shown at (before the page shrinks it to fit). */
const DISPLAY_SIZE = 512;
/** Hit radius around a handle or target, in display pixels. */
const HIT_RADIUS = 10;
/** Below this travel (display pixels) a press on a point is a click (select), not a move. */
const DRAG_SLOP = 3;

const HANDLE_COLOUR = "#ef4444";
const TARGET_COLOUR = "#3b82f6";
const SELECT_COLOUR = "#facc15";

/** @param {number} v @param {number} lo @param {number} hi */
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

export class EditorCanvas {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {CanvasCallbacks} callbacks
   */
  constructor(canvas, callbacks) {
    this.canvas = canvas;
    this.ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
    this.callbacks = callbacks;
    this.width = 0;
    this.height = 0;
    this.scale = 1;
    this.dpr = 1;
    /** @type {MaskLayer|null} */
    this.mask = null;
    /** @type {CanvasImageSource|null} */
    this.base = null;
    /** @type {string} */
    this.baseKind = "none";
    /** @type {DrawPoint[]} */
    this.points = [];
    /** @type {DrawPoint[]|null} points of a replayed step (shown instead of the live ones) */
    this.replayPoints = null;
    /** @type {Map<number, {handle: Vec, target: Vec}>} local positions until the server confirms a move */
    this.overrides = new Map();
    /** @type {DrawCursor[]} */
    this.cursors = [];
    /** @type {Tool} */
    this.tool = "points";
    this.brushRadius = 2;
    this.editable = false;
    this.showMask = true;
    /** @type {number|null} */
    this.selected = null;
    /** @type {Vec|null} a handle waiting for its target */
    this.pendingHandle = null;
    /** @type {{id: number, part: "handle"|"target", pos: Vec, downX: number, downY: number, moved: boolean}|null} */
    this.drag = null;
    /** @type {{last: [number, number], value: 0|1}|null} */
    this.stroke = null;
    /** @type {[number, number]|null} the pointer in image coordinates, while over the image */
    this.hover = null;
    this.frameRequested = false;
    this.bindInput();
  }

  /**
   * Sizes the stage for an image of `width` x `height` and makes a fresh mask.
   *
   * @param {number} width
   * @param {number} height
   */
  setImageSize(width, height) {
    if (width === this.width && height === this.height && this.mask) return;
    this.width = width;
    this.height = height;
    const longest = Math.max(width, height);
    this.scale = longest < DISPLAY_SIZE ? Math.max(1, Math.floor(DISPLAY_SIZE / longest)) : DISPLAY_SIZE / longest;
    this.dpr = Math.min(2, window.devicePixelRatio || 1);
    const w = width * this.scale;
    const h = height * this.scale;
    this.canvas.width = Math.round(w * this.dpr);
    this.canvas.height = Math.round(h * this.dpr);
    this.canvas.style.width = `${w}px`;
    this.canvas.style.aspectRatio = `${width} / ${height}`;
    this.canvas.dataset.imageWidth = String(width);
    this.canvas.dataset.imageHeight = String(height);
    this.mask = new MaskLayer(width, height);
    this.brushRadius = Math.max(1, Math.round(longest / 24));
    this.requestRender();
  }

  /**
   * @param {CanvasImageSource|null} image
   * @param {string} kind input, preview, result or frame (shown as `data-view`)
   */
  setBase(image, kind) {
    this.base = image;
    this.baseKind = image ? kind : "none";
    this.canvas.dataset.view = this.baseKind;
    this.requestRender();
  }

  /** @param {DrawPoint[]} points */
  setPoints(points) {
    this.points = points;
    const ids = new Set(points.map((p) => p.id));
    if (this.selected !== null && !ids.has(this.selected)) this.select(null);
    this.requestRender();
  }

  /** @param {DrawPoint[]|null} points */
  setReplayPoints(points) {
    this.replayPoints = points;
    this.cancelGesture();
    this.requestRender();
  }

  /** @param {DrawCursor[]} cursors */
  setCursors(cursors) {
    this.cursors = cursors;
    this.requestRender();
  }

  /** @param {Tool} tool */
  setTool(tool) {
    this.tool = tool;
    this.cancelGesture();
    this.canvas.dataset.tool = tool;
    this.requestRender();
  }

  /** @param {boolean} editable */
  setEditable(editable) {
    this.editable = editable;
    if (!editable) this.cancelGesture();
    this.requestRender();
  }

  /** @param {number|null} id */
  select(id) {
    if (this.selected === id) return;
    this.selected = id;
    this.callbacks.onSelect(id);
    this.requestRender();
  }

  /**
   * Keeps showing a moved point where the user put it until the server confirms it.
   *
   * @param {number} id
   */
  releaseOverride(id) {
    if (this.overrides.delete(id)) this.requestRender();
  }

  /** Drops a half-made point, a point drag and a stroke. */
  cancelGesture() {
    this.setPending(null);
    this.drag = null;
    this.stroke = null;
  }

  /** @param {Vec|null} handle */
  setPending(handle) {
    const was = this.pendingHandle !== null;
    this.pendingHandle = handle;
    this.canvas.dataset.pending = handle ? "handle" : "";
    if (was !== (handle !== null)) this.callbacks.onPending?.(handle !== null);
    this.requestRender();
  }

  /** The points as shown: the replayed ones, or the live ones with local moves applied. */
  shownPoints() {
    if (this.replayPoints) return this.replayPoints;
    return this.points.map((p) => {
      const o = this.overrides.get(p.id);
      let handle = o ? o.handle : p.handle;
      let target = o ? o.target : p.target;
      if (this.drag && this.drag.id === p.id && this.drag.moved) {
        if (this.drag.part === "handle") handle = this.drag.pos;
        else target = this.drag.pos;
      }
      return { ...p, handle, target };
    });
  }

  // ---- input ---------------------------------------------------------------------------------

  bindInput() {
    const c = this.canvas;
    c.addEventListener("pointerdown", (e) => this.onDown(e));
    c.addEventListener("pointermove", (e) => this.onMove(e));
    c.addEventListener("pointerup", (e) => this.onUp(e));
    c.addEventListener("pointercancel", () => {
      this.drag = null;
      if (this.stroke) {
        this.stroke = null;
        this.callbacks.onMaskStroke();
      }
      this.requestRender();
    });
    c.addEventListener("pointerleave", () => {
      this.hover = null;
      this.requestRender();
    });
    c.addEventListener("contextmenu", (e) => {
      e.preventDefault();
      if (!this.interactive() || this.tool !== "points") return;
      const [x, y] = this.toImage(e);
      if (this.pendingHandle) {
        this.setPending(null);
        return;
      }
      const hit = this.hit(x, y);
      if (hit) this.callbacks.onRemovePoint(hit.id);
    });
  }

  /** Whether pointer input edits now (an editor, not replaying). */
  interactive() {
    return this.editable && !this.replayPoints && this.width > 0;
  }

  /**
   * The event's position in image coordinates (continuous; pixel i spans [i, i+1)).
   *
   * @param {MouseEvent} e
   * @returns {[number, number]}
   */
  toImage(e) {
    const rect = this.canvas.getBoundingClientRect();
    const x = ((e.clientX - rect.left) / rect.width) * this.width;
    const y = ((e.clientY - rect.top) / rect.height) * this.height;
    return [x, y];
  }

  /**
   * The pixel index under image coordinates, clamped into the image.
   *
   * @param {number} x
   * @param {number} y
   * @returns {Vec}
   */
  pixel(x, y) {
    return [clamp(Math.floor(x), 0, this.width - 1), clamp(Math.floor(y), 0, this.height - 1)];
  }

  /**
   * The nearest handle or target within the hit radius of image position (x, y).
   *
   * @param {number} x
   * @param {number} y
   * @returns {{id: number, part: "handle"|"target"}|null}
   */
  hit(x, y) {
    const radius = HIT_RADIUS / this.displayScale();
    /** @type {{id: number, part: "handle"|"target"}|null} */
    let best = null;
    let bestD = Infinity;
    for (const p of this.shownPoints()) {
      for (const part of /** @type {const} */ (["target", "handle"])) {
        const [px, py] = p[part];
        const d = Math.hypot(px + 0.5 - x, py + 0.5 - y);
        if (d <= radius && d < bestD) {
          best = { id: p.id, part };
          bestD = d;
        }
      }
    }
    return best;
  }

  /** Display pixels per image pixel as laid out now (the page may shrink the canvas). */
  displayScale() {
    const rect = this.canvas.getBoundingClientRect();
    return rect.width > 0 ? rect.width / this.width : this.scale;
  }

  /** @param {PointerEvent} e */
  onDown(e) {
    if (!this.interactive() || e.button !== 0) return;
    const [x, y] = this.toImage(e);
    if (this.tool === "points") {
      const hit = this.hit(x, y);
      if (hit && !this.pendingHandle) {
        const p = this.shownPoints().find((q) => q.id === hit.id);
        if (!p) return;
        this.select(hit.id);
        this.drag = { ...hit, pos: p[hit.part], downX: e.clientX, downY: e.clientY, moved: false };
        this.canvas.setPointerCapture(e.pointerId);
        return;
      }
      const px = this.pixel(x, y);
      if (!this.pendingHandle) {
        this.select(null);
        this.setPending(px);
      } else {
        const handle = this.pendingHandle;
        this.setPending(null);
        this.callbacks.onAddPoint(handle, px);
      }
      return;
    }
    if (!this.mask) return;
    const value = this.tool === "brush" ? 1 : 0;
    this.stroke = { last: [x, y], value };
    this.mask.stamp(x, y, this.brushRadius, value);
    this.canvas.setPointerCapture(e.pointerId);
    this.requestRender();
  }

  /** @param {PointerEvent} e */
  onMove(e) {
    const [x, y] = this.toImage(e);
    const inside = x >= 0 && y >= 0 && x < this.width && y < this.height;
    this.hover = inside ? [x, y] : null;
    if (inside) this.callbacks.onCursor(x, y);
    if (this.drag) {
      if (!this.drag.moved && Math.hypot(e.clientX - this.drag.downX, e.clientY - this.drag.downY) >= DRAG_SLOP) {
        this.drag.moved = true;
      }
      this.drag.pos = this.pixel(x, y);
    } else if (this.stroke && this.mask) {
      const [lx, ly] = this.stroke.last;
      this.mask.line(lx, ly, x, y, this.brushRadius, this.stroke.value);
      this.stroke.last = [x, y];
    }
    this.updateCursorStyle(x, y);
    this.requestRender();
  }

  /** @param {PointerEvent} e */
  onUp(e) {
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    if (this.drag) {
      const drag = this.drag;
      this.drag = null;
      if (drag.moved) {
        const p = this.points.find((q) => q.id === drag.id);
        if (p) {
          const current = this.overrides.get(p.id) ?? { handle: p.handle, target: p.target };
          const moved = {
            handle: drag.part === "handle" ? drag.pos : current.handle,
            target: drag.part === "target" ? drag.pos : current.target,
          };
          this.overrides.set(p.id, moved);
          this.callbacks.onMovePoint(p.id, moved.handle, moved.target);
        }
      }
      this.requestRender();
      return;
    }
    if (this.stroke) {
      this.stroke = null;
      this.callbacks.onMaskStroke();
      this.requestRender();
    }
  }

  /** @param {number} x @param {number} y */
  updateCursorStyle(x, y) {
    let cursor = "default";
    if (this.interactive()) {
      if (this.tool === "points") cursor = this.drag ? "grabbing" : this.hit(x, y) ? "grab" : "crosshair";
      else cursor = "none";
    }
    this.canvas.style.cursor = cursor;
  }

  // ---- drawing -------------------------------------------------------------------------------

  requestRender() {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.render();
    });
  }

  render() {
    const ctx = this.ctx;
    const s = this.scale;
    const w = this.width * s;
    const h = this.height * s;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    if (!this.width) return;
    ctx.imageSmoothingEnabled = false;
    ctx.fillStyle = "#111827";
    ctx.fillRect(0, 0, w, h);
    if (this.base) ctx.drawImage(this.base, 0, 0, w, h);
    if (this.mask && this.showMask && !this.replayPoints && this.baseKind !== "result") ctx.drawImage(this.mask.overlayCanvas(), 0, 0, w, h);
    ctx.imageSmoothingEnabled = true;
    for (const p of this.shownPoints()) this.drawPoint(p);
    if (this.pendingHandle) this.drawDot(this.pendingHandle, HANDLE_COLOUR, true);
    for (const c of this.cursors) this.drawCursor(c);
    if (this.hover && this.interactive() && this.tool !== "points") {
      ctx.beginPath();
      ctx.arc(this.hover[0] * s, this.hover[1] * s, Math.max(2, this.brushRadius * s), 0, Math.PI * 2);
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = this.tool === "brush" ? "rgba(255,255,255,0.9)" : "rgba(255,120,120,0.9)";
      ctx.stroke();
    }
  }

  /** @param {Vec} v @returns {[number, number]} */
  toDisplay(v) {
    return [(v[0] + 0.5) * this.scale, (v[1] + 0.5) * this.scale];
  }

  /** @param {DrawPoint} p */
  drawPoint(p) {
    const ctx = this.ctx;
    const [hx, hy] = this.toDisplay(p.handle);
    const [tx, ty] = this.toDisplay(p.target);
    const selected = p.id === this.selected;
    if (p.start && !this.replayPoints) {
      const [sx, sy] = this.toDisplay(p.start);
      if (Math.hypot(sx - hx, sy - hy) > 2) {
        ctx.beginPath();
        ctx.arc(sx, sy, 4, 0, Math.PI * 2);
        ctx.strokeStyle = "rgba(255,255,255,0.6)";
        ctx.lineWidth = 1.5;
        ctx.stroke();
      }
    }
    this.drawArrow(hx, hy, tx, ty, selected);
    this.drawDot(p.handle, HANDLE_COLOUR, selected);
    this.drawDot(p.target, TARGET_COLOUR, selected);
    const label = String(p.id);
    ctx.font = "600 11px system-ui, sans-serif";
    const tw = ctx.measureText(label).width;
    const lx = hx + 8;
    const ly = hy - 20;
    ctx.fillStyle = "rgba(17,24,39,0.85)";
    ctx.beginPath();
    ctx.roundRect(lx, ly, tw + 8, 15, 4);
    ctx.fill();
    ctx.fillStyle = "#fff";
    ctx.textBaseline = "middle";
    ctx.fillText(label, lx + 4, ly + 8);
  }

  /**
   * @param {number} ax @param {number} ay @param {number} bx @param {number} by
   * @param {boolean} selected
   */
  drawArrow(ax, ay, bx, by, selected) {
    const ctx = this.ctx;
    const length = Math.hypot(bx - ax, by - ay);
    if (length < 1) return;
    const ux = (bx - ax) / length;
    const uy = (by - ay) / length;
    const ex = bx - ux * 7;
    const ey = by - uy * 7;
    for (const [width, colour] of /** @type {const} */ ([[4, "rgba(0,0,0,0.55)"], [2, selected ? SELECT_COLOUR : "#ffffff"]])) {
      ctx.beginPath();
      ctx.moveTo(ax, ay);
      ctx.lineTo(ex, ey);
      ctx.lineWidth = width;
      ctx.strokeStyle = colour;
      ctx.stroke();
    }
    const head = 8;
    ctx.beginPath();
    ctx.moveTo(ex + ux * 2, ey + uy * 2);
    ctx.lineTo(ex - ux * head - uy * head * 0.6, ey - uy * head + ux * head * 0.6);
    ctx.lineTo(ex - ux * head + uy * head * 0.6, ey - uy * head - ux * head * 0.6);
    ctx.closePath();
    ctx.fillStyle = selected ? SELECT_COLOUR : "#ffffff";
    ctx.fill();
  }

  /** @param {Vec} v @param {string} colour @param {boolean} ring */
  drawDot(v, colour, ring) {
    const ctx = this.ctx;
    const [x, y] = this.toDisplay(v);
    ctx.beginPath();
    ctx.arc(x, y, 6, 0, Math.PI * 2);
    ctx.fillStyle = colour;
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = "#ffffff";
    ctx.stroke();
    if (ring) {
      ctx.beginPath();
      ctx.arc(x, y, 10, 0, Math.PI * 2);
      ctx.strokeStyle = SELECT_COLOUR;
      ctx.lineWidth = 2;
      ctx.stroke();
    }
  }

  /** @param {DrawCursor} c */
  drawCursor(c) {
    const ctx = this.ctx;
    const x = c.x * this.scale;
    const y = c.y * this.scale;
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x, y + 16);
    ctx.lineTo(x + 4.5, y + 12);
    ctx.lineTo(x + 11, y + 12);
    ctx.closePath();
    ctx.fillStyle = c.colour;
    ctx.fill();
    ctx.lineWidth = 1.2;
    ctx.strokeStyle = "#ffffff";
    ctx.stroke();
    ctx.font = "600 11px system-ui, sans-serif";
    const tw = ctx.measureText(c.name).width;
    ctx.fillStyle = c.colour;
    ctx.beginPath();
    ctx.roundRect(x + 10, y + 14, tw + 10, 16, 4);
    ctx.fill();
    ctx.fillStyle = "#ffffff";
    ctx.textBaseline = "middle";
    ctx.fillText(c.name, x + 15, y + 22.5);
  }
}
