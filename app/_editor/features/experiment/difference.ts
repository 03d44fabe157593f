/** RGBA pixels as canvases give them (ImageData-like), width × height × 4 bytes. */
export interface Pixels {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray | Uint8Array;
}

export interface Difference {
  /** |a − b| per colour channel, amplified by `gain` so small changes show; opaque. */
  readonly image: { width: number; height: number; data: Uint8ClampedArray<ArrayBuffer> };
  /** Mean absolute difference over the RGB channels, 0–255. */
  readonly mean: number;
  /** Share of pixels where any channel differs. */
  readonly changed: number;
}

/**
 * The difference image of two sweep cells. Cells of different sizes (a Resize on an axis) are
 * compared over the top-left area they share, as the wipe view lays them over each other;
 * the rest is drawn black and left out of the figures.
 */
export function differenceImage(a: Pixels, b: Pixels, gain = 4): Difference {
  const width = Math.max(a.width, b.width);
  const height = Math.max(a.height, b.height);
  const w = Math.min(a.width, b.width);
  const h = Math.min(a.height, b.height);
  const data = new Uint8ClampedArray(width * height * 4);
  let sum = 0;
  let changed = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      data[o + 3] = 255;
      if (x >= w || y >= h) continue;
      const ia = (y * a.width + x) * 4;
      const ib = (y * b.width + x) * 4;
      let any = false;
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(a.data[ia + c] - b.data[ib + c]);
        sum += d;
        if (d) any = true;
        data[o + c] = d * gain;
      }
      if (any) changed++;
    }
  }
  const shared = w * h;
  return {
    image: { width, height, data },
    mean: shared ? sum / (shared * 3) : 0,
    changed: shared ? changed / shared : 0,
  };
}
