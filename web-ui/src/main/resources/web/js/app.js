// The editor page: the landing view (no ?session= in the URL) or the editor of one session,
// wiring the REST client, the live socket and the views together.

import { ApiError, SessionApi } from "./api.js";
import { EditorCanvas } from "./canvas.js";
import { MinDChart } from "./chart.js";
import { byId, el, fmt, throttle } from "./dom.js";
import { initLanding } from "./landing.js";
import { rememberTokens, renderShareLinks, updateDownloads } from "./links.js";
import { LiveClient } from "./live.js";
import { banner, toast } from "./notify.js";
import { ParticipantsPanel, loadName, saveName } from "./participants.js";
import { PointsPanel } from "./points.js";
import { TimelineView, describe } from "./timeline.js";

/**
 * @typedef {import("./api.js").State} State
 * @typedef {import("./api.js").Step} Step
 * @typedef {import("./api.js").Vec} Vec
 * @typedef {import("./participants.js").Participant} Participant
 * @typedef {import("./canvas.js").Tool} Tool
 */

/** Statuses in which points and the mask may change (while the drag has not ended). */
const EDITABLE = new Set(["empty", "preparing", "ready", "dragging", "paused"]);
/** Phases before the drag has ended. */
const EDITABLE_PHASES = new Set(["RECLORA", "INVERSION", "DRAG"]);
/** Statuses in which the last live preview is worth showing. */
const PREVIEW_STATUSES = new Set(["dragging", "paused", "cancelled", "failed", "finished"]);

/** @type {Record<string, string>} */
const ACTION_TEXT = {
  add_point: "added point",
  move_point: "moved point",
  remove_point: "removed point",
  set_mask: "changed the mask",
  set_prompt: "changed the prompt",
  start: "started the edit",
  pause: "paused",
  resume: "resumed",
  cancel: "cancelled",
  restart: "restarted",
  undo: "undid a change",
  redo: "redid a change",
};

/**
 * Loads an image.
 *
 * @param {string} src
 * @returns {Promise<HTMLImageElement>}
 */
function loadImage(src) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error(`could not load ${src.split("?")[0]}`));
    img.src = src;
  });
}

/** @param {string} mode */
const modeText = (mode) => (mode === "DOO" ? "DOO + ILFA" : mode === "ILFA_ONLY" ? "ILFA only" : mode || "—");

class Editor {
  /**
   * @param {string} id
   * @param {string} token
   * @param {string} name
   */
  constructor(id, token, name) {
    this.api = new SessionApi(id, token);
    this.name = name;
    /** @type {State|null} */
    this.state = null;
    this.canEdit = false;
    /** @type {string|null} */
    this.selfId = null;
    /** @type {Participant[]} */
    this.participants = [];
    /** @type {number|null} */
    this.selected = null;
    /** @type {number|null} the timeline step being replayed; null = live */
    this.replayN = null;
    /** @type {HTMLImageElement|null} */
    this.inputImage = null;
    /** @type {{image: HTMLImageElement, epoch: number}|null} */
    this.preview = null;
    this.previewSeq = 0;
    /** @type {{image: HTMLImageElement, key: string}|null} */
    this.result = null;
    /** @type {string|null} */
    this.resultLoading = null;
    /** @type {Map<number, number>} point id -> revision that confirms its local move */
    this.moveAcks = new Map();
    /** @type {Map<number, HTMLImageElement>} frames by step n */
    this.frames = new Map();
    this.timelineEpoch = -1;
    this.timelineFetching = false;
    this.timelineAgain = false;

    this.canvas = new EditorCanvas(/** @type {HTMLCanvasElement} */ (byId("canvas")), {
      onAddPoint: (handle, target) => this.addPoint(handle, target),
      onMovePoint: (pid, handle, target) => this.movePoint(pid, handle, target),
      onRemovePoint: (pid) => this.removePoint(pid),
      onSelect: (pid) => {
        this.selected = pid;
        this.renderPoints();
        this.renderControls();
      },
      onMaskStroke: () => this.sendMask(),
      onCursor: throttle((x, y) => this.live?.cursor(Number(x.toFixed(2)), Number(y.toFixed(2))), 50),
      onPending: () => this.renderHint(),
    });
    this.timeline = new TimelineView(byId("timeline"), (n) => this.enterReplay(n));
    this.chart = new MinDChart(byId("chart"));
    this.pointsPanel = new PointsPanel(byId("points"), {
      onRemove: (pid) => this.removePoint(pid),
      onSelect: (pid) => this.canvas.select(pid),
    });
    this.participantsPanel = new ParticipantsPanel(byId("participants"));
    /** @type {LiveClient|null} */
    this.live = null;
    this.bindControls();
  }

