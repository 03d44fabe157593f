import { GraphBuilder } from "../../onnx/builder";
import {
  HEATMAP_CHANNELS,
  INPUT_DIVISOR,
  INPUT_OFFSET,
  MODEL_ID,
  PAF_CHANNELS,
  STAGES,
} from "./config";
import type { LayerPlan } from "./keys";

/**
 * The OpenPose body ONNX graph: `image` (BGR, 0..255, NCHW, any size) normalised as the annotator
 * does (x / 256 − 0.5), the VGG trunk, six two-branch stages, and the last stage's outputs:
 * `paf` (38 channels) and `heatmaps` (19, after the ReLU the annotator's model keeps there), both
 * at 1/8 of the input. Pooling floors odd sizes as torch's MaxPool2d does; the caller pads the
 * image to a multiple of 8 first, as the annotator does.
 */

export interface LayerWeights {
  readonly plan: LayerPlan;
  /** [out, in, k, k], torch's and ONNX's layout alike. */
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

export function buildOpenPoseGraph(layers: readonly LayerWeights[]): GraphBuilder {
  const g = new GraphBuilder(MODEL_ID);
  const image = g.input("image", "float32", [1, 3, "height", "width"]);
  const divisor = g.initializer("input_divisor", new Float32Array([INPUT_DIVISOR]), []);
  const offset = g.initializer("input_offset", new Float32Array([INPUT_OFFSET]), []);
  const [scaled] = g.node("Div", [image, divisor]);
  const [normalised] = g.node("Sub", [scaled, offset]);

  const conv = (x: string, { plan, weight, bias }: LayerWeights): string => {
    const k = plan.kernel;
    const prefix = `${plan.module}.${plan.name}`;
    const w = g.initializer(`${prefix}.weight`, weight, [plan.outChannels, plan.inChannels, k, k]);
    const b = g.initializer(`${prefix}.bias`, bias, [plan.outChannels]);
    const pad = (k - 1) / 2;
    let [y] = g.node("Conv", [x, w, b], { kernel_shape: [k, k], pads: [pad, pad, pad, pad] });
    if (plan.relu) [y] = g.node("Relu", [y]);
    if (plan.poolAfter) [y] = g.node("MaxPool", [y], { kernel_shape: [2, 2], strides: [2, 2] });
    return y;
  };
  const run = (x: string, module: string): string =>
    layers.filter((l) => l.plan.module === module).reduce(conv, x);

  const trunk = run(normalised, "model0");
  let paf = run(trunk, "model1_1");
  let heatmaps = run(trunk, "model1_2");
  for (let s = 2; s <= STAGES; s++) {
    const [features] = g.node("Concat", [paf, heatmaps, trunk], { axis: 1 });
    paf = run(features, `model${s}_1`);
    heatmaps = run(features, `model${s}_2`);
  }
  g.node("Identity", [paf], {}, ["paf"]);
  g.node("Identity", [heatmaps], {}, ["heatmaps"]);
  g.output("paf", "float32", [1, PAF_CHANNELS, "height/8", "width/8"]);
  g.output("heatmaps", "float32", [1, HEATMAP_CHANNELS, "height/8", "width/8"]);
  return g;
}
