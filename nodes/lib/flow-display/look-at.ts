import { createImage, type RgbaImage } from "../../core/image";
import type { FlowLayer, FlowStep } from "../../core/flow";
import { upsampleBilinear } from "./upsample-flow";

/**
 * The editor inspector's "where did this pixel look" (leffa.md §3.2): for a pixel of the result,
 * the layer token under it, a heat map of the reference tokens it attended to most (its top-K
 * weights scattered onto the reference grid) and its flow point in the garment.
 *
 * Target and reference tokens share the layer's grid (the reference UNet runs at the same size).
 * Token ↔ pixel mapping is the align_corners=False one of `upsampleFlow`: token c of n covers
 * pixels [c·W/n, (c+1)·W/n), so the token under pixel x is ⌊(x + 0.5)·n / W⌋, the token whose
 * value dominates the upsampled flow at that pixel.
 */

/** The image sizes a look-up needs; a `FlowField` has them. */
export interface LookAtSizes {
  /** The result image. */
  readonly width: number;
  readonly height: number;
  /** The reference (garment) image. */
  readonly referenceWidth: number;
  readonly referenceHeight: number;
}

/** One recorded step by its index in `layer.steps`, or the mean over all of the layer's steps. */
export type StepChoice = number | "mean";

export interface TokenPosition {
  /** Row-major index on the layer grid. */
  readonly token: number;
  readonly column: number;
  readonly row: number;
}

export interface LookAt extends TokenPosition {
  /** [gridHeight · gridWidth] over the reference tokens: the (mean) top-K weights, 0 elsewhere. */
  readonly heat: Float32Array;
  /** The token's (mean) flow, x and y in [−1, 1], align_corners=True. */
  readonly flow: { readonly x: number; readonly y: number };
  /** The same point in reference-image pixels: (x + 1) / 2 · (W_ref − 1), likewise y. */
  readonly point: { readonly x: number; readonly y: number };
  /** The token's (mean) share of attention on the reference. */
  readonly confidence: number;
}

/**
 * The token under pixel (x, y) of a width × height image; fractional coordinates (a pointer
 * position) count as the pixel they fall in.
 */
export function tokenAt(
  x: number,
  y: number,
  width: number,
  height: number,
  gridWidth: number,
  gridHeight: number,
): TokenPosition {
  if (!(x >= 0 && x < width && y >= 0 && y < height)) {
    throw new Error(`pixel (${x}, ${y}) lies outside the ${width}×${height} image`);
  }
  const column = Math.min(gridWidth - 1, Math.floor(((Math.floor(x) + 0.5) * gridWidth) / width));
  const row = Math.min(gridHeight - 1, Math.floor(((Math.floor(y) + 0.5) * gridHeight) / height));
  return { token: row * gridWidth + column, column, row };
}

function chooseSteps(layer: FlowLayer, step: StepChoice): readonly FlowStep[] {
  if (step === "mean") {
    if (layer.steps.length === 0) throw new Error(`layer ${layer.name} recorded no steps`);
    return layer.steps;
  }
  if (!Number.isInteger(step) || step < 0 || step >= layer.steps.length) {
    throw new Error(`layer ${layer.name} has ${layer.steps.length} steps, no step ${step}`);
  }
  return [layer.steps[step]];
}

/** Looks up pixel (x, y) of the result in one layer at one step (or the mean over steps). */
export function lookAt(
  sizes: LookAtSizes,
  layer: FlowLayer,
  step: StepChoice,
  x: number,
  y: number,
): LookAt {
  const { gridWidth, gridHeight, topK } = layer;
  const n = gridWidth * gridHeight;
  const position = tokenAt(x, y, sizes.width, sizes.height, gridWidth, gridHeight);
  const { token } = position;
  const steps = chooseSteps(layer, step);
  const heat = new Float32Array(n);
  let fx = 0;
  let fy = 0;
  let confidence = 0;
  for (const s of steps) {
    if (
      s.flow.length !== 2 * n ||
      s.confidence.length !== n ||
      s.topIndices.length !== n * topK ||
      s.topWeights.length !== n * topK
    ) {
      throw new Error(
        `layer ${layer.name}, t=${s.timestep}: buffers do not match its ${gridWidth}×${gridHeight} grid and K=${topK}`,
      );
    }
    for (let k = 0; k < topK; k++) {
      const ref = s.topIndices[token * topK + k];
      if (!(ref >= 0 && ref < n)) {
        throw new Error(
          `layer ${layer.name}, t=${s.timestep}: reference token ${ref} out of range`,
        );
      }
      heat[ref] += s.topWeights[token * topK + k] / steps.length;
    }
    fx += s.flow[2 * token] / steps.length;
    fy += s.flow[2 * token + 1] / steps.length;
    confidence += s.confidence[token] / steps.length;
  }
  return {
    ...position,
    heat,
    flow: { x: fx, y: fy },
    point: {
      x: ((fx + 1) / 2) * (sizes.referenceWidth - 1),
      y: ((fy + 1) / 2) * (sizes.referenceHeight - 1),
    },
    confidence,
  };
}

/** The heat colour: a warm orange that stands out on most garments. */
const HEAT_RGB = [255, 96, 0] as const;
/** Opacity at the heat's maximum, so even the hottest spot keeps a hint of the garment. */
const HEAT_MAX_OPACITY = 0.85;

/**
 * The garment with the heat map over it: `heat` [gridHeight · gridWidth] bilinearly upsampled to
 * the reference's size (align_corners=False, like the flow), normalised to its maximum, blended in
 * orange with opacity 0.85 × heat / max. No heat at all returns a copy of the garment.
 */
export function renderHeat(
  reference: RgbaImage,
  heat: Float32Array,
  gridWidth: number,
  gridHeight: number,
): RgbaImage {
  const { width, height } = reference;
  const out = createImage(width, height, Uint8ClampedArray.from(reference.data));
  const up = upsampleBilinear(heat, 1, gridWidth, gridHeight, width, height);
  let max = 0;
  for (const v of up) if (v > max) max = v;
  if (!(max > 0)) return out;
  const d = out.data;
  const scale = HEAT_MAX_OPACITY / max;
  for (let i = 0; i < up.length; i++) {
    const a = Math.max(0, up[i]) * scale;
    if (a === 0) continue;
    const p = i * 4;
    for (let c = 0; c < 3; c++) d[p + c] = d[p + c] + a * (HEAT_RGB[c] - d[p + c]);
  }
  return out;
}
