#!/usr/bin/env node
// End-to-end test of the draglora browser editor against a running server.
//
//   node editor.e2e.mjs --base http://127.0.0.1:PORT/ --image scene.png --out DIR [--image128 big.png]
//                       [--image512 sd.png] [--chromium /usr/bin/chromium]
//
// Prints one line per check (`ok - ...` / `not ok - ...`), writes screenshots to DIR and exits 0
// only when every check passed. Scenarios:
//   1. upload, mask, a point, start, move the target while it drags, finish, download the result;
//   2. two editors on one session see each other's points, moves, presence and cursor;
//   3. a view-only client sees the points but cannot start or add points;
//   4. (with --image128, a 128x128 PNG: the largest the embedded 64x64 model accepts) the upload is
//      shown whole and fitted, clicks and a mask stroke land on the right 128-pixel coordinates, and
//      Cancel stops it;
//   5. (with --image512, a 512x512 PNG) a server whose model edits at most twice its native size
//      refuses the upload (HTTP 400) and the landing page shows its message without opening a
//      session; a server with Stable Diffusion 1.5 weights accepts it and gets scenario 4's checks
//      at 512.

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { chromium } from "playwright-core";

// ---- arguments -------------------------------------------------------------------------------

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {Record<string, string>} */
  const args = { chromium: "/usr/bin/chromium" };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    if (!key.startsWith("--") || i + 1 >= argv.length) usage(`bad argument ${key}`);
    args[key.slice(2)] = argv[++i];
  }
  for (const required of ["base", "image", "out"]) if (!args[required]) usage(`--${required} is required`);
  if (!args.base.endsWith("/")) args.base += "/";
  return args;
}

/** @param {string} problem */
function usage(problem) {
  console.error(`${problem}\nusage: node editor.e2e.mjs --base http://127.0.0.1:PORT/ --image scene.png --out DIR [--image128 PNG] [--image512 PNG] [--chromium PATH]`);
  process.exit(2);
}

const args = parseArgs(process.argv.slice(2));
fs.mkdirSync(args.out, { recursive: true });

// ---- reporting -------------------------------------------------------------------------------

let passed = 0;
let failed = 0;
/** @type {string[]} */
const pageErrors = [];

class Abort extends Error {}

/**
 * Runs one check and prints its line; a failed check aborts its scenario.
 *
 * @template T
 * @param {string} name
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function check(name, fn) {
  const started = Date.now();
  try {
    const value = await fn();
    passed++;
    console.log(`ok - ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return value;
  } catch (error) {
    failed++;
    const message = String(/** @type {Error} */ (error)?.message ?? error)
      .replace(/\u001b\[[0-9;]*m/g, "")
      .split("\n").slice(0, 6).join("\n#   ");
    console.log(`not ok - ${name}\n#   ${message}`);
    throw new Abort(name);
  }
}

/**
 * Runs a scenario; an aborted one is reported and the next one runs.
 *
 * @param {string} name
 * @param {() => Promise<void>} fn
 */
async function scenario(name, fn) {
  console.log(`# ${name}`);
  try {
    await fn();
  } catch (error) {
    if (!(error instanceof Abort)) {
      failed++;
      console.log(`not ok - ${name}: unexpected error\n#   ${String(/** @type {Error} */ (error)?.stack ?? error)}`);
    } else {
      console.log(`# ${name}: aborted after a failed check`);
    }
  }
}

/**
 * @param {import("playwright-core").Page} page
 * @param {string} name
 */
async function shot(page, name) {
  try {
    await page.screenshot({ path: path.join(args.out, `${name}.png`), fullPage: true });
  } catch (error) {
    console.log(`# screenshot ${name} failed: ${/** @type {Error} */ (error).message}`);
  }
}

/**
 * @param {boolean} condition
 * @param {string} message
 */
function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/**
 * Polls `fn` until it returns a truthy value.
 *
 * @template T
 * @param {() => Promise<T>|T} fn
 * @param {number} timeoutMs
 * @param {string} what described in the timeout error
 * @param {number} [everyMs]
 * @returns {Promise<T>}
 */
async function until(fn, timeoutMs, what, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what} (last: ${describeLast(last)})`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** @param {unknown} value */
function describeLast(value) {
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value)?.slice(0, 300);
  } catch {
    return String(value);
  }
}

// ---- page helpers ----------------------------------------------------------------------------

const browser = await chromium.launch({ executablePath: args.chromium, headless: true, args: ["--no-sandbox"] });

/**
 * A fresh browser context ("user") named `name`, with a page.
 *
 * @param {string} name
 */
async function newUser(name) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  await context.addInitScript((n) => {
    try {
      localStorage.setItem("draglora.name", n);
    } catch {
      // about:blank has no storage
    }
  }, name);
  const page = await context.newPage();
  page.on("pageerror", (error) => {
    pageErrors.push(`${name}: ${error.message}`);
    console.log(`# page error (${name}): ${error.message}`);
  });
  page.on("console", (msg) => {
    if (msg.type() === "error") console.log(`# console error (${name}): ${msg.text()}`);
  });
  return { context, page, name };
}

