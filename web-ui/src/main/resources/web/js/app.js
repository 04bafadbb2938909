// Placeholder page logic: asks the server for its health and shows the answer.

/**
 * @typedef {Object} Health
 * @property {string} status  "ok" when the server is up
 * @property {string} version the server's version
 */

/** @returns {Promise<Health>} */
async function fetchHealth() {
  const response = await fetch("api/health", { headers: { Accept: "application/json" } });
  if (!response.ok) {
    throw new Error(`HTTP ${response.status}`);
  }
  return response.json();
}

/**
 * @param {HTMLElement} element
 * @param {"ok" | "error" | "pending"} state
 * @param {string} text
 */
function show(element, state, text) {
  element.className = `status status-${state}`;
  element.textContent = text;
}

async function main() {
  const status = document.getElementById("status");
  try {
    const health = await fetchHealth();
    show(status, health.status === "ok" ? "ok" : "error", `${health.status} (draglora ${health.version})`);
  } catch (error) {
    show(status, "error", `unreachable: ${error.message}`);
  }
}

main();
