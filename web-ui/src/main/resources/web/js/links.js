// Share links (edit and view-only, with copy buttons) and the download links of a session.

import { el } from "./dom.js";
import { toast } from "./notify.js";

/** @typedef {import("./api.js").SessionApi} SessionApi */

const TOKENS_KEY = "draglora.tokens.";

/**
 * Remembers a session's tokens in this browser, so the creator sees both links after a reload.
 *
 * @param {string} id
 * @param {string} editToken
 * @param {string} viewToken
 */
export function rememberTokens(id, editToken, viewToken) {
  try {
    localStorage.setItem(TOKENS_KEY + id, JSON.stringify({ editToken, viewToken }));
  } catch {
    // not kept
  }
}

/**
 * The tokens remembered for session `id`, if any.
 *
 * @param {string} id
 * @returns {{editToken: string, viewToken: string}|null}
 */
export function rememberedTokens(id) {
  try {
    const raw = localStorage.getItem(TOKENS_KEY + id);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

/**
 * The editor link of a session with `token`, on the page's own origin and path.
 *
 * @param {string} id
 * @param {string} token
 */
export function shareUrl(id, token) {
  const u = new URL(window.location.pathname, window.location.origin);
  u.search = new URLSearchParams({ session: id, token }).toString();
  return u.toString();
}

/**
 * @param {HTMLElement} root
 * @param {string} id
 * @param {string} token this client's token
 * @param {boolean} canEdit
 * @param {string|null} [viewToken] the view token the server tells editors
 */
export function renderShareLinks(root, id, token, canEdit, viewToken = null) {
  const known = rememberedTokens(id);
  /** @type {[string, string, string|null][]} label, test id, token */
  const rows = [];
  if (canEdit) {
    rows.push(["Edit link", "share-edit", token]);
    rows.push(["View-only link", "share-view",
      viewToken ?? (known && known.editToken === token ? known.viewToken : null)]);
  } else {
    rows.push(["View-only link", "share-view", token]);
  }
  root.replaceChildren(
    ...rows.map(([label, testId, t]) => {
      const inputId = `${testId}-url`;
      if (!t) {
        return el("div", { class: "share-row" }, el("span", { class: "share-label" }, label),
          el("span", { class: "muted small" }, "known only to the session's creator"));
      }
      const url = shareUrl(id, t);
      const input = /** @type {HTMLInputElement} */ (el("input", {
        id: inputId, type: "text", readonly: true, value: url, "data-testid": testId, "aria-label": label,
      }));
      input.value = url;
      input.addEventListener("focus", () => input.select());
      return el("div", { class: "share-row" },
        el("label", { class: "share-label", for: inputId }, label),
        el("div", { class: "share-field" }, input,
          el("button", {
            type: "button", class: "button small", "data-testid": `${testId}-copy`,
            onclick: () => copy(url, label),
          }, "Copy")));
    }),
  );
}

/**
 * @param {string} text
 * @param {string} what
 */
async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    toast(`${what} copied`, "info");
  } catch {
    toast(`Copying needs a secure page; select the ${what.toLowerCase()} and copy it by hand.`, "info");
  }
}

/**
 * Points the download links at the session and enables those that exist.
 *
 * @param {SessionApi} api
 * @param {boolean} finished whether the result (and the LoRA) exist
 * @param {number} revision cache-busting for the result
 */
export function updateDownloads(api, finished, revision) {
  /** @type {[string, string, boolean, Record<string, string|number>][]} */
  const links = [
    ["download-result", "/result.png", finished, { r: revision }],
    ["download-lora", "/lora.safetensors", finished, { r: revision }],
    ["download-bundle", "/bundle.zip", true, {}],
  ];
  for (const [testId, path, enabled, extra] of links) {
    const a = /** @type {HTMLAnchorElement|null} */ (document.querySelector(`[data-testid="${testId}"]`));
    if (!a) continue;
    if (enabled) {
      a.href = api.tokenUrl(path, extra);
      a.removeAttribute("aria-disabled");
      a.tabIndex = 0;
    } else {
      a.removeAttribute("href");
      a.setAttribute("aria-disabled", "true");
      a.tabIndex = -1;
    }
  }
}