/** @param {import("playwright-core").Page} page */
const tid = (page) => (/** @type {string} */ id) => page.locator(`[data-testid="${id}"]`);

/**
 * The session id and token of an editor page, from its URL.
 *
 * @param {import("playwright-core").Page} page
 */
function sessionOf(page) {
  const u = new URL(page.url());
  const id = u.searchParams.get("session");
  const token = u.searchParams.get("token");
  assert(Boolean(id && token), `no session and token in ${page.url()}`);
  return { id: /** @type {string} */ (id), token: /** @type {string} */ (token) };
}

/**
 * GET a session's state straight from the API.
 *
 * @param {{id: string, token: string}} session
 */
async function apiState(session) {
  const response = await fetch(new URL(`api/sessions/${session.id}`, args.base), {
    headers: { Authorization: `Bearer ${session.token}`, Accept: "application/json" },
  });
  const text = await response.text();
  assert(response.ok, `GET /api/sessions/${session.id}: HTTP ${response.status} ${text}`);
  return JSON.parse(text);
}

/**
 * The page position of image pixel (x, y) (its centre) on the editor canvas.
 *
 * @param {import("playwright-core").Page} page
 * @param {number} x
 * @param {number} y
 * @returns {Promise<[number, number]>}
 */
async function imagePoint(page, x, y) {
  const canvas = tid(page)("canvas");
  const box = await canvas.boundingBox();
  assert(box !== null, "the canvas is not laid out");
  const w = Number(await canvas.getAttribute("data-image-width"));
  const h = Number(await canvas.getAttribute("data-image-height"));
  assert(w > 0 && h > 0, "the canvas has no image size");
  const b = /** @type {{x: number, y: number, width: number, height: number}} */ (box);
  return [b.x + ((x + 0.5) * b.width) / w, b.y + ((y + 0.5) * b.height) / h];
}

/**
 * Clicks image pixel (x, y).
 *
 * @param {import("playwright-core").Page} page
 * @param {number} x
 * @param {number} y
 */
async function clickImage(page, x, y) {
  const [px, py] = await imagePoint(page, x, y);
  await page.mouse.click(px, py);
}

/**
 * Drags from image pixel `from` to `to` with the left button.
 *
 * @param {import("playwright-core").Page} page
 * @param {[number, number]} from
 * @param {[number, number]} to
 */
async function dragImage(page, from, to) {
  const [ax, ay] = await imagePoint(page, from[0], from[1]);
  const [bx, by] = await imagePoint(page, to[0], to[1]);
  await page.mouse.move(ax, ay);
  await page.mouse.down();
  await page.mouse.move(ax + (bx - ax) * 0.3, ay + (by - ay) * 0.3, { steps: 3 });
  await page.mouse.move(bx, by, { steps: 6 });
  await page.mouse.up();
}

/**
 * The point rows of the editor: id, handle, target.
 *
 * @param {import("playwright-core").Page} page
 */
async function pointRows(page) {
  return page.locator('[data-testid="point-row"]').evaluateAll((rows) =>
    rows.map((r) => {
      const el = /** @type {HTMLElement} */ (r);
      return {
        id: Number(el.dataset.pointId),
        handle: (el.dataset.handle ?? "").split(",").map(Number),
        target: (el.dataset.target ?? "").split(",").map(Number),
      };
    }),
  );
}

/**
 * The participants as shown: name, whether view-only, cursor.
 *
 * @param {import("playwright-core").Page} page
 */
async function participantRows(page) {
  return page.locator('[data-testid="participant"]').evaluateAll((rows) =>
    rows.map((r) => {
      const el = /** @type {HTMLElement} */ (r);
      return { name: el.dataset.name, canEdit: el.dataset.canEdit === "true", cursor: el.dataset.cursor, self: el.dataset.self === "true" };
    }),
  );
}

/** @param {import("playwright-core").Page} page */
async function statusText(page) {
  return ((await tid(page)("status").textContent()) ?? "").trim();
}

/** @param {import("playwright-core").Page} page */
async function dragSteps(page) {
  // "N / MAX" or "N (DOO budget MAX)": the leading number
  const text = (await tid(page)("drag-steps").textContent()) ?? "";
  return Number(/^\s*(\d+)/.exec(text)?.[1] ?? 0);
}

