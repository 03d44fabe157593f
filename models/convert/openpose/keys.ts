import { ConversionError } from "../../install/converted";
import { allLayers, HEATMAP_CHANNELS, PAF_CHANNELS, TRUNK, type ConvLayer } from "./config";

/**
 * Which checkpoint keys make which layer. `body_pose_model.pth` stores the annotator's layers by
 * their bare names ("conv1_1.weight", "Mconv1_stage2_L1.bias"): the annotator's `util.transfer`
 * drops the module prefix of its own state dict to find them. A state dict saved from the
 * annotator's model has the prefixed names ("model0.conv1_1.weight", "model2_1.Mconv1_stage2_L1…").
 * Both are read. Channel counts come from the shapes and must chain; any unknown, missing or
 * misshapen key is reported, all at once.
 */

export type KeyLayout = "bare" | "prefixed";

export interface LayerPlan extends ConvLayer {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly weightKey: string;
  readonly biasKey: string;
}

export interface KeyPlan {
  readonly layout: KeyLayout;
  /** Every conv in forward order. */
  readonly layers: readonly LayerPlan[];
}

interface ShapedKey {
  readonly name: string;
  readonly shape: readonly number[];
}

export class OpenPoseKeyError extends ConversionError {
  constructor(readonly problems: readonly string[]) {
    super(
      `the checkpoint does not match the OpenPose body model (body_pose_model.pth; ` +
        `${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  ${problems.join("\n  ")}`,
    );
  }
}

export function planKeys(tensors: readonly ShapedKey[]): KeyPlan {
  const layout: KeyLayout = tensors.some((t) => t.name.startsWith("model0.")) ? "prefixed" : "bare";
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const problems: string[] = [];
  const expected = new Set<string>();
  const layers: LayerPlan[] = [];
  const outOf = new Map<string, number>();

  const inputOf = (layer: ConvLayer, index: number, all: readonly ConvLayer[]): number => {
    if (layer.module === "model0") return index === 0 ? 3 : (outOf.get(all[index - 1].name) ?? -1);
    const previous = all[index - 1];
    if (previous.module === layer.module) return outOf.get(previous.name) ?? -1;
    // The first conv of a stage branch: the trunk's features, after stage 1 with both branches.
    const trunk = outOf.get(TRUNK[TRUNK.length - 1].name) ?? -1;
    return layer.module.startsWith("model1_") ? trunk : PAF_CHANNELS + HEATMAP_CHANNELS + trunk;
  };

  const all = allLayers();
  all.forEach((layer, index) => {
    const prefix = layout === "bare" ? layer.name : `${layer.module}.${layer.name}`;
    const weightKey = `${prefix}.weight`;
    const biasKey = `${prefix}.bias`;
    expected.add(weightKey);
    expected.add(biasKey);
    const weight = byName.get(weightKey);
    const bias = byName.get(biasKey);
    if (!weight) problems.push(`missing key ${weightKey}`);
    if (!bias) problems.push(`missing key ${biasKey}`);
    if (!weight || !bias) return;
    const [out, inC, kh, kw] = weight.shape;
    const want = inputOf(layer, index, all);
    const k = layer.kernel;
    if (weight.shape.length !== 4 || kh !== k || kw !== k || (want >= 0 && inC !== want)) {
      const wanted = want >= 0 ? `[out, ${want}, ${k}, ${k}]` : `[out, in, ${k}, ${k}]`;
      problems.push(`${weightKey} has shape [${weight.shape.join(", ")}], expected ${wanted}`);
      return;
    }
    const lastOfStage = layer.module !== "model0" && all[index + 1]?.module !== layer.module;
    if (lastOfStage) {
      const channels = layer.module.endsWith("_1") ? PAF_CHANNELS : HEATMAP_CHANNELS;
      if (out !== channels) {
        problems.push(`${weightKey} gives ${out} channels, the network's output has ${channels}`);
      }
    }
    if (bias.shape.length !== 1 || bias.shape[0] !== out) {
      problems.push(`${biasKey} has shape [${bias.shape.join(", ")}], expected [${out}]`);
      return;
    }
    outOf.set(layer.name, out);
    layers.push({ ...layer, inChannels: inC, outChannels: out, weightKey, biasKey });
  });
  for (const t of tensors) if (!expected.has(t.name)) problems.push(`unknown key ${t.name}`);
  if (problems.length > 0) throw new OpenPoseKeyError(problems);
  return { layout, layers };
}
