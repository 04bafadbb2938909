// The live WebSocket of a session: connects, keeps the highest revision seen (older `state` and
// `step` messages are dropped), correlates commands with their `ack`/`error`, and reconnects with
// backoff when the socket drops.

/**
 * @typedef {Object} LiveHandlers
 * @property {(msg: any) => void} onMessage every accepted server message (older states/steps are dropped)
 * @property {(status: "connecting"|"open"|"closed", detail?: string) => void} [onStatus]
 * @property {() => Promise<void>} [beforeReconnect] runs before each reconnect attempt (refetch state); throwing an
 *   error with `fatal: true` stops reconnecting
 */

/** The delays between reconnect attempts, in ms (the last one repeats). */
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 10000];

/** How long a command waits for its `ack` or `error`. */
const COMMAND_TIMEOUT_MS = 30000;

/** A refused or failed command. */
export class CommandError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = "CommandError";
  }
}

export class LiveClient {
  /**
   * @param {string} sessionId
   * @param {string} token
   * @param {string} name the participant's name
   * @param {LiveHandlers} handlers
   */
  constructor(sessionId, token, name, handlers) {
    this.sessionId = sessionId;
    this.token = token;
    this.name = name;
    this.handlers = handlers;
    /** The highest revision seen in a `state`, `step` or REST state. */
    this.revision = -1;
    /** @type {WebSocket|null} */
    this.socket = null;
    this.attempt = 0;
    this.stopped = false;
    this.nextRequest = 1;
    /** @type {Map<string, {resolve: (ack: any) => void, reject: (e: Error) => void, timer: any}>} */
    this.pending = new Map();
    /** @type {ReturnType<typeof setTimeout>|null} */
    this.retryTimer = null;
  }

  /** The WebSocket URL, ws:// or wss:// after the page's scheme. */
  url() {
    const u = new URL(`api/sessions/${encodeURIComponent(this.sessionId)}/ws`, document.baseURI);
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    u.searchParams.set("token", this.token);
    u.searchParams.set("name", this.name);
    return u.toString();
  }

  /** Whether commands go over the socket now. */
  get open() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  connect() {
    this.stopped = false;
    this.handlers.onStatus?.("connecting");
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.addEventListener("message", (event) => {
      if (this.socket !== socket) return;
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return;
      }
      this.dispatch(msg);
    });
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.failPending("the connection was lost");
      this.handlers.onStatus?.("closed", event.reason || `code ${event.code}`);
      if (!this.stopped) this.scheduleReconnect();
    });
  }

  scheduleReconnect() {
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt++;
    this.retryTimer = setTimeout(async () => {
      this.retryTimer = null;
      if (this.stopped) return;
      try {
        await this.handlers.beforeReconnect?.();
      } catch (error) {
        if (/** @type {any} */ (error).fatal) {
          this.stopped = true;
          this.handlers.onStatus?.("closed", /** @type {Error} */ (error).message);
          return;
        }
        this.scheduleReconnect();
        return;
      }
      if (!this.stopped) this.connect();
    }, delay);
  }

  /** Closes for good (no reconnect). */
  close() {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = null;
    this.failPending("the connection was closed");
    socket?.close(1000, "bye");
  }

  /** Closes and connects again at once (e.g. with a new name). */
  reconnect() {
    this.close();
    this.attempt = 0;
    this.connect();
  }

  /**
   * Whether a state or step of `revision` is current (not older than the highest seen); records it.
   *
   * @param {number} revision
   */
  accept(revision) {
    if (typeof revision !== "number") return true;
    if (revision < this.revision) return false;
    this.revision = revision;
    return true;
  }

  /** @param {any} msg */
  dispatch(msg) {
    switch (msg.type) {
      case "welcome":
        this.attempt = 0;
        // A fresh connection: its state is the truth, even after a server restart.
        this.revision = msg.state?.revision ?? -1;
        this.handlers.onStatus?.("open");
        break;
      case "state":
        if (!this.accept(msg.state?.revision)) return;
        break;
      case "step":
        if (!this.accept(msg.revision)) return;
        break;
      case "ack":
      case "error": {
        const waiting = msg.request ? this.pending.get(msg.request) : undefined;
        if (waiting) {
          this.pending.delete(msg.request);
          clearTimeout(waiting.timer);
          if (msg.type === "ack") waiting.resolve(msg);
          else waiting.reject(new CommandError(msg.message || "the command was refused"));
          return;
        }
        break;
      }
      default:
        break;
    }
    this.handlers.onMessage(msg);
  }

  /**
   * Sends a command and waits for its `ack` (resolves) or `error` (rejects).
   *
   * @param {Record<string, any>} cmd
   * @returns {Promise<{revision: number, point?: number}>}
   */
  send(cmd) {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new CommandError("not connected"));
    }
    const request = `r${this.nextRequest++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(request);
        reject(new CommandError(`no answer to ${cmd.type}`));
      }, COMMAND_TIMEOUT_MS);
      this.pending.set(request, { resolve, reject, timer });
      socket.send(JSON.stringify({ ...cmd, request }));
    });
  }

  /**
   * Tells the others where the pointer is (image pixels); nothing when disconnected.
   *
   * @param {number} x
   * @param {number} y
   */
  cursor(x, y) {
    if (this.open) this.socket?.send(JSON.stringify({ type: "cursor", x, y }));
  }

  /** @param {string} reason */
  failPending(reason) {
    for (const [, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(new CommandError(reason));
    }
    this.pending.clear();
  }
}