/**
 * Waits until the editor is connected and shows a state.
 *
 * @param {import("playwright-core").Page} page
 */
async function waitEditorReady(page) {
  await tid(page)("editor").waitFor({ state: "visible", timeout: 30000 });
  await until(async () => (await tid(page)("connection").getAttribute("data-state")) === "open", 30000, "the live connection");
  await until(async () => (await statusText(page)) !== "…", 30000, "a status");
  await until(async () => Number(await tid(page)("canvas").getAttribute("data-image-width")) > 0, 30000, "the image size");
}

/**
 * Decodes an 8-bit, non-interlaced grey, grey+alpha, RGB or RGBA PNG (enough for the server's masks).
 *
 * @param {Buffer} png
 * @returns {{width: number, height: number, channels: number, pixels: Uint8Array}}
 */
function decodePng(png) {
  assert(png.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10])), "not a PNG");
  let width = 0;
  let height = 0;
  let channels = 0;
  /** @type {Buffer[]} */
  const idat = [];
  for (let o = 8; o < png.length;) {
    const length = png.readUInt32BE(o);
    const type = png.toString("latin1", o + 4, o + 8);
    const data = png.subarray(o + 8, o + 8 + length);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const depth = data[8];
      const colour = data[9];
      channels = /** @type {Record<number, number>} */ ({ 0: 1, 2: 3, 4: 2, 6: 4 })[colour] ?? 0;
      assert(depth === 8 && channels > 0 && data[12] === 0, `unsupported PNG (depth ${depth}, colour type ${colour}, interlace ${data[12]})`);
    } else if (type === "IDAT") {
      idat.push(data);
    }
    o += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? pixels[y * stride + i - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + i] : 0;
      const c = i >= channels && y > 0 ? pixels[(y - 1) * stride + i - channels] : 0;
      const p = a + b - c;
      const pa = Math.abs(p - a);
      const pb = Math.abs(p - b);
      const pc = Math.abs(p - c);
      const predictor = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter];
      assert(predictor !== undefined, `bad PNG filter ${filter}`);
      pixels[y * stride + i] = (line[i] + predictor) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

/** @param {number[]} a @param {number[]} b */
const same = (a, b) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) < 1e-6);

// ---- scenario 1: one editor, a whole edit ----------------------------------------------------

