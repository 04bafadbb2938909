// The landing view: upload an image or generate a scene, with the creation settings under
// "Advanced".

import { byId } from "./dom.js";
import { createFromImage, createScene } from "./api.js";
import { toast } from "./notify.js";

/** @typedef {import("./api.js").Created} Created */
/** @typedef {import("./api.js").CreateSettings} CreateSettings */

/** @returns {CreateSettings} */
function readSettings() {
  /** @param {string} id */
  const num = (id) => {
    const v = /** @type {HTMLInputElement} */ (byId(id)).value.trim();
    return v === "" ? null : Number(v);
  };
  return {
    prompt: /** @type {HTMLInputElement} */ (byId("setting-prompt")).value.trim(),
    method: /** @type {HTMLSelectElement} */ (byId("setting-method")).value,
    seed: num("setting-seed"),
    steps: num("setting-steps"),
    recloraSteps: num("setting-reclora"),
  };
}

/**
 * Wires the landing forms; `onCreated` gets each new session.
 *
 * @param {(created: Created) => void} onCreated
 */
export function initLanding(onCreated) {
  const uploadForm = /** @type {HTMLFormElement} */ (byId("upload-form"));
  const sceneForm = /** @type {HTMLFormElement} */ (byId("scene-form"));
  const fileInput = /** @type {HTMLInputElement} */ (byId("upload-file"));
  const uploadButton = /** @type {HTMLButtonElement} */ (byId("upload-button"));
  const sceneButton = /** @type {HTMLButtonElement} */ (byId("scene-button"));
  const fileName = byId("upload-file-name");

  const syncUpload = () => {
    const file = fileInput.files?.[0];
    uploadButton.disabled = !file;
    fileName.textContent = file ? `${file.name} (${Math.ceil(file.size / 1024)} KiB)` : "No file chosen";
  };
  fileInput.addEventListener("change", syncUpload);
  syncUpload();

  /**
   * @param {HTMLButtonElement} button
   * @param {() => Promise<Created>} create
   */
  const run = async (button, create) => {
    const label = button.textContent;
    uploadButton.disabled = true;
    sceneButton.disabled = true;
    button.textContent = "Creating…";
    try {
      onCreated(await create());
    } catch (error) {
      toast(`Could not create the session: ${/** @type {Error} */ (error).message}`);
    } finally {
      button.textContent = label;
      sceneButton.disabled = false;
      syncUpload();
    }
  };

  uploadForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const file = fileInput.files?.[0];
    if (!file) {
      toast("Choose a PNG or JPEG file first.");
      return;
    }
    if (file.type && !/^image\/(png|jpeg)$/.test(file.type)) {
      toast(`${file.name} is not a PNG or JPEG image.`);
      return;
    }
    run(uploadButton, () => createFromImage(file, readSettings()));
  });

  sceneForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const seed = Number(/** @type {HTMLInputElement} */ (byId("scene-seed")).value || "0");
    if (!Number.isInteger(seed) || seed < 0) {
      toast("The scene seed is a whole number, 0 or more.");
      return;
    }
    run(sceneButton, () => createScene(seed, readSettings()));
  });
}
