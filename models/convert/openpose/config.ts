/**
 * The CMU OpenPose body network (COCO, 18 parts) as ControlNet's annotator builds it
 * (`annotator/openpose/model.py`, `bodypose_model`): a VGG-19 trunk to conv4_2 plus two CPM
 * convolutions, then six stages of two branches, L1 the 38 part-affinity-field channels and L2 the
 * 19 heatmap channels (18 parts + background). Each stage from the second takes the previous
 * stage's two outputs and the trunk's features, concatenated as [L1, L2, trunk]. Channel widths are
 * not here: the converter reads them from the checkpoint, so a test can use tiny ones.
 */

export const MODEL_ID = "openpose-body";

export const PAF_CHANNELS = 38;
export const HEATMAP_CHANNELS = 19;
export const STAGES = 6;
/** Three 2×2 max-pools of stride 2 (floor): the outputs are at 1/8 of the input. */
export const STRIDE = 8;

/** The annotator's input: BGR uint8 as float32, then x / 256 − 0.5. */
export const INPUT_DIVISOR = 256;
export const INPUT_OFFSET = 0.5;

export interface ConvLayer {
  /** The layer's name in the annotator's OrderedDict, e.g. "conv1_1" or "Mconv3_stage2_L1". */
  readonly name: string;
  /** The nn.Sequential holding it: "model0", "model1_1" … "model6_2". */
  readonly module: string;
  readonly kernel: number;
  /** make_layers adds a ReLU unless the name is in `no_relu_layers`. */
  readonly relu: boolean;
  /** A 2×2 stride-2 max-pool follows (pool1_stage1 … pool3_stage1). */
  readonly poolAfter: boolean;
}

const TRUNK_NAMES = [
  "conv1_1",
  "conv1_2",
  "conv2_1",
  "conv2_2",
  "conv3_1",
  "conv3_2",
  "conv3_3",
  "conv3_4",
  "conv4_1",
  "conv4_2",
  "conv4_3_CPM",
  "conv4_4_CPM",
] as const;
const POOLED = new Set(["conv1_2", "conv2_2", "conv3_4"]);

/** VGG trunk: every conv 3×3 with ReLU (conv4_3_CPM and conv4_4_CPM included). */
export const TRUNK: readonly ConvLayer[] = TRUNK_NAMES.map((name) => ({
  name,
  module: "model0",
  kernel: 3,
  relu: true,
  poolAfter: POOLED.has(name),
}));

/**
 * The annotator's `no_relu_layers` lists 'Mconv7_stage6_L1' twice and never 'Mconv7_stage6_L2',
 * so the last heatmap conv keeps its ReLU: the network's heatmaps are clipped at 0. Reproduced.
 */
function lastHasRelu(stage: number, branch: 1 | 2): boolean {
  return stage === STAGES && branch === 2;
}

/** One stage's branch: stage 1 is conv5_1..5_5_CPM (3, 3, 3, 1, 1), later ones Mconv1..7 (7×5, 1, 1). */
export function stageLayers(stage: number, branch: 1 | 2): ConvLayer[] {
  const module = `model${stage}_${branch}`;
  const kernels = stage === 1 ? [3, 3, 3, 1, 1] : [7, 7, 7, 7, 7, 1, 1];
  return kernels.map((kernel, i) => {
    const last = i === kernels.length - 1;
    const name =
      stage === 1 ? `conv5_${i + 1}_CPM_L${branch}` : `Mconv${i + 1}_stage${stage}_L${branch}`;
    return { name, module, kernel, relu: !last || lastHasRelu(stage, branch), poolAfter: false };
  });
}

/** Every conv of the network in forward order: trunk, then per stage branch L1 then L2. */
export function allLayers(): ConvLayer[] {
  const layers = [...TRUNK];
  for (let s = 1; s <= STAGES; s++) layers.push(...stageLayers(s, 1), ...stageLayers(s, 2));
  return layers;
}
