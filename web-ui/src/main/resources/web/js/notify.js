// Visible messages: short-lived toasts for refused commands and HTTP errors, and a banner that
// stays for failures of the edit itself.

import { byId, el } from "./dom.js";

/**
 * Shows a toast for a few seconds.
 *
 * @param {string} message
 * @param {"error"|"info"} [kind]
 */
export function toast(message, kind = "error") {
  const box = byId("toasts");
  const node = el("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status", "data-testid": "toast" },
    el("span", {}, message),
    el("button", { type: "button", class: "icon-button", "aria-label": "Dismiss", onclick: () => node.remove() }, "×"));
  box.append(node);
  while (box.children.length > 4) box.firstElementChild?.remove();
  setTimeout(() => node.remove(), kind === "error" ? 8000 : 4000);
}

/**
 * Shows (or with null hides) the banner.
 *
 * @param {string|null} message
 */
export function banner(message) {
  const node = byId("banner");
  node.hidden = !message;
  node.textContent = message ?? "";
}