await scenario("scenario 1: upload, mask, point, start, move while dragging, finish", async () => {
  const { context, page } = await newUser("e2e-solo");
  const t = tid(page);
  const handle = [20, 32];
  const target = [36, 32];
  const moved = [36, 42];

  await check("landing page shows upload and new-scene", async () => {
    await page.goto(args.base);
    await t("upload-button").waitFor({ state: "attached", timeout: 15000 });
    await t("scene-button").waitFor({ state: "visible", timeout: 15000 });
    await shot(page, "01-landing");
  });

  const session = await check("upload the image with small budgets (DOO 40, RecLoRA 10)", async () => {
    await t("upload-file").setInputFiles(args.image);
    await page.locator("#advanced > summary").click();
    await t("setting-steps").fill("40");
    await t("setting-reclora").fill("10");
    await shot(page, "02-settings");
    await t("upload-button").click();
    await page.waitForURL(/[?&]session=[^&]+&token=/, { timeout: 30000 });
    await waitEditorReady(page);
    const s = sessionOf(page);
    const state = await apiState(s);
    assert(state.maxSteps === 40, `maxSteps is ${state.maxSteps}, not 40`);
    assert(state.recLoraSteps === 10, `recLoraSteps is ${state.recLoraSteps}, not 10`);
    return s;
  });

  await check("share links: edit link with the token, view link", async () => {
    const edit = await t("share-edit").inputValue();
    const view = await t("share-view").inputValue();
    assert(edit.includes(`session=${session.id}`) && edit.includes(`token=${session.token}`), `edit link ${edit}`);
    assert(view.includes(`session=${session.id}`) && !view.includes(session.token), `view link ${view}`);
    await shot(page, "03-editor");
  });

  await check("paint a mask with the brush", async () => {
    await t("tool-brush").check();
    const [ax, ay] = await imagePoint(page, 8, 18);
    await page.mouse.move(ax, ay);
    await page.mouse.down();
    for (let y = 18, row = 0; y <= 46; y += 3, row++) {
      const [px, py] = await imagePoint(page, row % 2 === 0 ? 56 : 8, y);
      await page.mouse.move(px, py, { steps: 8 });
      const [nx, ny] = await imagePoint(page, row % 2 === 0 ? 56 : 8, Math.min(46, y + 3));
      await page.mouse.move(nx, ny, { steps: 2 });
    }
    await page.mouse.up();
    const state = await until(async () => {
      const s = await apiState(session);
      return s.mask ? s : null;
    }, 20000, "the mask in the session state");
    assert(typeof state.mask === "string", "no mask hash");
    await shot(page, "04-mask");
  });

  await check("add a point pair by two clicks", async () => {
    await t("tool-points").check();
    await clickImage(page, handle[0], handle[1]);
    await clickImage(page, target[0], target[1]);
    const rows = await until(async () => {
      const r = await pointRows(page);
      return r.length === 1 ? r : null;
    }, 20000, "one point row");
    assert(same(rows[0].target, target), `the point's target is ${rows[0].target}`);
    const state = await apiState(session);
    assert(state.points.length === 1, `the API has ${state.points.length} points`);
    assert(same(state.points[0].handle, handle) && same(state.points[0].target, target),
      `the API point is ${JSON.stringify(state.points[0])}`);
    await shot(page, "05-point");
  });

  await check("start", async () => {
    await until(async () => t("btn-start").isEnabled(), 30000, "an enabled Start button");
    await t("btn-start").click();
    await until(async () => (await apiState(session)).started === true, 20000, "started in the API state");
  });

  await check("status becomes dragging with at least 2 drag steps", async () => {
    await until(async () => (await statusText(page)) === "dragging" && (await dragSteps(page)) >= 2, 150000,
      "status dragging and 2 drag steps", 50);
    await shot(page, "06-dragging");
  });

  await check("drag the target to a new spot while it runs", async () => {
    const status = await statusText(page);
    assert(status === "dragging", `status is ${status} before the move`);
    await dragImage(page, /** @type {[number, number]} */ (target), /** @type {[number, number]} */ (moved));
    await until(async () => {
      const rows = await pointRows(page);
      return rows.length === 1 && same(rows[0].target, moved);
    }, 20000, "the moved target in the point list");
    const state = await until(async () => {
      const s = await apiState(session);
      return s.points.length === 1 && same(s.points[0].target, moved) ? s : null;
    }, 20000, "the moved target in GET /api/sessions/{id}");
    assert(state.points.length === 1, "one point");
    await shot(page, "07-moved");
  });

  await check("the timeline shows drag steps and the minD chart a curve", async () => {
    const cells = await page.locator('[data-testid="timeline"] .tl-cell[data-phase="DRAG"]').count();
    assert(cells >= 2, `${cells} drag cells in the timeline`);
    await until(async () => Number(await t("chart").getAttribute("data-series")) >= 1, 10000, "a minD series");
  });

  await check("the edit finishes", async () => {
    await until(async () => (await statusText(page)) === "finished", 180000, "status finished", 250);
    await shot(page, "08-finished");
  });

  await check("the result image is shown", async () => {
    await until(async () => (await t("canvas").getAttribute("data-view")) === "result", 20000, "the canvas showing the result");
  });

  await check("the result download answers 200 with a PNG", async () => {
    await until(async () => (await t("download-result").getAttribute("aria-disabled")) === null, 10000, "an enabled result link");
    const href = await t("download-result").getAttribute("href");
    assert(Boolean(href), "the result link has no href");
    const response = await context.request.get(new URL(/** @type {string} */ (href), page.url()).toString());
    assert(response.status() === 200, `HTTP ${response.status()}`);
    const body = await response.body();
    assert(body.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10])), "the body is not a PNG");
    assert((response.headers()["content-type"] ?? "").startsWith("image/png"), `content type ${response.headers()["content-type"]}`);
  });

  await check("the LoRA and bundle downloads answer 200", async () => {
    for (const id of ["download-lora", "download-bundle"]) {
      const href = await t(id).getAttribute("href");
      assert(Boolean(href), `${id} has no href`);
      const response = await context.request.get(new URL(/** @type {string} */ (href), page.url()).toString());
      assert(response.status() === 200, `${id}: HTTP ${response.status()}`);
    }
  });

  await check("the replay scrubber shows a past step", async () => {
    const scrubber = t("scrubber");
    const max = Number(await scrubber.getAttribute("max"));
    assert(max > 0, `scrubber max ${max}`);
    const steps = await page.locator('[data-testid="timeline"] .tl-cell').evaluateAll((cells) =>
      cells.map((c) => ({ n: Number(/** @type {HTMLElement} */ (c).dataset.n), phase: /** @type {HTMLElement} */ (c).dataset.phase })));
    const index = steps.findIndex((s) => s.phase === "DRAG");
    await scrubber.fill(String(index + 1));
    await until(async () => (await t("canvas").getAttribute("data-view")) === "frame", 10000, "a replayed frame");
    await shot(page, "09-replay");
    await t("live-button").click();
    await until(async () => (await t("canvas").getAttribute("data-view")) === "result", 10000, "the live view again");
  });

  await context.close();
});

