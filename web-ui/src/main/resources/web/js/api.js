// REST client of the draglora API (docs/api.md). Paths are relative to the page, so the editor
// also works when the server is mounted under a prefix.

/**
 * @typedef {[number, number]} Vec
 *
 * @typedef {Object} Point
 * @property {number} id
 * @property {Vec} handle where the handle is now
 * @property {Vec} target
 * @property {Vec} start  where the handle was when the point was last placed
 *
 * @typedef {Object} StepPoint
 * @property {number} id
 * @property {Vec} handle
 * @property {Vec} target
 * @property {number|null} minD
 * @property {number|null} distance
 *
 * @typedef {Object} Step
 * @property {number} n        place in the timeline
 * @property {string} phase    RECLORA, INVERSION, DRAG, DENOISE, DECODE
 * @property {number} index
 * @property {number} total
 * @property {string|null} mode DOO, ILFA_ONLY or null
 * @property {string|null} event
 * @property {StepPoint[]} points
 * @property {number|null} loss
 * @property {number|null} dragLoss
 * @property {number} forward
 * @property {number} backward
 * @property {number} ms
 * @property {boolean} frame
 *
 * @typedef {Object} State
 * @property {string} id
 * @property {number} revision
 * @property {string} status  empty, preparing, ready, dragging, paused, finished, cancelled, failed
 * @property {boolean} started
 * @property {number} width
 * @property {number} height
 * @property {string} prompt
 * @property {string} method
 * @property {number} seed
 * @property {number} maxSteps
 * @property {number} recLoraSteps
 * @property {number} epoch
 * @property {string} phase
 * @property {string} mode
 * @property {number} dragSteps
 * @property {number} steps
 * @property {Point[]} points
 * @property {string|null} mask
 * @property {boolean} result
 * @property {string|null} failure
 * @property {boolean} canUndo
 * @property {boolean} canRedo
 * @property {Step|null} lastStep
 *
 * @typedef {Object} Change
 * @property {number} atDragStep
 * @property {string} type
 * @property {number} [point]
 * @property {Vec} [handle]
 * @property {Vec} [target]
 *
 * @typedef {Object} Timeline
 * @property {number} revision
 * @property {number} epoch
 * @property {Step[]} steps
 * @property {Change[]} changes
 *
 * @typedef {Object} Created
 * @property {string} id
 * @property {string} editToken
 * @property {string} viewToken
 * @property {string} editUrl
 * @property {string} viewUrl
 * @property {State} state
 *
 * @typedef {Object} Ack
 * @property {number} revision
 * @property {number} [point]
 *
 * @typedef {Object} CreateSettings
 * @property {string} [prompt]
 * @property {string} [method]
 * @property {number|null} [seed]
 * @property {number|null} [steps]
 * @property {number|null} [recloraSteps]
 */

/** An HTTP error with the server's `error` text. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

/**
 * Throws an {@link ApiError} unless `response` is OK; the message is the server's `error` field
 * when the body is the API's error JSON.
 *
 * @param {Response} response
 * @returns {Promise<Response>}
 */
async function check(response) {
  if (response.ok) return response;
  let message = `HTTP ${response.status} ${response.statusText}`.trim();
  try {
    const text = await response.text();
    try {
      const body = JSON.parse(text);
      if (body && typeof body.error === "string") message = body.error;
    } catch {
      if (text && text.length < 300) message = `${message}: ${text}`;
    }
  } catch {
    // keep the status line
  }
  throw new ApiError(response.status, message);
}

/**
 * @param {string} url
 * @param {RequestInit} [init]
 */
async function request(url, init) {
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new ApiError(0, `the server cannot be reached (${/** @type {Error} */ (error).message})`);
  }
  return check(response);
}

/**
 * The query string of the creation settings (empty fields are left out, so the server's defaults apply).
 *
 * @param {CreateSettings} settings
 * @param {boolean} scene whether the session is a generated scene (it brings its own prompt and seed)
 */
