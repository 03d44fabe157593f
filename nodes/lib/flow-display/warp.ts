import { createImage, type RgbaImage } from "../../core/image";

/**
 * Warps the reference (garment) image by an upsampled flow (leffa.md §3.1 step 6): for each output
 * pixel, a bilinear `grid_sample` of the reference at the flow's (x, y), align_corners=True, so
 * x = −1 is the centre of column 0 and x = +1 the centre of column W_ref − 1 (likewise y and rows):
 * px = (x + 1) / 2 · (W_ref − 1). This is the convention the flow coordinates are built with
 * (`coordinateGrid`), so the identity grid reproduces the image exactly.
 *
 * Taps that fall outside the reference read opaque white, like torch's padding_mode="zeros"
 * with white instead of zero: Leffa's garment photos lie on a white studio background, so a flow
 * pointing past the edge shows as background rather than as a dark seam. All four channels are
 * interpolated as stored (straight alpha); reference images are opaque in practice.
 */
export function warpByFlow(
  reference: RgbaImage,
  flowUp: Float32Array,
  width: number,
  height: number,
): RgbaImage {
  if (flowUp.length !== width * height * 2) {
    throw new Error(
      `warpByFlow: the flow has ${flowUp.length} values, expected ${width}×${height}×2 = ${width * height * 2}`,
    );
  }
  const out = createImage(width, height);
  const d = out.data;
  const s = reference.data;
  const rw = reference.width;
  const rh = reference.height;
  // A reference of one column or row maps every coordinate to that column or row.
  const sx = (rw - 1) / 2;
  const sy = (rh - 1) / 2;
  for (let i = 0, n = width * height; i < n; i++) {
    const px = (flowUp[2 * i] + 1) * sx;
    const py = (flowUp[2 * i + 1] + 1) * sy;
    const o = i * 4;
    // NaN fails both comparisons, so an undefined flow also reads white.
    if (!(px > -1 && px < rw && py > -1 && py < rh)) {
      d[o] = d[o + 1] = d[o + 2] = d[o + 3] = 255;
      continue;
    }
    const x0 = Math.floor(px);
    const y0 = Math.floor(py);
    const fx = px - x0;
    const fy = py - y0;
    const w00 = (1 - fx) * (1 - fy);
    const w10 = fx * (1 - fy);
    const w01 = (1 - fx) * fy;
    const w11 = fx * fy;
    if (x0 >= 0 && y0 >= 0 && x0 + 1 < rw && y0 + 1 < rh) {
      // The common case: all four taps inside.
      const p00 = (y0 * rw + x0) * 4;
      const p10 = p00 + 4;
      const p01 = p00 + rw * 4;
      const p11 = p01 + 4;
      // Unrolled: this loop is most of a 1024×768 warp's time.
      d[o] = w00 * s[p00] + w10 * s[p10] + w01 * s[p01] + w11 * s[p11];
      d[o + 1] = w00 * s[p00 + 1] + w10 * s[p10 + 1] + w01 * s[p01 + 1] + w11 * s[p11 + 1];
      d[o + 2] = w00 * s[p00 + 2] + w10 * s[p10 + 2] + w01 * s[p01 + 2] + w11 * s[p11 + 2];
      d[o + 3] = w00 * s[p00 + 3] + w10 * s[p10 + 3] + w01 * s[p01 + 3] + w11 * s[p11 + 3];
      continue;
    }
    // Near the border (or on the last column/row, where the upper tap has weight 0 but may lie
    // outside): read each tap, white when outside.
    for (let c = 0; c < 4; c++) {
      d[o + c] =
        w00 * tap(s, rw, rh, x0, y0, c) +
        w10 * tap(s, rw, rh, x0 + 1, y0, c) +
        w01 * tap(s, rw, rh, x0, y0 + 1, c) +
        w11 * tap(s, rw, rh, x0 + 1, y0 + 1, c);
    }
  }
  return out;
}

function tap(
  s: Uint8ClampedArray,
  rw: number,
  rh: number,
  x: number,
  y: number,
  c: number,
): number {
  return x < 0 || y < 0 || x >= rw || y >= rh ? 255 : s[(y * rw + x) * 4 + c];
}
