import { checkGridSize } from "../flow/coordinate-grid";
import { bilinearTaps } from "../resample";

/**
 * Bilinear upsampling of a layer's token grid to the result image (leffa.md §3.1 step 5), with
 * torch `F.interpolate(mode="bilinear", align_corners=False)` semantics so the pictures match
 * what the Leffa loss warped with during training:
 * - token c of a grid of n covers the image span [c·W/n, (c+1)·W/n): its value sits at that
 *   span's centre, and output pixel x (centre x + 0.5) reads source position
 *   s = (x + 0.5) · n / W − 0.5;
 * - s below 0 clamps to 0 and the upper neighbour clamps to n − 1, so the outer half-token rim
 *   repeats the edge value instead of extrapolating;
 * - the result is (1 − f) · v[⌊s⌋] + f · v[⌊s⌋ + 1], f = s − ⌊s⌋, per axis (separable).
 * Works for any size ratio, but like torch it does not low-pass when shrinking.
 */

interface AxisTaps {
  readonly lower: Int32Array;
  readonly upper: Int32Array;
  readonly fraction: Float32Array;
}

/** Source neighbours and weights for each output index of one axis (torch, align_corners=False). */
export function bilinearAxis(sourceLength: number, outputLength: number): AxisTaps {
  const { i0, i1, w1 } = bilinearTaps(sourceLength, outputLength, false);
  return { lower: i0, upper: i1, fraction: w1 };
}

/**
 * Upsamples `values`, [gridHeight · gridWidth · channels] row-major with interleaved channels, to
 * [height · width · channels].
 */
export function upsampleBilinear(
  values: Float32Array,
  channels: number,
  gridWidth: number,
  gridHeight: number,
  width: number,
  height: number,
): Float32Array {
  checkGridSize(gridWidth, gridHeight);
  checkGridSize(width, height);
  if (!Number.isInteger(channels) || channels < 1) {
    throw new Error(`channels must be a positive integer, got ${channels}`);
  }
  const expected = gridWidth * gridHeight * channels;
  if (values.length !== expected) {
    throw new Error(
      `upsample: got ${values.length} values, expected ${gridWidth}×${gridHeight}×${channels} = ${expected}`,
    );
  }
  const tx = bilinearAxis(gridWidth, width);
  const ty = bilinearAxis(gridHeight, height);
  // Horizontal pass per source row first (gridHeight rows, cheap), then the vertical blend.
  const rows = new Float32Array(gridHeight * width * channels);
  for (let r = 0; r < gridHeight; r++) {
    const src = r * gridWidth * channels;
    const dst = r * width * channels;
    for (let x = 0; x < width; x++) {
      const a = src + tx.lower[x] * channels;
      const b = src + tx.upper[x] * channels;
      const f = tx.fraction[x];
      for (let c = 0; c < channels; c++) {
        rows[dst + x * channels + c] = values[a + c] + f * (values[b + c] - values[a + c]);
      }
    }
  }
  const rowLength = width * channels;
  const out = new Float32Array(height * rowLength);
  for (let y = 0; y < height; y++) {
    const a = ty.lower[y] * rowLength;
    const b = ty.upper[y] * rowLength;
    const f = ty.fraction[y];
    const o = y * rowLength;
    for (let i = 0; i < rowLength; i++) out[o + i] = rows[a + i] + f * (rows[b + i] - rows[a + i]);
  }
  return out;
}

/** A layer's [h_l · w_l · 2] flow (x, y interleaved) → [height · width · 2]. */
export function upsampleFlow(
  flow: Float32Array,
  gridWidth: number,
  gridHeight: number,
  width: number,
  height: number,
): Float32Array {
  return upsampleBilinear(flow, 2, gridWidth, gridHeight, width, height);
}

/** A layer's [h_l · w_l] confidence → [height · width]. */
export function upsampleConfidence(
  confidence: Float32Array,
  gridWidth: number,
  gridHeight: number,
  width: number,
  height: number,
): Float32Array {
  return upsampleBilinear(confidence, 1, gridWidth, gridHeight, width, height);
}