// ---- scenarios 2 and 3: collaboration and view-only -----------------------------------------

/** @type {{editUrl: string, viewUrl: string, session: {id: string, token: string}}|null} */
let shared = null;
/** @type {{context: import("playwright-core").BrowserContext, page: import("playwright-core").Page, name: string}|null} */
let alice = null;

await scenario("scenario 2: two editors on one session", async () => {
  alice = await newUser("alice");
  const bob = await newUser("bob");
  const a = alice.page;
  const b = bob.page;

  const created = await check("alice creates a scene from the landing page", async () => {
    await a.goto(args.base);
    await tid(a)("scene-seed").fill("3");
    await tid(a)("scene-button").click();
    await a.waitForURL(/[?&]session=[^&]+&token=/, { timeout: 30000 });
    await waitEditorReady(a);
    const editUrl = await tid(a)("share-edit").inputValue();
    const viewUrl = await tid(a)("share-view").inputValue();
    return { editUrl, viewUrl, session: sessionOf(a) };
  });
  shared = created;

  await check("bob opens the edit link", async () => {
    await b.goto(created.editUrl);
    await waitEditorReady(b);
    assert(await tid(b)("btn-restart").isEnabled(), "bob's Restart button is disabled: bob cannot edit");
  });

  await check("both see each other in the participants list", async () => {
    await until(async () => (await participantRows(a)).some((p) => p.name === "bob" && p.canEdit), 15000, "bob in alice's list");
    await until(async () => (await participantRows(b)).some((p) => p.name === "alice" && p.canEdit), 15000, "alice in bob's list");
  });

  const before = await apiState(created.session);
  const taken = before.points.flatMap((/** @type {any} */ p) => [p.handle, p.target, p.start]);
  const free = (/** @type {number[]} */ v) => taken.every((/** @type {number[]} */ q) => Math.hypot(q[0] - v[0], q[1] - v[1]) > 8);
  /** @type {number[][]} */
  const spots = [];
  for (let y = 6; y < before.height - 4 && spots.length < 3; y += 5) {
    for (let x = 6; x < before.width - 4 && spots.length < 3; x += 5) {
      const v = [x, y];
      if (free(v) && spots.every((s) => Math.hypot(s[0] - x, s[1] - y) > 10)) spots.push(v);
    }
  }
  const [handle, target, moved] = spots;

  const newId = await check("alice adds a point, bob sees it appear", async () => {
    assert(spots.length === 3, "no free spots on the image");
    await clickImage(a, handle[0], handle[1]);
    await clickImage(a, target[0], target[1]);
    const row = await until(async () => (await pointRows(b)).find((r) => same(r.handle, handle) && same(r.target, target)),
      15000, "the new point in bob's list");
    await shot(a, "10-alice-added");
    await shot(b, "11-bob-sees");
    return row.id;
  });

  await check("bob moves the point's target, alice sees it move", async () => {
    await until(async () => (await tid(b)("canvas").getAttribute("data-pending")) !== "handle", 5000, "no half-made point");
    await dragImage(b, /** @type {[number, number]} */ (target), /** @type {[number, number]} */ (moved));
    await until(async () => (await pointRows(a)).some((r) => r.id === newId && same(r.target, moved)), 15000,
      "the moved target in alice's list");
    const state = await apiState(created.session);
    const p = state.points.find((/** @type {any} */ q) => q.id === newId);
    assert(p && same(p.target, moved), `the API point is ${JSON.stringify(p)}`);
  });

  await check("bob's cursor shows up for alice", async () => {
    for (const [x, y] of [[10, 10], [30, 20], [50, 50], [33, 44]]) {
      const [px, py] = await imagePoint(b, x, y);
      await b.mouse.move(px, py, { steps: 4 });
      await b.waitForTimeout(120);
    }
    const bobRow = await until(async () => {
      const row = (await participantRows(a)).find((p) => p.name === "bob");
      return row && row.cursor ? row : null;
    }, 10000, "bob's cursor in alice's view");
    const [cx, cy] = (bobRow.cursor ?? "").split(",").map(Number);
    assert(Math.abs(cx - 33.5) < 1.5 && Math.abs(cy - 44.5) < 1.5, `bob's cursor is at ${bobRow.cursor}, not near 33.5,44.5`);
    await shot(a, "12-alice-sees-bob-cursor");
  });

  await bob.context.close();
});

