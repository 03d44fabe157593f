import type { TensorInfo } from "../../checkpoints";
import { ConversionError } from "../../install/converted";
import {
  decoderConvCount,
  DECONV,
  FPN_LEVELS,
  HEAD_CONVS,
  HEAD_KERNEL,
  PREDICTOR_OUTPUTS,
  RESNET_STAGES,
} from "./config";

/**
 * Which checkpoint keys the DensePose graph uses and which it drops on purpose. Every layer the
 * graph needs is listed with its detectron2 key prefix, kind and kernel; channel counts are read
 * from the tensor shapes and checked to chain (each layer's input is its producer's output), so a
 * tiny test checkpoint of the same structure converts just like the real one. Any key neither used
 * nor on the drop list, any missing key and any shape that does not fit is reported, all at once.
 */

/** A convolution with FrozenBatchNorm (no bias), a convolution with bias, or a transposed one. */
export type LayerKind = "conv-bn" | "conv" | "deconv";

export interface LayerPlan {
  /** detectron2 module path, e.g. "backbone.bottom_up.res2.0.conv1". */
  readonly prefix: string;
  readonly kind: LayerKind;
  readonly kernel: number;
  readonly inChannels: number;
  readonly outChannels: number;
}

export interface KeyPlan {
  /** Layers by detectron2 prefix, in the order they were checked. */
  readonly layers: ReadonlyMap<string, LayerPlan>;
  readonly used: readonly string[];
  readonly dropped: readonly string[];
}

/**
 * Keys of a DensePose R-CNN checkpoint that the single-box export does not need: the detector
 * parts (RPN, box head and box predictor; the box comes from the caller) and the normalisation
 * buffers older detectron2 saved (their values are the config's PIXEL_MEAN / PIXEL_STD).
 */
export const DROPPED_KEYS: readonly { readonly pattern: RegExp; readonly why: string }[] = [
  {
    pattern:
      /^proposal_generator\.rpn_head\.(conv|objectness_logits|anchor_deltas)\.(weight|bias)$/,
    why: "RPN: proposals are replaced by the caller's box",
  },
  {
    pattern: /^proposal_generator\.anchor_generator\.cell_anchors\.\d+$/,
    why: "RPN anchors (a buffer older detectron2 saved)",
  },
  {
    pattern: /^roi_heads\.box_head\.fc[12]\.(weight|bias)$/,
    why: "box head: detection is the caller's",
  },
  {
    pattern: /^roi_heads\.box_predictor\.(cls_score|bbox_pred)\.(weight|bias)$/,
    why: "box predictor: detection is the caller's",
  },
  { pattern: /^pixel_(mean|std)$/, why: "normalisation buffers, equal to the config's constants" },
];

export class DensePoseKeyError extends ConversionError {
  constructor(readonly problems: readonly string[]) {
    super(
      `the checkpoint does not match DensePose R50-FPN (${problems.length} problem` +
        `${problems.length === 1 ? "" : "s"}):\n  ${problems.join("\n  ")}`,
    );
  }
}

/**
 * The tensors under detectron2's names: a model-zoo `.pkl` holds them in {"model": {...}}, which
 * the checkpoint reader flattens to "model.<name>"; a plain state dict has them at the top.
 */
export function detectron2Tensors(tensors: readonly TensorInfo[]): TensorInfo[] {
  const root = "model.";
  if (tensors.length === 0 || !tensors.every((t) => t.name.startsWith(root))) return [...tensors];
  return tensors.map((t) => ({
    name: t.name.slice(root.length),
    dtype: t.dtype,
    shape: t.shape,
    byteLength: t.byteLength,
    readFloat32: () => t.readFloat32(),
    readRaw: () => t.readRaw(),
  }));
}

const BN_PARTS = ["weight", "bias", "running_mean", "running_var"] as const;

/** The checkpoint keys a layer reads. */
export function layerKeys(layer: Pick<LayerPlan, "prefix" | "kind">): string[] {
  if (layer.kind === "conv-bn") {
    return [`${layer.prefix}.weight`, ...BN_PARTS.map((p) => `${layer.prefix}.norm.${p}`)];
  }
  return [`${layer.prefix}.weight`, `${layer.prefix}.bias`];
}

interface LayerSpec {
  readonly prefix: string;
  readonly kind: LayerKind;
  readonly kernel: number;
  /** The channels it must take, when known from the layer feeding it. */
  readonly inChannels?: number;
  /** The channels it must give, when fixed (the predictor's outputs). */
  readonly outChannels?: number;
}

/** Checks a layer's tensors against its spec; returns its plan, or undefined after a problem. */
function checkLayer(
  spec: LayerSpec,
  byName: ReadonlyMap<string, TensorInfo>,
  problems: string[],
): LayerPlan | undefined {
  const keys = layerKeys(spec);
  const missing = keys.filter((k) => !byName.has(k));
  if (missing.length > 0) {
    problems.push(...missing.map((k) => `missing key ${k}`));
    return undefined;
  }
  const weight = byName.get(keys[0]) as TensorInfo;
  const shape = weight.shape;
  // torch's ConvTranspose2d stores [in, out, kH, kW]; Conv2d stores [out, in, kH, kW].
  const [outC, inC] = spec.kind === "deconv" ? [shape[1], shape[0]] : [shape[0], shape[1]];
  const expected = (out: string, inp: string) =>
    spec.kind === "deconv"
      ? `[${inp}, ${out}, ${spec.kernel}, ${spec.kernel}]`
      : `[${out}, ${inp}, ${spec.kernel}, ${spec.kernel}]`;
  const fits =
    shape.length === 4 &&
    shape[2] === spec.kernel &&
    shape[3] === spec.kernel &&
    inC > 0 &&
    outC > 0 &&
    (spec.inChannels === undefined || inC === spec.inChannels) &&
    (spec.outChannels === undefined || outC === spec.outChannels);
  if (!fits) {
    const want = expected(String(spec.outChannels ?? "out"), String(spec.inChannels ?? "in"));
    problems.push(`wrong shape for ${keys[0]}: [${shape.join(", ")}], expected ${want}`);
    return undefined;
  }
  let ok = true;
  for (const key of keys.slice(1)) {
    const s = (byName.get(key) as TensorInfo).shape;
    if (s.length !== 1 || s[0] !== outC) {
      problems.push(`wrong shape for ${key}: [${s.join(", ")}], expected [${outC}]`);
      ok = false;
    }
  }
  return ok ? { ...spec, inChannels: inC, outChannels: outC } : undefined;
}

