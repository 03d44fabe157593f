// Leffa's Transformer2DModel and BasicTransformerBlock (leffa/diffusion_model/transformer_*.py,
// attention_*.py) with cross-attention removed, the two UNets differing only in self-attention:
// - reference UNet: records LayerNorm1(h) of every block before its self-attention;
// - generative UNet: self-attention reads keys/values from [own LN1 tokens, reference feature].
import { multiHeadAttention } from "./attention";
import { conv2d } from "./conv";
import { feedForward } from "./feed-forward";
import { linear } from "./linear";
import { groupNorm, layerNorm } from "./norm";
import {
  type F64Tensor,
  type Weights,
  add,
  concatAxis1,
  fromTokens,
  param,
  toTokens,
} from "./tensor";

/** LayerNorm eps of norm1/2/3 (diffusers' BasicTransformerBlock default, norm_eps 1e-5). */
const LAYER_NORM_EPS = 1e-5;
/** Transformer2DModel's GroupNorm eps is hard-coded to 1e-6, unlike the resnets' norm_eps. */
const TRANSFORMER_GROUP_NORM_EPS = 1e-6;

/** Thrown once the reference UNet holds every feature: all that follows is dead (leffa-keys §2.4). */
export class AllFeaturesCaptured extends Error {
  constructor() {
    super("all reference features captured");
  }
}

/** A self-attention's projected queries to_q(LN1(h)) [B, N, C] and keys to_k(context) [B, L, C]. */
export interface Projections {
  q: F64Tensor;
  k: F64Tensor;
}

export type ReferenceMode =
  | { kind: "capture"; features: F64Tensor[]; total: number }
  | {
      kind: "inject";
      features: readonly F64Tensor[];
      next: number;
      /** Feature indices whose self-attention projections are recorded into `projections`. */
      record?: ReadonlySet<number>;
      projections?: Map<number, Projections>;
    };

export interface TransformerOptions {
  heads: number;
  groups: number;
  layers: number;
  /** SDXL: proj_in/proj_out are Linear on tokens; SD1.5: 1×1 convs on the feature map. */
  linearProjection: boolean;
}

/** attn1 of the generative or reference UNet: Q from `queries`, K and V from `context`. */
function selfAttention(
  w: Weights,
  prefix: string,
  queries: F64Tensor,
  context: F64Tensor,
  heads: number,
  onProjections?: (projections: Projections) => void,
): F64Tensor {
  const p = (name: string) => param(w, `${prefix}.${name}`);
  const q = linear(queries, p("to_q.weight"), null);
  const k = linear(context, p("to_k.weight"), null);
  const v = linear(context, p("to_v.weight"), null);
  onProjections?.({ q, k });
  const attended = multiHeadAttention(q, k, v, heads);
  return linear(attended, p("to_out.0.weight"), p("to_out.0.bias"));
}

/** One BasicTransformerBlock on tokens h [B, N, C]. */
export function transformerBlock(
  w: Weights,
  prefix: string,
  h: F64Tensor,
  heads: number,
  mode: ReferenceMode,
): F64Tensor {
  const p = (name: string) => param(w, `${prefix}.${name}`);
  const normed = layerNorm(h, p("norm1.weight"), p("norm1.bias"), LAYER_NORM_EPS);
  let context = normed;
  let onProjections: ((projections: Projections) => void) | undefined;
  if (mode.kind === "capture") {
    mode.features.push(normed);
    if (mode.features.length === mode.total) throw new AllFeaturesCaptured();
  } else {
    const ref = mode.features[mode.next];
    if (!ref) throw new Error(`no reference feature ${mode.next} for ${prefix}`);
    if (ref.shape[0] !== h.shape[0] || ref.shape[2] !== h.shape[2]) {
      throw new Error(
        `reference feature ${mode.next} has shape [${ref.shape.join(", ")}], ` +
          `block ${prefix} has tokens [${h.shape.join(", ")}]`,
      );
    }
    const index = mode.next;
    if (mode.record?.has(index)) {
      onProjections = (projections) => mode.projections?.set(index, projections);
    }
    mode.next += 1;
    // Leffa concatenates on the token axis before the projections and keeps the first N outputs;
    // computing the queries from the first N tokens only is the same thing.
    context = concatAxis1([normed, ref]);
  }
  h = add(h, selfAttention(w, `${prefix}.attn1`, normed, context, heads, onProjections));
  // attn2 runs SkipAttnProcessor, which returns its input LayerNorm2(h); the block adds it back.
  h = add(h, layerNorm(h, p("norm2.weight"), p("norm2.bias"), LAYER_NORM_EPS));
  const ffIn = layerNorm(h, p("norm3.weight"), p("norm3.bias"), LAYER_NORM_EPS);
  return add(h, feedForward(w, `${prefix}.ff`, ffIn));
}

/** Transformer2DModel: GroupNorm → proj_in → blocks → proj_out → + input, on NCHW x. */
export function transformer2d(
  w: Weights,
  prefix: string,
  x: F64Tensor,
  options: TransformerOptions,
  mode: ReferenceMode,
): F64Tensor {
  const p = (name: string) => param(w, `${prefix}.${name}`);
  const [, , height, width] = x.shape;
  const normed = groupNorm(
    x,
    options.groups,
    p("norm.weight"),
    p("norm.bias"),
    TRANSFORMER_GROUP_NORM_EPS,
  );
  let tokens = options.linearProjection
    ? linear(toTokens(normed), p("proj_in.weight"), p("proj_in.bias"))
    : toTokens(conv2d(normed, p("proj_in.weight"), p("proj_in.bias")));
  for (let i = 0; i < options.layers; i++) {
    tokens = transformerBlock(w, `${prefix}.transformer_blocks.${i}`, tokens, options.heads, mode);
  }
  const projected = options.linearProjection
    ? fromTokens(linear(tokens, p("proj_out.weight"), p("proj_out.bias")), height, width)
    : conv2d(fromTokens(tokens, height, width), p("proj_out.weight"), p("proj_out.bias"));
  return add(projected, x);
}