await scenario("scenario 3: a view-only client", async () => {
  await check("scenario 2 left a session to watch", async () => assert(shared !== null, "scenario 2 made no session"));
  const s = /** @type {NonNullable<typeof shared>} */ (shared);
  const viewer = await newUser("viewer");
  const v = viewer.page;

  const expected = await check("the view link opens the session and shows its points", async () => {
    await v.goto(s.viewUrl);
    await waitEditorReady(v);
    const state = await apiState(s.session);
    await until(async () => (await pointRows(v)).length === state.points.length, 15000,
      `${state.points.length} point rows`);
    assert(state.points.length > 0, "the session has no points");
    return state.points.length;
  });

  await check("the viewer is marked view only, also for the editor", async () => {
    await until(async () => (await participantRows(v)).some((p) => p.self && !p.canEdit), 10000, "the viewer's own view-only entry");
    await tid(v)("view-only-badge").first().waitFor({ state: "visible", timeout: 5000 });
    if (alice) {
      const a = alice.page;
      await until(async () => (await participantRows(a)).some((p) => p.name === "viewer" && !p.canEdit), 10000,
        "the viewer as view only in alice's list");
    }
  });

  await check("Start and the other controls are disabled for the viewer", async () => {
    for (const id of ["btn-start", "btn-pause", "btn-cancel", "btn-restart", "btn-undo", "set-prompt"]) {
      assert(await tid(v)(id).isDisabled(), `${id} is enabled`);
    }
  });

  await check("canvas clicks do not add points for the viewer", async () => {
    await clickImage(v, 5, 60);
    await clickImage(v, 15, 60);
    await v.waitForTimeout(1500);
    assert((await pointRows(v)).length === expected, "a point row appeared");
    const state = await apiState(s.session);
    assert(state.points.length === expected, `the API has ${state.points.length} points, not ${expected}`);
    await shot(v, "13-viewer");
  });

  await viewer.context.close();
});

if (alice) await /** @type {any} */ (alice).context.close();

// ---- scenarios 4 and 5: large images -------------------------------------------------------

/**
 * Chooses `image` on the landing page of `page`, with small budgets (DOO 5, RecLoRA 1), clicks
 * Upload and returns the server's answer to the POST: its status and body (read on the way to the
 * page, as the browser's copy of a body is not always kept).
 *
 * @param {import("playwright-core").Page} page
 * @param {string} image
 * @returns {Promise<{status: number, ok: boolean, body: string}>}
 */
async function uploadFromLanding(page, image) {
  const t = tid(page);
  await page.goto(args.base);
  await t("upload-button").waitFor({ state: "attached", timeout: 15000 });
  await t("upload-file").setInputFiles(image);
  await page.locator("#advanced > summary").click();
  await t("setting-steps").fill("5");
  await t("setting-reclora").fill("1");
  const isCreate = (/** @type {URL} */ u) => u.pathname.endsWith("/api/sessions");
  /** @type {(answer: {status: number, ok: boolean, body: string}) => void} */
  let answered = () => {};
  const answer = new Promise((resolve) => { answered = resolve; });
  await page.route(isCreate, async (route) => {
    if (route.request().method() !== "POST") return route.continue();
    const response = await route.fetch({ timeout: 120000 });
    const body = await response.text();
    answered({ status: response.status(), ok: response.ok(), body });
    return route.fulfill({ response, body });
  });
  try {
    await t("upload-button").click();
    return await Promise.race([answer, new Promise((_, reject) =>
      setTimeout(() => reject(new Error("no answer to POST /api/sessions in 120 s")), 120000))]);
  } finally {
    await page.unroute(isCreate);
  }
}

/**
 * Waits for the editor that an accepted upload opens and checks its session is `size`x`size`
 * with the budgets {@link uploadFromLanding} set.
 *
 * @param {import("playwright-core").Page} page
 * @param {number} size
 */
async function openedSession(page, size) {
  await page.waitForURL(/[?&]session=[^&]+&token=/, { timeout: 60000 });
  await waitEditorReady(page);
  const s = sessionOf(page);
  const state = await apiState(s);
  assert(state.width === size && state.height === size, `the session is ${state.width}x${state.height}, not ${size}x${size}`);
  assert(state.maxSteps === 5, `maxSteps is ${state.maxSteps}, not 5`);
  assert(state.recLoraSteps === 1, `recLoraSteps is ${state.recLoraSteps}, not 1`);
  return s;
}

/**
 * The checks of an open `size`x`size` session: the whole image is shown fitted in the viewport,
 * clicked points and a mask stroke land on the right image-pixel coordinates, Cancel cancels.
 *
 * @param {{context: import("playwright-core").BrowserContext, page: import("playwright-core").Page}} user
 * @param {{id: string, token: string}} session
 * @param {number} size
 * @param {string} screenshot
 */