  /** @param {State|null} initial the state from the create response, if any */
  async open(initial) {
    document.title = `draglora · ${this.api.id}`;
    this.participantsPanel.render([], null);
    this.renderConnection("connecting");
    try {
      this.applyState(initial ?? (await this.api.state()), true);
    } catch (error) {
      this.fatal(error);
      return;
    }
    this.refetchTimeline();
    this.live = new LiveClient(this.api.id, this.api.token, this.name, {
      onMessage: (msg) => this.onMessage(msg),
      onStatus: (status, detail) => this.renderConnection(status, detail),
      beforeReconnect: async () => {
        try {
          const state = await this.api.state();
          if (this.live?.accept(state.revision)) this.applyState(state, false);
        } catch (error) {
          if (error instanceof ApiError && [401, 403, 404].includes(error.status)) {
            this.fatal(error);
            throw Object.assign(new Error(error.message), { fatal: true });
          }
          throw error;
        }
      },
    });
    this.live.connect();
  }

  /** @param {unknown} error */
  fatal(error) {
    const message = error instanceof Error ? error.message : String(error);
    banner(`Cannot open session ${this.api.id}: ${message}`);
    this.renderConnection("closed", message);
  }

  /** @param {string} name */
  rename(name) {
    this.name = name;
    if (this.live) {
      this.live.name = name;
      this.live.reconnect();
    }
  }

  // ---- server messages -----------------------------------------------------------------------

  /** @param {any} msg */
  onMessage(msg) {
    switch (msg.type) {
      case "welcome":
        this.selfId = msg.participant;
        this.canEdit = Boolean(msg.canEdit);
        this.participants = msg.participants ?? [];
        document.body.classList.toggle("view-only", !this.canEdit);
        renderShareLinks(byId("share"), this.api.id, this.api.token, this.canEdit, msg.viewToken ?? null);
        this.applyState(msg.state, true);
        this.renderParticipants();
        break;
      case "state":
        this.applyState(msg.state, false);
        break;
      case "step":
        this.applyStep(msg);
        break;
      case "participants":
        this.participants = msg.participants ?? [];
        this.renderParticipants();
        break;
      case "cursor": {
        const p = this.participants.find((q) => q.id === msg.participant);
        if (p) {
          p.cursor = [msg.x, msg.y];
          const item = /** @type {HTMLElement|null} */ (byId("participants").querySelector(
            `[data-participant-id="${CSS.escape(p.id)}"]`));
          if (item) item.dataset.cursor = `${Number(msg.x).toFixed(1)},${Number(msg.y).toFixed(1)}`;
          this.renderCursors();
        }
        break;
      }
      case "edit":
        this.logActivity(msg);
        break;
      case "finished":
        if (this.state) {
          this.state.result = true;
          this.state.status = "finished";
          this.loadResult();
          this.renderAll();
        }
        break;
      case "failed":
        banner(`The edit failed: ${msg.message}`);
        break;
      case "error":
        toast(msg.message || "the server refused a message");
        break;
      default:
        break;
    }
  }

  /**
   * Shows a state (from the socket or REST).
   *
   * @param {State} s
   * @param {boolean} fresh a full resync (welcome, first load)
   */
  applyState(s, fresh) {
    const prev = this.state;
    this.state = s;
    if (!prev || prev.width !== s.width || prev.height !== s.height) {
      this.canvas.setImageSize(s.width, s.height);
      this.loadInput();
    }
    if (prev && prev.epoch !== s.epoch) {
      this.preview = null;
      this.frames.clear();
      this.exitReplay();
    }
    if (fresh || !prev || prev.epoch !== s.epoch || s.steps !== this.timeline.steps.length) {
      if (prev) this.refetchTimeline();
    }
    this.syncMask();
    if (s.result) this.loadResult();
    if (s.failure) banner(`The edit failed: ${s.failure}`);
    else if (prev?.failure) banner(null);
    this.releaseConfirmedMoves();
    this.renderAll();
    const prompt = /** @type {HTMLInputElement} */ (byId("prompt-input"));
    if (document.activeElement !== prompt && (fresh || prompt.dataset.synced !== s.prompt)) {
      prompt.value = s.prompt ?? "";
      prompt.dataset.synced = s.prompt ?? "";
    }
  }