export function settingsQuery(settings, scene) {
  const q = new URLSearchParams();
  if (!scene && settings.prompt) q.set("prompt", settings.prompt);
  if (settings.method) q.set("method", settings.method);
  if (!scene && settings.seed !== null && settings.seed !== undefined && !Number.isNaN(settings.seed)) {
    q.set("seed", String(settings.seed));
  }
  if (settings.steps) q.set("steps", String(settings.steps));
  if (settings.recloraSteps) q.set("reclora_steps", String(settings.recloraSteps));
  return q;
}

/**
 * Creates a session from an uploaded PNG or JPEG.
 *
 * @param {Blob} file
 * @param {CreateSettings} settings
 * @returns {Promise<Created>}
 */
export async function createFromImage(file, settings) {
  const type = file.type || (/\.jpe?g$/i.test(/** @type {File} */ (file).name || "") ? "image/jpeg" : "image/png");
  const qs = settingsQuery(settings, false).toString();
  const response = await request(`api/sessions${qs ? `?${qs}` : ""}`, {
    method: "POST",
    headers: { "Content-Type": type, Accept: "application/json" },
    body: file,
  });
  return response.json();
}

/**
 * Creates a session on generated shape scene `seed`.
 *
 * @param {number} seed
 * @param {CreateSettings} settings
 * @returns {Promise<Created>}
 */
export async function createScene(seed, settings) {
  const q = settingsQuery(settings, true);
  q.set("scene", String(seed));
  const response = await request(`api/sessions?${q}`, { method: "POST", headers: { Accept: "application/json" } });
  return response.json();
}

/** A client of one session, holding its token. */
export class SessionApi {
  /**
   * @param {string} id
   * @param {string} token
   */
  constructor(id, token) {
    this.id = id;
    this.token = token;
  }

  /** @param {string} path */
  url(path = "") {
    return `api/sessions/${encodeURIComponent(this.id)}${path}`;
  }

  /**
   * A URL with the token as query parameter (images, downloads).
   *
   * @param {string} path
   * @param {Record<string, string|number>} [extra]
   */
  tokenUrl(path, extra = {}) {
    const q = new URLSearchParams({ token: this.token });
    for (const [k, v] of Object.entries(extra)) q.set(k, String(v));
    return `${this.url(path)}?${q}`;
  }

  /**
   * @param {string} path
   * @param {RequestInit} [init]
   */
  async call(path, init = {}) {
    const headers = new Headers(init.headers);
    headers.set("Authorization", `Bearer ${this.token}`);
    if (!headers.has("Accept")) headers.set("Accept", "application/json");
    return request(this.url(path), { ...init, headers });
  }

  /**
   * @param {string} path
   * @param {string} method
   * @param {any} [body] sent as JSON when given
   * @returns {Promise<any>}
   */
  async json(path, method = "GET", body) {
    /** @type {RequestInit} */
    const init = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { "Content-Type": "application/json" };
    }
    const response = await this.call(path, init);
    return response.json();
  }

  /** @returns {Promise<State>} */
  state() {
    return this.json("");
  }

  /** @returns {Promise<Timeline>} */
  timeline() {
    return this.json("/timeline");
  }

  /**
   * Sends a live-protocol command over REST (when the WebSocket is down).
   *
   * @param {Record<string, any>} cmd a client-to-server WebSocket message
   * @returns {Promise<Ack>}
   */
  async command(cmd) {
    switch (cmd.type) {
      case "add_point":
        return this.json("/points", "POST", { handle: cmd.handle, target: cmd.target });
      case "move_point":
        return this.json(`/points/${cmd.id}`, "PUT", { handle: cmd.handle, target: cmd.target });
      case "remove_point":
        return this.json(`/points/${cmd.id}`, "DELETE");
      case "set_prompt":
        return this.json("/prompt", "PUT", { prompt: cmd.prompt });
      case "set_mask": {
        if (cmd.png === null) return this.json("/mask", "DELETE");
        const bytes = Uint8Array.from(atob(cmd.png), (c) => c.charCodeAt(0));
        const response = await this.call("/mask", {
          method: "PUT",
          headers: { "Content-Type": "image/png" },
          body: bytes,
        });
        return response.json();
      }
      case "start":
      case "pause":
      case "resume":
      case "cancel":
      case "restart":
      case "undo":
      case "redo":
        return this.json(`/${cmd.type}`, "POST");
      default:
        throw new Error(`unknown command ${cmd.type}`);
    }
  }
}