async function largeImageChecks(user, session, size, screenshot) {
  const { context, page } = user;
  const t = tid(page);
  const viewport = /** @type {{width: number, height: number}} */ (page.viewportSize());
  const dims = `${size}x${size}`;
  /** Handle and target as fractions of the displayed canvas (CSS pixels), and the mask stroke. */
  const handleAt = [0.3, 0.4];
  const targetAt = [0.65, 0.55];
  const strokeFrom = [0.45, 0.25];
  const strokeTo = [0.7, 0.3];

  /** @type {{x: number, y: number, width: number, height: number}} */
  const box = await check(`the canvas shows the whole ${dims} image at a size that fits the viewport`, async () => {
    const canvas = t("canvas");
    await until(async () => (await canvas.getAttribute("data-view")) === "input", 30000, "the input image on the canvas");
    assert(Number(await canvas.getAttribute("data-image-width")) === size && Number(await canvas.getAttribute("data-image-height")) === size,
      `the canvas does not report a ${dims} image`);
    await page.evaluate(() => window.scrollTo(0, 0));
    const b = await canvas.boundingBox();
    assert(b !== null, "the canvas is not laid out");
    const r = /** @type {{x: number, y: number, width: number, height: number}} */ (b);
    const where = `canvas box ${JSON.stringify(r)}, viewport ${viewport.width}x${viewport.height}`;
    assert(r.x >= 0 && r.y >= 0 && r.x + r.width <= viewport.width && r.y + r.height <= viewport.height, `not inside the viewport: ${where}`);
    // The editor shows images at about 512 CSS px (smaller ones scaled up by a whole factor).
    assert(r.width >= 256 && r.width <= 512 + 1, `display width ${r.width} CSS px for ${size} image pixels (too large or tiny): ${where}`);
    assert(Math.abs(r.width - r.height) <= 1, `not square: ${where}`);
    // Not cropped: the stage (the canvas's container) holds the whole canvas, and the backing store is not tiny.
    const stage = await page.locator("#stage").boundingBox();
    assert(stage !== null, "the stage is not laid out");
    const st = /** @type {{x: number, y: number, width: number, height: number}} */ (stage);
    assert(r.x >= st.x - 0.5 && r.y >= st.y - 0.5 && r.x + r.width <= st.x + st.width + 0.5 && r.y + r.height <= st.y + st.height + 0.5,
      `the canvas overflows its stage ${JSON.stringify(st)}: ${where}`);
    const backing = await canvas.evaluate((c) => [/** @type {HTMLCanvasElement} */ (c).width, /** @type {HTMLCanvasElement} */ (c).height]);
    assert(backing[0] >= r.width - 1 && backing[1] >= r.height - 1, `canvas backing store ${backing} is smaller than its box: ${where}`);
    return r;
  });

  /** Image pixel expected under a canvas fraction (pixel i spans [i, i+1) in image space). */
  const expected = (/** @type {number[]} */ f) => [Math.floor(f[0] * size), Math.floor(f[1] * size)];
  /** Page position of a canvas fraction. */
  const at = (/** @type {number[]} */ f) => [box.x + f[0] * box.width, box.y + f[1] * box.height];
  const near = (/** @type {number[]} */ a, /** @type {number[]} */ b) => Math.abs(a[0] - b[0]) <= 1.5 && Math.abs(a[1] - b[1]) <= 1.5;

  await check(`a handle and a target clicked on the canvas land on the right ${size}-pixel coordinates`, async () => {
    await t("tool-points").check();
    const [hx, hy] = at(handleAt);
    const [tx, ty] = at(targetAt);
    await page.mouse.click(hx, hy);
    await page.mouse.click(tx, ty);
    const state = await until(async () => {
      const s = await apiState(session);
      return s.points.length === 1 ? s : null;
    }, 20000, "one point in GET /api/sessions/{id}");
    const p = state.points[0];
    const want = { handle: expected(handleAt), target: expected(targetAt) };
    assert(near(p.handle, want.handle) && near(p.target, want.target),
      `the API point is handle ${p.handle} target ${p.target}, expected about ${want.handle} and ${want.target}`);
    const rows = await pointRows(page);
    assert(rows.length === 1 && same(rows[0].handle, p.handle) && same(rows[0].target, p.target),
      `the point list shows ${JSON.stringify(rows)}`);
  });

  await check(`a mask stroke lands on the right ${size}-pixel region`, async () => {
    await t("tool-brush").check();
    const [ax, ay] = at(strokeFrom);
    const [bx, by] = at(strokeTo);
    await page.mouse.move(ax, ay);
    await page.mouse.down();
    await page.mouse.move(bx, by, { steps: 12 });
    await page.mouse.up();
    const state = await until(async () => {
      const s = await apiState(session);
      return s.mask ? s : null;
    }, 20000, "the mask in the session state");
    const response = await context.request.get(
      new URL(`api/sessions/${session.id}/mask.png?token=${session.token}&h=${state.mask}`, args.base).toString());
    assert(response.status() === 200, `mask.png: HTTP ${response.status()}`);
    const mask = decodePng(await response.body());
    assert(mask.width === size && mask.height === size, `the mask is ${mask.width}x${mask.height}, not ${dims}`);
    const on = (/** @type {number[]} */ v) => mask.pixels[(v[1] * mask.width + v[0]) * mask.channels] > 127;
    const mid = expected([(strokeFrom[0] + strokeTo[0]) / 2, (strokeFrom[1] + strokeTo[1]) / 2]);
    for (const v of [expected(strokeFrom), mid, expected(strokeTo)]) assert(on(v), `mask pixel ${v} on the stroke is not set`);
    const below = [mid[0], mid[1] + Math.round((80 * size) / 512)];
    for (const v of [[5, 5], [size - 6, size - 6], expected(handleAt), below]) assert(!on(v), `mask pixel ${v} off the stroke is set`);
    await t("tool-points").check();
    await shot(page, screenshot);
  });

  await check("Cancel in the UI cancels the session", async () => {
    await until(async () => t("btn-cancel").isEnabled(), 10000, "an enabled Cancel button");
    await t("btn-cancel").click();
    await until(async () => (await apiState(session)).status === "cancelled", 20000, "status cancelled in the API state");
    await until(async () => (await statusText(page)) === "cancelled", 10000, "status cancelled in the page");
  });
}

