import { GraphBuilder } from "../../onnx/builder";
import {
  DECONV,
  decoderConvCount,
  FPN_LEVELS,
  HEAD_CONVS,
  MODEL_ID,
  PIXEL_MEAN,
  PIXEL_STD,
  POOLER,
  PREDICTOR_OUTPUTS,
  RESNET_STAGES,
  SIZE_DIVISIBILITY,
  STRIDE_IN_1X1,
  UP_SCALE,
} from "./config";
import type { FoldedLayer } from "./weights";

/**
 * The DensePose R50-FPN ONNX graph for one RoI: normalise, pad to a multiple of 32, ResNet-50 (BN
 * folded), FPN p2..p5, the Panoptic-FPN decoder to one stride-4 map, RoiAlign of the `box` input
 * (aligned=False → "output_half_pixel"), eight 3×3 convs, and the four transposed convs each
 * upsampled ×2. The decoder leaves a single pooling level, so no box-to-level assignment is
 * needed. H and W stay symbolic. `box` is [[x1, y1, x2, y2]] in input pixels: the person's box
 * on the whole photo at test scale, as detectron2 pools it, or [0, 0, W, H] for a crop.
 */

class DensePoseGraph {
  readonly g = new GraphBuilder(MODEL_ID);
  constructor(private readonly layers: ReadonlyMap<string, FoldedLayer>) {}

  layer(prefix: string): FoldedLayer {
    const layer = this.layers.get(prefix);
    if (!layer) throw new Error(`densepose graph: no weights for ${prefix}`);
    return layer;
  }

  conv(x: string, prefix: string, stride = 1, relu = false): string {
    const { plan, weight, bias } = this.layer(prefix);
    const k = plan.kernel;
    const w = this.g.initializer(`${prefix}.weight`, weight, [
      plan.outChannels,
      plan.inChannels,
      k,
      k,
    ]);
    const b = this.g.initializer(`${prefix}.bias`, bias, [plan.outChannels]);
    const pad = (k - 1) / 2;
    const [y] = this.g.node("Conv", [x, w, b], {
      kernel_shape: [k, k],
      strides: [stride, stride],
      pads: [pad, pad, pad, pad],
    });
    return relu ? this.g.node("Relu", [y])[0] : y;
  }

  deconv(x: string, prefix: string): string {
    const { plan, weight, bias } = this.layer(prefix);
    const k = plan.kernel;
    const w = this.g.initializer(`${prefix}.weight`, weight, [
      plan.inChannels,
      plan.outChannels,
      k,
      k,
    ]);
    const b = this.g.initializer(`${prefix}.bias`, bias, [plan.outChannels]);
    const p = DECONV.padding;
    return this.g.node("ConvTranspose", [x, w, b], {
      kernel_shape: [k, k],
      strides: [DECONV.stride, DECONV.stride],
      pads: [p, p, p, p],
    })[0];
  }

  private readonly scales = new Map<number, string>();
  /**
   * Upsampling by an integer factor as torch's F.interpolate(scale_factor) does it: nearest takes
   * source pixel floor(dst / f); bilinear (align_corners False) samples at (dst + ½) / f − ½.
   */
  upsample(x: string, mode: "nearest" | "linear", factor = 2): string {
    let scales = this.scales.get(factor);
    if (!scales) {
      const values = new Float32Array([1, 1, factor, factor]);
      scales = this.g.initializer(`scales_x${factor}`, values, [4]);
      this.scales.set(factor, scales);
    }
    const attrs: Record<string, string> =
      mode === "nearest"
        ? { mode, coordinate_transformation_mode: "asymmetric", nearest_mode: "floor" }
        : { mode, coordinate_transformation_mode: "half_pixel" };
    return this.g.node("Resize", [x, "", scales], attrs)[0];
  }
}

function int64s(g: GraphBuilder, name: string, values: readonly number[]): string {
  return g.initializer(name, BigInt64Array.from(values, BigInt), [values.length]);
}

/** Zero padding at the bottom and right up to the next multiple of SIZE_DIVISIBILITY. */
function padToMultiple(g: GraphBuilder, x: string, shape: string): string {
  const [hw] = g.node("Slice", [shape, int64s(g, "hw_starts", [2]), int64s(g, "hw_ends", [4])]);
  const divisor = int64s(g, "size_divisibility", [SIZE_DIVISIBILITY]);
  const [roundedUp] = g.node("Add", [
    hw,
    int64s(g, "size_divisibility_less_1", [SIZE_DIVISIBILITY - 1]),
  ]);
  const [blocks] = g.node("Div", [roundedUp, divisor]);
  const [paddedHw] = g.node("Mul", [blocks, divisor]);
  const [extra] = g.node("Sub", [paddedHw, hw]);
  // ONNX pads: all begins (N, C, H, W), then all ends; only the H and W ends are non-zero.
  const [pads] = g.node("Concat", [int64s(g, "pads_head", [0, 0, 0, 0, 0, 0]), extra], { axis: 0 });
  return g.node("Pad", [x, pads], { mode: "constant" })[0];
}

