// The editable-region mask at image resolution: painted locally (brush and eraser), encoded as the
// PNG the server takes (white = may change, black = keep) and decoded from `mask.png`.

/** The tint of the editable region (RGBA) in the overlay. */
const TINT = [56, 189, 248, 80];

export class MaskLayer {
  /**
   * @param {number} width
   * @param {number} height
   */
  constructor(width, height) {
    this.width = width;
    this.height = height;
    /** 1 where the image may change. */
    this.bits = new Uint8Array(width * height);
    /** The tinted overlay, image-sized; drawn scaled over the image. */
    this.overlay = document.createElement("canvas");
    this.overlay.width = width;
    this.overlay.height = height;
    this.dirty = true;
    /** The server's mask hash that `bits` shows (null = empty). */
    this.hash = /** @type {string|null} */ (null);
  }

  /** Whether no pixel is editable. */
  isEmpty() {
    return !this.bits.some((b) => b !== 0);
  }

  clear() {
    this.bits.fill(0);
    this.dirty = true;
  }

  /**
   * Paints (value 1) or erases (value 0) a disc of `radius` image pixels around (cx, cy).
   *
   * @param {number} cx
   * @param {number} cy
   * @param {number} radius
   * @param {0|1} value
   */
  stamp(cx, cy, radius, value) {
    const r = Math.max(0.5, radius);
    const x0 = Math.max(0, Math.floor(cx - r));
    const x1 = Math.min(this.width - 1, Math.ceil(cx + r));
    const y0 = Math.max(0, Math.floor(cy - r));
    const y1 = Math.min(this.height - 1, Math.ceil(cy + r));
    const r2 = r * r;
    for (let y = y0; y <= y1; y++) {
      const dy = y + 0.5 - cy;
      for (let x = x0; x <= x1; x++) {
        const dx = x + 0.5 - cx;
        if (dx * dx + dy * dy <= r2) this.bits[y * this.width + x] = value;
      }
    }
    this.dirty = true;
  }

  /**
   * Paints a stroke segment from (ax, ay) to (bx, by).
   *
   * @param {number} ax
   * @param {number} ay
   * @param {number} bx
   * @param {number} by
   * @param {number} radius
   * @param {0|1} value
   */
  line(ax, ay, bx, by, radius, value) {
    const length = Math.hypot(bx - ax, by - ay);
    const step = Math.max(0.25, radius / 2);
    const n = Math.max(1, Math.ceil(length / step));
    for (let i = 0; i <= n; i++) {
      const t = i / n;
      this.stamp(ax + (bx - ax) * t, ay + (by - ay) * t, radius, value);
    }
  }

  /** The tinted overlay canvas, rebuilt when the bits changed. */
  overlayCanvas() {
    if (this.dirty) {
      const ctx = /** @type {CanvasRenderingContext2D} */ (this.overlay.getContext("2d"));
      const image = ctx.createImageData(this.width, this.height);
      const data = image.data;
      for (let i = 0; i < this.bits.length; i++) {
        if (this.bits[i]) {
          const o = i * 4;
          data[o] = TINT[0];
          data[o + 1] = TINT[1];
          data[o + 2] = TINT[2];
          data[o + 3] = TINT[3];
        }
      }
      ctx.putImageData(image, 0, 0);
      this.dirty = false;
    }
    return this.overlay;
  }

  /** The mask as base64 PNG (no data-URL prefix), or null when empty. */
  toPngBase64() {
    if (this.isEmpty()) return null;
    const canvas = document.createElement("canvas");
    canvas.width = this.width;
    canvas.height = this.height;
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
    const image = ctx.createImageData(this.width, this.height);
    const data = image.data;
    for (let i = 0; i < this.bits.length; i++) {
      const v = this.bits[i] ? 255 : 0;
      const o = i * 4;
      data[o] = v;
      data[o + 1] = v;
      data[o + 2] = v;
      data[o + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
    return canvas.toDataURL("image/png").slice("data:image/png;base64,".length);
  }

  /**
   * Replaces the bits with a decoded mask image (any channel > 127 = editable).
   *
   * @param {CanvasImageSource} image of the image's size
   */
  load(image) {
    const canvas = document.createElement("canvas");
    canvas.width = this.width;
    canvas.height = this.height;
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d", { willReadFrequently: true }));
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(image, 0, 0, this.width, this.height);
    const data = ctx.getImageData(0, 0, this.width, this.height).data;
    for (let i = 0; i < this.bits.length; i++) {
      const o = i * 4;
      const editable = data[o + 3] > 127 && (data[o] > 127 || data[o + 1] > 127 || data[o + 2] > 127);
      this.bits[i] = editable ? 1 : 0;
    }
    this.dirty = true;
  }
}
