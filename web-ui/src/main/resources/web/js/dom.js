// Small DOM helpers shared by the views.

/**
 * Creates an element.
 *
 * @param {string} tag
 * @param {Record<string, any>} [attrs] attributes; `class`, `text`, `dataset` and `on*` handlers are special
 * @param {...(Node|string|null|undefined|false)} children
 * @returns {HTMLElement}
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child);
  }
  return node;
}

/**
 * The element with `id`; throws when it is missing (a broken page should fail loudly).
 *
 * @template {HTMLElement} T
 * @param {string} id
 * @returns {T}
 */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing element #${id}`);
  return /** @type {T} */ (node);
}

/**
 * Formats a number for the status line: `—` for null/NaN, else `digits` decimals.
 *
 * @param {number|null|undefined} value
 * @param {number} [digits]
 */
export function fmt(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return Number(value).toFixed(digits);
}

/**
 * Calls `fn` at most once per `ms`, always delivering the last arguments.
 *
 * @template {any[]} A
 * @param {(...args: A) => void} fn
 * @param {number} ms
 * @returns {(...args: A) => void}
 */
export function throttle(fn, ms) {
  let last = 0;
  /** @type {ReturnType<typeof setTimeout>|null} */
  let timer = null;
  /** @type {A|null} */
  let pending = null;
  return (...args) => {
    const now = performance.now();
    pending = args;
    if (now - last >= ms) {
      last = now;
      pending = null;
      fn(...args);
    } else if (!timer) {
      timer = setTimeout(() => {
        timer = null;
        last = performance.now();
        if (pending) {
          const a = pending;
          pending = null;
          fn(...a);
        }
      }, ms - (now - last));
    }
  };
}