await scenario("scenario 4: a 128x128 image: fitted display, 128-pixel points and mask, cancel", async () => {
  if (!args.image128) {
    console.log("ok - # SKIP no --image128");
    return;
  }
  const user = await newUser("e2e-128");
  const session = await check("upload the 128x128 image with small budgets (DOO 5, RecLoRA 1)", async () => {
    const response = await uploadFromLanding(user.page, args.image128);
    assert(response.ok, `POST /api/sessions: HTTP ${response.status} ${response.body}`);
    return openedSession(user.page, 128);
  });
  await largeImageChecks(user, session, 128, "14-large");
  await user.context.close();
});

await scenario("scenario 5: a 512x512 image: refused by a small model, or edited like scenario 4", async () => {
  if (!args.image512) {
    console.log("ok - # SKIP no --image512");
    return;
  }
  const user = await newUser("e2e-512");
  const page = user.page;
  const t = tid(page);
  const response = await check("upload the 512x512 image through the landing page", async () => uploadFromLanding(page, args.image512));

  if (response.status === 400) {
    await check("a 512x512 upload to a small model is refused with the server's message", async () => {
      /** @type {any} */
      let body = null;
      try {
        body = JSON.parse(response.body);
      } catch {
        // reported below
      }
      const error = typeof body?.error === "string" ? body.error : "";
      assert(error.includes("at most"), `the server's 400 answer has no "at most" error: ${response.body}`);
      const shown = await until(async () => {
        const texts = await page.locator('[data-testid="toast"]:visible, [data-testid="banner"]:visible').allTextContents();
        return texts.find((s) => s.includes("at most")) ?? null;
      }, 10000, "a visible toast or banner with the server's message");
      assert(shown.includes(error), `the page shows "${shown}", not the server's message "${error}"`);
      await page.waitForTimeout(1000);
      assert(!new URL(page.url()).searchParams.has("session"), `a session was opened: ${page.url()}`);
      assert(await page.locator("#landing").isVisible(), "the landing page is no longer shown");
      assert(await t("editor").isHidden(), "the editor is shown");
      await shot(page, "15-refused");
    });
  } else {
    const session = await check(`the server accepts the 512x512 upload (HTTP ${response.status}) and opens the editor`, async () => {
      assert(response.ok, `POST /api/sessions: HTTP ${response.status} ${response.body}`);
      return openedSession(page, 512);
    });
    await largeImageChecks(user, session, 512, "15-sd512");
  }
  await user.context.close();
});

await browser.close();

if (pageErrors.length) {
  failed++;
  console.log(`not ok - no uncaught errors in the pages\n#   ${pageErrors.join("\n#   ")}`);
} else {
  passed++;
  console.log("ok - no uncaught errors in the pages");
}
console.log(`# ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
