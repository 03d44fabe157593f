import type { Mask, RgbaImage } from "./image";

/**
 * The FLOW value the Leffa sampler emits and the Flow Field node and the editor's inspector read
 * (leffa.md §3.2). Per visualised attention layer of the generative UNet it holds, on that layer's
 * token grid (h_l × w_l, row-major, token i at row ⌊i / w_l⌋, column i mod w_l):
 * - `flow`: for every target token, the attention-weighted mean reference coordinate, x then y,
 *   in [-1, 1] with the align_corners=True convention (−1 = centre of the first column/row,
 *   +1 = centre of the last): an absolute sampling position in the garment, not a displacement;
 * - `confidence`: the share of the real attention (τ = 1, over own + reference keys) that went to
 *   the reference tokens, in [0, 1];
 * - `topIndices` / `topWeights`: the K reference tokens each target token attended to most
 *   (head-averaged probabilities at temperature τ, largest first), for "where did this pixel look".
 * Each record is one collected sampler step; `steps` lists them, and consumers average or pick.
 */
export interface FlowStep {
  /** The scheduler timestep (0 … 999) this record was collected at. */
  readonly timestep: number;
  /** [h_l · w_l · 2] interleaved x, y. */
  readonly flow: Float32Array;
  /** [h_l · w_l]. */
  readonly confidence: Float32Array;
  /** [h_l · w_l · K] reference token indices. */
  readonly topIndices: Int32Array;
  /** [h_l · w_l · K] their head-averaged attention probabilities. */
  readonly topWeights: Float32Array;
}

export interface FlowLayer {
  /** The diffusers module path, e.g. "up_blocks.3.attentions.0". */
  readonly name: string;
  /** The layer's reference-feature index (0 … 15 for SD 1.5, leffa.md §1.3). */
  readonly index: number;
  readonly gridWidth: number;
  readonly gridHeight: number;
  /** K of `topIndices` / `topWeights`. */
  readonly topK: number;
  /** The temperature τ the flow and top-K were computed with. */
  readonly temperature: number;
  readonly steps: readonly FlowStep[];
}

export interface FlowField {
  readonly kind: "flow";
  /**
   * The images the coordinates refer to, in the sampler's working frame (the person and garment
   * letterboxed into its 1024×768 or 512×384): the garment the tokens looked at, the generated
   * image they describe, and the inpainting mask. With them the FLOW value is self-contained.
   */
  readonly reference?: RgbaImage;
  readonly result?: RgbaImage;
  readonly mask?: Mask;
  /** Size of the generated image the flow describes. */
  readonly width: number;
  readonly height: number;
  /** Size of the reference (garment) image the coordinates point into. */
  readonly referenceWidth: number;
  readonly referenceHeight: number;
  /** Empty when the sampler computed no flow (its graphs lack flow outputs, or it was off). */
  readonly layers: readonly FlowLayer[];
}

export function isFlowField(value: unknown): value is FlowField {
  return (
    typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "flow"
  );
}
