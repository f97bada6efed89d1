/** Bilinear resize of an HWC float image (half-pixel centres, edge clamped; no antialiasing). */
export function resizeImageBilinear(src: Float32Array, h: number, w: number, channels: number, oh: number, ow: number): Float32Array {
  const out = new Float32Array(oh * ow * channels);
  const sy = h / oh, sx = w / ow;
  for (let y = 0; y < oh; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy), y1 = Math.min(y0 + 1, h - 1), dy = fy - y0;
    for (let x = 0; x < ow; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx), x1 = Math.min(x0 + 1, w - 1), dx = fx - x0;
      const a = (y0 * w + x0) * channels, b = (y0 * w + x1) * channels, c = (y1 * w + x0) * channels, d = (y1 * w + x1) * channels;
      const o = (y * ow + x) * channels;
      for (let k = 0; k < channels; k++) {
        const top = src[a + k] + (src[b + k] - src[a + k]) * dx;
        const bottom = src[c + k] + (src[d + k] - src[c + k]) * dx;
        out[o + k] = top + (bottom - top) * dy;
      }
    }
  }
  return out;
}

/** Nearest-neighbour resize of an HW map (labels, flags): no value is invented. */
export function resizeLabelsNearest(src: Uint8Array, h: number, w: number, oh: number, ow: number): Uint8Array {
  const out = new Uint8Array(oh * ow);
  const xs = new Int32Array(ow);
  for (let x = 0; x < ow; x++) xs[x] = Math.min(Math.floor((x + 0.5) * (w / ow)), w - 1);
  for (let y = 0; y < oh; y++) {
    const row = Math.min(Math.floor((y + 0.5) * (h / oh)), h - 1) * w;
    for (let x = 0; x < ow; x++) out[y * ow + x] = src[row + xs[x]];
  }
  return out;
}
