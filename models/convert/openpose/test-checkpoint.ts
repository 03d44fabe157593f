import { mulberry32 } from "../../tiny/prng";
import { allLayers, HEATMAP_CHANNELS, PAF_CHANNELS, type ConvLayer } from "./config";

/**
 * For tests: the tensors of `body_pose_model.pth` under its real (bare) key names, every layer of
 * the real depth, with tiny hidden widths and the real 38 / 19 output channels, seeded random
 * values uniform in ±√(6 / fan-in) (He) so activations stay of order one.
 */

export interface TestTensor {
  readonly shape: number[];
  readonly data: Float32Array;
}

/** Hidden widths: trunk convs by name, then stage-1 and later-stage branch widths. */
export const TINY_WIDTHS = {
  trunk: [4, 4, 5, 5, 6, 6, 6, 6, 7, 7, 6, 5],
  stage1: 4,
  stageN: 3,
} as const;

function outChannels(l: ConvLayer, lastOfModule: boolean, trunkIndex: number): number {
  if (l.module === "model0") return TINY_WIDTHS.trunk[trunkIndex];
  if (lastOfModule) return l.module.endsWith("_1") ? PAF_CHANNELS : HEATMAP_CHANNELS;
  return l.module.startsWith("model1_") ? TINY_WIDTHS.stage1 : TINY_WIDTHS.stageN;
}

export function testOpenPoseTensors(seed = 1): Map<string, TestTensor> {
  const random = mulberry32(seed);
  const layers = allLayers();
  const tensors = new Map<string, TestTensor>();
  const out = new Map<string, number>();
  const trunkOut = () => out.get("conv4_4_CPM") ?? 0;
  layers.forEach((l, i) => {
    const previous = layers[i - 1];
    const last = layers[i + 1]?.module !== l.module;
    let inC: number;
    if (i === 0) inC = 3;
    else if (previous.module === l.module) inC = out.get(previous.name) ?? 0;
    else if (l.module.startsWith("model1_")) inC = trunkOut();
    else inC = PAF_CHANNELS + HEATMAP_CHANNELS + trunkOut();
    const o = outChannels(l, last, i);
    out.set(l.name, o);
    const fanIn = inC * l.kernel * l.kernel;
    const bound = Math.sqrt(6 / fanIn);
    const n = o * fanIn;
    tensors.set(`${l.name}.weight`, {
      shape: [o, inC, l.kernel, l.kernel],
      data: Float32Array.from({ length: n }, () => (2 * random() - 1) * bound),
    });
    tensors.set(`${l.name}.bias`, {
      shape: [o],
      data: Float32Array.from({ length: o }, () => 0.2 * random() - 0.05),
    });
  });
  return tensors;
}