export function buildDensePoseGraph(layers: ReadonlyMap<string, FoldedLayer>): GraphBuilder {
  const d = new DensePoseGraph(layers);
  const g = d.g;
  const image = g.input("image", "float32", [1, 3, "height", "width"]);

  // detectron2 normalises, then ImageList pads the normalised image with zeros.
  const mean = g.initializer("pixel_mean", Float32Array.from(PIXEL_MEAN), [1, 3, 1, 1]);
  const std = g.initializer("pixel_std", Float32Array.from(PIXEL_STD), [1, 3, 1, 1]);
  const [centred] = g.node("Sub", [image, mean]);
  const [normalised] = g.node("Div", [centred, std]);
  const [shape] = g.node("Shape", [image]);
  const padded = padToMultiple(g, normalised, shape);

  // ResNet-50.
  const bottomUp = "backbone.bottom_up";
  let x = d.conv(padded, `${bottomUp}.stem.conv1`, 2, true);
  [x] = g.node("MaxPool", [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  const stageOutputs: string[] = [];
  for (const stage of RESNET_STAGES) {
    for (let b = 0; b < stage.blocks; b++) {
      const block = `${bottomUp}.${stage.name}.${b}`;
      const stride = b === 0 ? stage.firstStride : 1;
      const [s1, s3] = STRIDE_IN_1X1 ? [stride, 1] : [1, stride];
      const shortcut = b === 0 ? d.conv(x, `${block}.shortcut`, stride) : x;
      let y = d.conv(x, `${block}.conv1`, s1, true);
      y = d.conv(y, `${block}.conv2`, s3, true);
      y = d.conv(y, `${block}.conv3`);
      [x] = g.node("Add", [y, shortcut]);
      [x] = g.node("Relu", [x]);
    }
    stageOutputs.push(x);
  }

  // FPN top-down with sum fusion, then each level's 3×3 output conv.
  const pyramid: string[] = new Array<string>(FPN_LEVELS.length);
  let previous = "";
  for (let i = FPN_LEVELS.length - 1; i >= 0; i--) {
    const level = FPN_LEVELS[i].level;
    const lateral = d.conv(stageOutputs[i], `backbone.fpn_lateral${level}`);
    previous =
      previous === "" ? lateral : g.node("Add", [lateral, d.upsample(previous, "nearest")])[0];
    pyramid[i] = d.conv(previous, `backbone.fpn_output${level}`);
  }

  // Decoder: every level brought to stride 4 and summed, then a 1×1 conv.
  let merged = "";
  FPN_LEVELS.forEach(({ level, stride }, i) => {
    let y = pyramid[i];
    for (let k = 0; k < decoderConvCount(stride); k++) {
      y = d.conv(y, `roi_heads.decoder.p${level}.${stride === 4 ? k : 2 * k}`, 1, true);
      if (stride !== 4) y = d.upsample(y, "linear");
    }
    merged = merged === "" ? y : g.node("Add", [merged, y])[0];
  });
  const features = d.conv(merged, "roi_heads.decoder.predictor");

  // The RoI, [1, 4] as RoiAlign takes it (one box of batch image 0).
  const rois = g.input("box", "float32", [1, 4]);
  const [pooled] = g.node(
    "RoiAlign",
    [features, rois, g.initializer("batch_indices", new BigInt64Array(1), [1])],
    {
      mode: "avg",
      output_height: POOLER.resolution,
      output_width: POOLER.resolution,
      sampling_ratio: POOLER.samplingRatio,
      spatial_scale: { float: POOLER.scale },
      coordinate_transformation_mode: POOLER.aligned ? "half_pixel" : "output_half_pixel",
    },
  );

  let head = pooled;
  for (let i = 1; i <= HEAD_CONVS; i++)
    head = d.conv(head, `roi_heads.densepose_head.body_conv_fcn${i}`, 1, true);

  for (const { output, module, channels } of PREDICTOR_OUTPUTS) {
    const lowres = d.deconv(head, `roi_heads.densepose_predictor.${module}`);
    const y = d.upsample(lowres, "linear", UP_SCALE);
    g.node("Identity", [y], {}, [output]);
    g.output(output, "float32", [1, channels, "out_h", "out_w"]);
  }
  return g;
}