  /** @param {{revision: number, status: string, dragSteps: number, step: Step, preview: string|null}} msg */
  applyStep(msg) {
    const s = this.state;
    if (!s) return;
    const step = msg.step;
    s.revision = msg.revision;
    s.status = msg.status;
    s.dragSteps = msg.dragSteps;
    s.lastStep = step;
    // The server also sends the session's next phase and mode with a step (not in api.md); else
    // the step's own are the best guess.
    s.phase = /** @type {any} */ (msg).phase ?? step.phase;
    const mode = /** @type {any} */ (msg).mode ?? step.mode;
    if (mode) s.mode = mode;
    s.steps = Math.max(s.steps, step.n + 1);
    if (step.phase === "DRAG") {
      for (const sp of step.points ?? []) {
        const p = s.points.find((q) => q.id === sp.id);
        if (p) p.handle = sp.handle;
      }
    }
    const last = this.timeline.lastN();
    if (step.n === last + 1) {
      this.timeline.append(step);
    } else if (step.n > last + 1 || step.n <= last) {
      this.refetchTimeline();
    }
    if (msg.preview) {
      const seq = ++this.previewSeq;
      const epoch = s.epoch;
      loadImage(msg.preview).then((image) => {
        if (seq !== this.previewSeq || !this.state || this.state.epoch !== epoch) return;
        this.preview = { image, epoch };
        this.chooseBase();
      }, () => {});
    }
    this.releaseConfirmedMoves();
    this.renderAll();
  }

  /** Fetches the timeline (coalescing concurrent requests) and merges newer local steps. */
  async refetchTimeline() {
    if (this.timelineFetching) {
      this.timelineAgain = true;
      return;
    }
    this.timelineFetching = true;
    try {
      const tl = await this.api.timeline();
      if (!this.state) return;
      if (tl.epoch === this.state.epoch || tl.epoch > this.state.epoch) {
        const lastFetched = tl.steps.length ? tl.steps[tl.steps.length - 1].n : -1;
        const newer = this.timelineEpoch === tl.epoch ? this.timeline.steps.filter((st) => st.n > lastFetched) : [];
        const steps = [...tl.steps];
        for (const st of newer) if (st.n === steps.length) steps.push(st);
        this.timelineEpoch = tl.epoch;
        this.timeline.setSteps(steps, tl.changes ?? []);
        if (this.replayN !== null && !steps.some((st) => st.n === this.replayN)) this.exitReplay();
        this.renderAll();
      }
    } catch (error) {
      toast(`Could not load the timeline: ${/** @type {Error} */ (error).message}`);
    } finally {
      this.timelineFetching = false;
      if (this.timelineAgain) {
        this.timelineAgain = false;
        this.refetchTimeline();
      }
    }
  }

  // ---- images --------------------------------------------------------------------------------

  async loadInput() {
    try {
      this.inputImage = await loadImage(this.api.tokenUrl("/image.png"));
      this.chooseBase();
    } catch (error) {
      toast(/** @type {Error} */ (error).message);
    }
  }

  async loadResult() {
    const s = this.state;
    if (!s) return;
    const key = `${s.id}:${s.epoch}`;
    if (this.result?.key === key || this.resultLoading === key) return;
    this.resultLoading = key;
    try {
      const image = await loadImage(this.api.tokenUrl("/result.png", { e: s.epoch, r: s.revision }));
      if (this.state?.epoch === s.epoch) {
        this.result = { image, key };
        this.chooseBase();
      }
    } catch (error) {
      toast(/** @type {Error} */ (error).message);
    } finally {
      if (this.resultLoading === key) this.resultLoading = null;
    }
  }