/**
 * Walks the architecture layer by layer over the checkpoint's tensors. Throws DensePoseKeyError
 * listing every missing, unknown or misshapen key.
 */
export function planKeys(tensors: readonly TensorInfo[]): KeyPlan {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const problems: string[] = [];
  const layers = new Map<string, LayerPlan>();
  // Every key the architecture names, whether or not its layer passed: not "unknown" either way.
  const named = new Set<string>();
  const add = (spec: LayerSpec): number | undefined => {
    for (const key of layerKeys(spec)) named.add(key);
    const plan = checkLayer(spec, byName, problems);
    if (plan) layers.set(plan.prefix, plan);
    return plan?.outChannels;
  };

  // ResNet-50 bottom-up: stem, then four stages of bottleneck blocks. The first block of every
  // stage changes the width, so it has a projection shortcut; the others add their input.
  const bottomUp = "backbone.bottom_up";
  let channels = add({
    prefix: `${bottomUp}.stem.conv1`,
    kind: "conv-bn",
    kernel: 7,
    inChannels: 3,
  });
  const stageOut: (number | undefined)[] = [];
  for (const stage of RESNET_STAGES) {
    for (let b = 0; b < stage.blocks; b++) {
      const block = `${bottomUp}.${stage.name}.${b}`;
      const blockIn = channels;
      const c1 = add({ prefix: `${block}.conv1`, kind: "conv-bn", kernel: 1, inChannels: blockIn });
      const c2 = add({ prefix: `${block}.conv2`, kind: "conv-bn", kernel: 3, inChannels: c1 });
      const c3 = add({ prefix: `${block}.conv3`, kind: "conv-bn", kernel: 1, inChannels: c2 });
      if (b === 0) {
        add({
          prefix: `${block}.shortcut`,
          kind: "conv-bn",
          kernel: 1,
          inChannels: blockIn,
          outChannels: c3,
        });
      } else if (c3 !== undefined && blockIn !== undefined && c3 !== blockIn) {
        problems.push(`${block}.conv3 gives ${c3} channels but the block's input has ${blockIn}`);
      }
      channels = c3;
    }
    stageOut.push(channels);
  }

  // FPN: one lateral 1×1 and one output 3×3 per level, all of the same width.
  let fpnWidth: number | undefined;
  FPN_LEVELS.forEach(({ level }, i) => {
    const lateral = add({
      prefix: `backbone.fpn_lateral${level}`,
      kind: "conv",
      kernel: 1,
      inChannels: stageOut[i],
      outChannels: fpnWidth,
    });
    fpnWidth ??= lateral;
    add({
      prefix: `backbone.fpn_output${level}`,
      kind: "conv",
      kernel: 3,
      inChannels: fpnWidth,
      outChannels: fpnWidth,
    });
  });

  // Decoder: per level a chain of 3×3 convs (Sequential indices skip the Upsample modules).
  let decoderWidth: number | undefined;
  for (const { level, stride } of FPN_LEVELS) {
    let c = fpnWidth;
    for (let k = 0; k < decoderConvCount(stride); k++) {
      const index = stride === 4 ? k : 2 * k;
      c = add({
        prefix: `roi_heads.decoder.p${level}.${index}`,
        kind: "conv",
        kernel: 3,
        inChannels: c,
        outChannels: decoderWidth,
      });
      decoderWidth ??= c;
    }
  }
  channels = add({
    prefix: "roi_heads.decoder.predictor",
    kind: "conv",
    kernel: 1,
    inChannels: decoderWidth,
  });

  for (let i = 1; i <= HEAD_CONVS; i++) {
    channels = add({
      prefix: `roi_heads.densepose_head.body_conv_fcn${i}`,
      kind: "conv",
      kernel: HEAD_KERNEL,
      inChannels: channels,
    });
  }
  for (const { module, channels: out } of PREDICTOR_OUTPUTS) {
    add({
      prefix: `roi_heads.densepose_predictor.${module}`,
      kind: "deconv",
      kernel: DECONV.kernel,
      inChannels: channels,
      outChannels: out,
    });
  }

  const used: string[] = [];
  const dropped: string[] = [];
  const unknown: string[] = [];
  for (const t of tensors) {
    if (named.has(t.name)) used.push(t.name);
    else if (DROPPED_KEYS.some((d) => d.pattern.test(t.name))) dropped.push(t.name);
    else unknown.push(t.name);
  }
  problems.push(...unknown.map((k) => `unknown key ${k}`));
  if (problems.length > 0) throw new DensePoseKeyError(problems);
  return { layers, used, dropped };
}
