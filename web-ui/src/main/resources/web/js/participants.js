// The participants list (name, colour, view-only badge) and this browser's name, kept in
// localStorage.

import { el } from "./dom.js";

/**
 * @typedef {Object} Participant
 * @property {string} id
 * @property {string} name
 * @property {string} colour
 * @property {boolean} canEdit
 * @property {[number, number]|null} cursor
 */

const NAME_KEY = "draglora.name";

/** This browser's participant name: the stored one, else a new `guest-XXXX` (stored). */
export function loadName() {
  let name = null;
  try {
    name = localStorage.getItem(NAME_KEY);
  } catch {
    // storage may be off; a fresh guest name each time then
  }
  if (!name || !name.trim()) {
    name = `guest-${Math.floor(Math.random() * 0x10000).toString(16).padStart(4, "0")}`;
    saveName(name);
  }
  return name;
}

/** @param {string} name */
export function saveName(name) {
  try {
    localStorage.setItem(NAME_KEY, name);
  } catch {
    // not kept
  }
}

export class ParticipantsPanel {
  /** @param {HTMLElement} root */
  constructor(root) {
    this.root = root;
  }

  /**
   * @param {Participant[]} participants
   * @param {string|null} selfId
   */
  render(participants, selfId) {
    this.root.dataset.count = String(participants.length);
    if (!participants.length) {
      this.root.replaceChildren(el("li", { class: "muted" }, "Not connected."));
      return;
    }
    this.root.replaceChildren(
      ...participants.map((p) =>
        el(
          "li",
          {
            class: "participant",
            "data-testid": "participant",
            dataset: {
              participantId: p.id,
              name: p.name,
              canEdit: String(p.canEdit),
              cursor: p.cursor ? p.cursor.map((c) => c.toFixed(1)).join(",") : "",
              self: String(p.id === selfId),
            },
          },
          el("span", { class: "dot", style: `background:${p.colour}`, "aria-hidden": "true" }),
          el("span", { class: "participant-name" }, p.name),
          p.id === selfId ? el("span", { class: "badge" }, "you") : null,
          p.canEdit ? null : el("span", { class: "badge badge-view", "data-testid": "view-only-badge" }, "view only"),
        ),
      ),
    );
  }
}