  /** Loads the server's mask when its hash differs from the one shown (not during a stroke). */
  async syncMask() {
    const s = this.state;
    const mask = this.canvas.mask;
    if (!s || !mask || mask.hash === s.mask || this.canvas.stroke) return;
    const hash = s.mask;
    if (hash === null) {
      mask.clear();
      mask.hash = null;
      this.canvas.requestRender();
      return;
    }
    try {
      const image = await loadImage(this.api.tokenUrl("/mask.png", { h: hash }));
      if (this.state?.mask !== hash || this.canvas.stroke || this.canvas.mask !== mask) return;
      mask.load(image);
      mask.hash = hash;
      this.canvas.requestRender();
    } catch (error) {
      toast(/** @type {Error} */ (error).message);
    }
  }

  /** Picks what the stage shows: a replayed frame, the result, the live preview or the input. */
  chooseBase() {
    const s = this.state;
    if (!s) return;
    if (this.replayN !== null) {
      this.showFrame(this.replayN);
      return;
    }
    const resultKey = `${s.id}:${s.epoch}`;
    if (s.result && this.result?.key === resultKey) {
      this.canvas.setBase(this.result.image, "result");
    } else if (this.preview && this.preview.epoch === s.epoch && s.dragSteps > 0 && PREVIEW_STATUSES.has(s.status)) {
      this.canvas.setBase(this.preview.image, "preview");
    } else {
      this.canvas.setBase(this.inputImage, "input");
    }
    byId("view-badge").textContent = { result: "Result", preview: "Live preview", input: "Input image" }[
      this.canvas.baseKind] ?? "";
  }

  // ---- replay --------------------------------------------------------------------------------

  /** @param {number} n */
  enterReplay(n) {
    const step = this.timeline.steps.find((st) => st.n === n);
    if (!step) return;
    this.replayN = n;
    this.canvas.setReplayPoints((step.points ?? []).map((p) => ({ id: p.id, handle: p.handle, target: p.target })));
    this.timeline.mark(n);
    this.showFrame(n);
    this.renderReplay();
    this.renderHint();
  }

  exitReplay() {
    if (this.replayN === null) return;
    this.replayN = null;
    this.canvas.setReplayPoints(null);
    this.timeline.mark(null);
    this.chooseBase();
    this.renderReplay();
    this.renderHint();
  }

  /** @param {number} n shows the frame of step n, or the latest earlier one, or the input */
  async showFrame(n) {
    const steps = this.timeline.steps;
    let frameStep = null;
    for (const st of steps) {
      if (st.n > n) break;
      if (st.frame) frameStep = st;
    }
    const badge = byId("view-badge");
    if (!frameStep) {
      this.canvas.setBase(this.inputImage, "frame");
      badge.textContent = `Step ${n} (no frame: input)`;
      return;
    }
    const fn = frameStep.n;
    badge.textContent = fn === n ? `Step ${n}` : `Step ${n} (frame of ${fn})`;
    let image = this.frames.get(fn);
    if (!image) {
      try {
        image = await loadImage(this.api.tokenUrl(`/frames/${fn}.png`, { e: this.state?.epoch ?? 0 }));
        this.frames.set(fn, image);
      } catch (error) {
        toast(/** @type {Error} */ (error).message);
        return;
      }
    }
    if (this.replayN === n) this.canvas.setBase(image, "frame");
  }

  // ---- commands ------------------------------------------------------------------------------

  /**
   * Sends a command over the socket (or REST when it is down); errors become toasts.
   *
   * @param {Record<string, any>} cmd
   * @returns {Promise<{revision: number, point?: number}|null>}
   */
  async command(cmd) {
    if (!this.canEdit) {
      toast("This is a view-only link: you can watch but not change the session.");
      return null;
    }
    try {
      return this.live?.open ? await this.live.send(cmd) : await this.api.command(cmd);
    } catch (error) {
      toast(`${cmd.type.replace("_", " ")}: ${/** @type {Error} */ (error).message}`);
      return null;
    }
  }

  /** @param {Vec} handle @param {Vec} target */
  async addPoint(handle, target) {
    const ack = await this.command({ type: "add_point", handle, target });
    if (ack && typeof ack.point === "number") {
      const pid = ack.point;
      // The state with the point may arrive before or after the ack.
      requestAnimationFrame(() => this.canvas.select(pid));
    }
  }

  /** @param {number} pid @param {Vec} handle @param {Vec} target */
  async movePoint(pid, handle, target) {
    const ack = await this.command({ type: "move_point", id: pid, handle, target });
    if (!ack) {
      this.canvas.releaseOverride(pid);
      return;
    }
    this.moveAcks.set(pid, ack.revision);
    this.releaseConfirmedMoves();
  }

  /** @param {number} pid */
  async removePoint(pid) {
    if (this.canvas.selected === pid) this.canvas.select(null);
    await this.command({ type: "remove_point", id: pid });
  }

  async sendMask() {
    const mask = this.canvas.mask;
    if (!mask) return;
    const png = mask.toPngBase64();
    await this.command({ type: "set_mask", png });
  }

  releaseConfirmedMoves() {
    const revision = this.state?.revision ?? -1;
    for (const [pid, ackRevision] of this.moveAcks) {
      if (revision >= ackRevision) {
        this.moveAcks.delete(pid);
        this.canvas.releaseOverride(pid);
      }
    }
  }

  // ---- controls ------------------------------------------------------------------------------

  bindControls() {
    for (const action of ["start", "pause", "resume", "cancel", "restart", "undo", "redo"]) {
      byId(`btn-${action}`).addEventListener("click", () => this.command({ type: action }));
    }
    byId("prompt-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const prompt = /** @type {HTMLInputElement} */ (byId("prompt-input")).value;
      this.command({ type: "set_prompt", prompt });
    });
    for (const input of document.querySelectorAll('input[name="tool"]')) {
      input.addEventListener("change", () => this.setTool(/** @type {Tool} */ (/** @type {HTMLInputElement} */ (input).value)));
    }
    const size = /** @type {HTMLInputElement} */ (byId("brush-size"));
    size.addEventListener("input", () => {
      this.canvas.brushRadius = Number(size.value) / 2;
      byId("brush-size-value").textContent = size.value;
    });
    byId("clear-mask").addEventListener("click", () => {
      this.canvas.mask?.clear();
      this.canvas.requestRender();
      this.command({ type: "set_mask", png: null });
    });
    byId("delete-point").addEventListener("click", () => {
      if (this.selected !== null) this.removePoint(this.selected);
    });
    const showMask = /** @type {HTMLInputElement} */ (byId("show-mask"));
    showMask.addEventListener("change", () => {
      this.canvas.showMask = showMask.checked;
      this.canvas.requestRender();
    });
    const scrubber = /** @type {HTMLInputElement} */ (byId("scrubber"));
    scrubber.addEventListener("input", () => {
      const step = this.timeline.steps[Number(scrubber.value)];
      if (step) this.enterReplay(step.n);
    });
    byId("live-button").addEventListener("click", () => this.exitReplay());
    document.addEventListener("keydown", (e) => {
      const target = /** @type {HTMLElement} */ (e.target);
      if (target.closest("input, textarea, select")) return;
      if ((e.key === "Delete" || e.key === "Backspace") && this.selected !== null && this.canvas.interactive()) {
        e.preventDefault();
        this.removePoint(this.selected);
      } else if (e.key === "Escape") {
        this.canvas.cancelGesture();
        this.canvas.select(null);
        this.exitReplay();
      } else if (!e.ctrlKey && !e.metaKey && !e.altKey && ["p", "b", "e"].includes(e.key)) {
        this.setTool(e.key === "p" ? "points" : e.key === "b" ? "brush" : "eraser");
      }
    });
  }

  /** @param {Tool} tool */
  setTool(tool) {
    const radio = /** @type {HTMLInputElement|null} */ (document.querySelector(`input[name="tool"][value="${tool}"]`));
    if (radio) radio.checked = true;
    this.canvas.setTool(tool);
    byId("brush-controls").hidden = tool === "points";
    if (tool !== "points") {
      const size = /** @type {HTMLInputElement} */ (byId("brush-size"));
      size.value = String(Math.round(this.canvas.brushRadius * 2));
      byId("brush-size-value").textContent = size.value;
    }
    this.renderHint();
  }

  /** Whether points and the mask may change now. */
  editableNow() {
    const s = this.state;
    return Boolean(s && this.canEdit && EDITABLE.has(s.status) && EDITABLE_PHASES.has(s.phase));
  }

  // ---- rendering -----------------------------------------------------------------------------

  renderAll() {
    const s = this.state;
    if (!s) return;
    this.chart.update(this.timeline.steps, s);
    this.canvas.setPoints(s.points);
    this.canvas.setEditable(this.editableNow());
    this.chooseBase();
    this.renderStatus();
    this.renderControls();
    this.renderPoints();
    this.renderReplay();
    this.renderHint();
    updateDownloads(this.api, s.result, s.revision);
  }

  renderStatus() {
    const s = /** @type {State} */ (this.state);
    const status = byId("status");
    status.textContent = s.status;
    status.className = `status-badge status-${s.status}`;
    byId("phase").textContent = s.phase ?? "—";
    byId("mode").textContent = modeText(s.mode);
    // the budget counts DOO steps only (ILFA-only iterations are extra), so it is not a denominator
    byId("drag-steps").textContent = `${s.dragSteps} (DOO budget ${s.maxSteps})`;
    const last = s.lastStep;
    byId("losses").textContent = last ? `${fmt(last.loss, 4)} (drag ${fmt(last.dragLoss, 4)})` : "—";
    const totals = this.timeline.steps.reduce((a, st) => [a[0] + (st.forward || 0), a[1] + (st.backward || 0)], [0, 0]);
    byId("passes").textContent = last
      ? `${last.forward} fwd / ${last.backward} bwd · total ${totals[0]} / ${totals[1]}`
      : `total ${totals[0]} / ${totals[1]}`;
    byId("method").textContent = `${s.method} · seed ${s.seed} · RecLoRA ${s.recLoraSteps} · epoch ${s.epoch}`;
    byId("editor").dataset.status = s.status;
  }

  renderControls() {
    const s = /** @type {State} */ (this.state);
    const e = this.canEdit;
    /** @type {Record<string, boolean>} */
    const enabled = {
      start: e && (s.status === "preparing" || s.status === "ready") && !s.started,
      pause: e && (s.status === "preparing" || s.status === "ready" || s.status === "dragging"),
      resume: e && s.status === "paused",
      cancel: e && ["preparing", "ready", "dragging", "paused"].includes(s.status),
      restart: e && s.status !== "empty",
      undo: e && s.canUndo,
      redo: e && s.canRedo,
    };
    for (const [action, on] of Object.entries(enabled)) {
      /** @type {HTMLButtonElement} */ (byId(`btn-${action}`)).disabled = !on;
    }
    const editable = this.editableNow() && this.replayN === null;
    /** @type {HTMLButtonElement} */ (byId("set-prompt")).disabled = !e || s.status === "empty";
    /** @type {HTMLInputElement} */ (byId("prompt-input")).readOnly = !e;
    /** @type {HTMLButtonElement} */ (byId("clear-mask")).disabled = !editable || (s.mask === null && !!this.canvas.mask?.isEmpty());
    /** @type {HTMLButtonElement} */ (byId("delete-point")).disabled = !editable || this.selected === null;
    for (const input of document.querySelectorAll('input[name="tool"]')) {
      /** @type {HTMLInputElement} */ (input).disabled = !e;
    }
  }

  renderPoints() {
    const s = this.state;
    if (!s) return;
    this.pointsPanel.render(s.points, { editable: this.editableNow(), selected: this.selected });
  }

  renderReplay() {
    const scrubber = /** @type {HTMLInputElement} */ (byId("scrubber"));
    const steps = this.timeline.steps;
    scrubber.max = String(Math.max(0, steps.length - 1));
    scrubber.disabled = steps.length === 0;
    const label = byId("scrub-label");
    const live = /** @type {HTMLButtonElement} */ (byId("live-button"));
    if (this.replayN === null) {
      scrubber.value = scrubber.max;
      label.textContent = steps.length ? `live · ${steps.length} steps` : "live";
      live.disabled = true;
      byId("stage").classList.remove("replaying");
    } else {
      const index = steps.findIndex((st) => st.n === this.replayN);
      scrubber.value = String(Math.max(0, index));
      label.textContent = index >= 0 ? describe(steps[index]) : `step ${this.replayN}`;
      live.disabled = false;
      byId("stage").classList.add("replaying");
    }
    scrubber.setAttribute("aria-valuetext", label.textContent ?? "");
  }

  renderHint() {
    const s = this.state;
    let hint;
    if (!s) hint = "";
    else if (this.replayN !== null) hint = "Replaying a past step. Press Live (or Esc) to return to the live view.";
    else if (!this.canEdit) hint = "View only: you watch this session; the owner of the edit link changes it.";
    else if (!this.editableNow()) {
      hint = s.status === "finished" ? "The edit is finished. Download the result, or Restart to edit again."
        : `The session is ${s.status}; Restart to edit again.`;
    } else if (this.canvas.pendingHandle) hint = "Now click where this handle should go (its target). Right-click or Esc cancels.";
    else if (this.canvas.tool === "points") {
      hint = "Click a handle, then its target. Drag a dot to move it, also while it runs. Right-click a dot (or select it and press Delete) to remove it.";
    } else if (this.canvas.tool === "brush") hint = "Paint the region that may change; the mask is sent when you release the mouse.";
    else hint = "Erase parts of the mask; the mask is sent when you release the mouse.";
    byId("hint").textContent = hint;
  }

  renderParticipants() {
    this.participantsPanel.render(this.participants, this.selfId);
    this.renderCursors();
  }

  renderCursors() {
    this.canvas.setCursors(
      this.participants
        .filter((p) => p.id !== this.selfId && p.cursor)
        .map((p) => ({ id: p.id, name: p.name, colour: p.colour, x: p.cursor?.[0] ?? 0, y: p.cursor?.[1] ?? 0 })),
    );
  }

  /**
   * @param {"connecting"|"open"|"closed"} status
   * @param {string} [detail]
   */
  renderConnection(status, detail) {
    const node = byId("connection");
    node.dataset.state = status;
    const retrying = status === "closed" && this.live !== null && !this.live.stopped;
    node.textContent = status === "open" ? "live" : status === "connecting" || retrying ? "connecting…" : "offline";
    node.title = detail ?? "";
    if (status !== "open") {
      this.participants = [];
      this.participantsPanel.render([], null);
      this.renderCursors();
    }
  }

  /** @param {{by: {id: string, name: string}, action: string, point?: number|null}} msg */
  logActivity(msg) {
    const who = msg.by?.id === this.selfId ? "You" : msg.by?.name ?? "someone";
    let text = `${who} ${ACTION_TEXT[msg.action] ?? msg.action}`;
    if (msg.point !== null && msg.point !== undefined && msg.action.endsWith("_point")) text += ` ${msg.point}`;
    const list = byId("activity");
    list.prepend(el("li", { "data-testid": "activity-item" },
      el("time", {}, new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" })), ` ${text}`));
    while (list.children.length > 8) list.lastElementChild?.remove();
  }
}

// ---- page ------------------------------------------------------------------------------------

function main() {
  const nameInput = /** @type {HTMLInputElement} */ (byId("name-input"));
  nameInput.value = loadName();
  /** @type {Editor|null} */
  let editor = null;
  nameInput.addEventListener("change", () => {
    const name = nameInput.value.trim() || loadName();
    nameInput.value = name;
    saveName(name);
    editor?.rename(name);
  });

  /**
   * @param {string} id
   * @param {string} token
   * @param {State|null} initial
   */
  const openEditor = (id, token, initial) => {
    byId("landing").hidden = true;
    byId("editor").hidden = false;
    byId("connection").hidden = false;
    editor = new Editor(id, token, nameInput.value);
    /** @type {any} */ (window).draglora = editor;
    editor.open(initial);
  };

  const params = new URLSearchParams(window.location.search);
  const id = params.get("session");
  const token = params.get("token");
  if (id && token) {
    openEditor(id, token, null);
  } else {
    byId("landing").hidden = false;
    byId("connection").hidden = true;
    if (id) banner("This link has no token; ask for the session's edit or view link.");
    initLanding((created) => {
      rememberTokens(created.id, created.editToken, created.viewToken);
      const q = new URLSearchParams({ session: created.id, token: created.editToken });
      window.history.replaceState(null, "", `${window.location.pathname}?${q}`);
      openEditor(created.id, created.editToken, created.state);
    });
  }
}

main();
