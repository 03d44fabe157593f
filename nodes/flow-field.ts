import { createMask, type RgbaImage } from "./core/image";
import { param } from "./core/params";
import { defineNode, NodeError } from "./core/types";
import { averageFlowSteps } from "./lib/flow/average-steps";
import { isFlowField, type FlowField, type FlowLayer } from "./core/flow";
import { colouriseConfidence, colouriseFlow } from "./lib/flow-display/colourise";
import { maskedL2 } from "./lib/flow-display/leffa-loss";
import { DEFAULT_OVERLAY_OPACITY, overlayWarped } from "./lib/flow-display/overlay";
import { upsampleConfidence, upsampleFlow } from "./lib/flow-display/upsample-flow";
import { warpByFlow } from "./lib/flow-display/warp";

/**
 * Shows where the Leffa Sampler's attention looked (leffa.md §3; the Leffa paper's flow field):
 * for every pixel of the result, the attention-weighted garment position it copied from. Three
 * views of one layer (or the mean of the collected layers on one grid), averaged over the
 * collected steps: the flow colour-coded (the colour names a garment position; the legend is
 * flowLegend), the garment warped by the flow over the result inside the mask, and the share of
 * attention that went to the garment. The text gives Leffa's loss at inference: the masked L2
 * between the warped garment and the result — lower means details were carried over.
 */

interface Averaged {
  readonly flow: Float32Array;
  readonly confidence: Float32Array;
  readonly gridWidth: number;
  readonly gridHeight: number;
  readonly label: string;
}

function averageLayers(layers: readonly FlowLayer[], label: string): Averaged {
  const [first] = layers;
  const same = layers.filter(
    (l) => l.gridWidth === first.gridWidth && l.gridHeight === first.gridHeight,
  );
  const means = same.map((l) => averageFlowSteps(l.steps));
  const flow = new Float32Array(means[0].flow.length);
  const confidence = new Float32Array(means[0].confidence.length);
  for (const m of means) {
    for (let i = 0; i < flow.length; i++) flow[i] += m.flow[i] / means.length;
    for (let i = 0; i < confidence.length; i++) confidence[i] += m.confidence[i] / means.length;
  }
  return { flow, confidence, gridWidth: first.gridWidth, gridHeight: first.gridHeight, label };
}

function pickLayers(field: FlowField, choice: string): Averaged {
  if (field.layers.length === 0) {
    throw new NodeError(
      'the sampler computed no flow field: set its "flow field" param to collect one, and ' +
        "use graphs converted with flow outputs (the converter adds them by default)",
    );
  }
  if (choice === "mean") {
    return averageLayers(field.layers, `mean of ${field.layers.map((l) => l.name).join(", ")}`);
  }
  const layer = field.layers.find((l) => l.name === choice);
  if (!layer) {
    throw new NodeError(
      `layer ${choice} was not collected; the flow has ${field.layers.map((l) => l.name).join(", ")}`,
    );
  }
  return averageLayers([layer], layer.name);
}

export const flowFieldNode = defineNode({
  type: "flow-field",
  version: 1,
  title: "Flow Field",
  category: "Generation",
  description:
    "Where the Leffa Sampler's attention looked: the flow colour-coded, the garment warped by it over the result, and how much attention went to the garment; with Leffa's loss as a score of how well details carried over.",
  inputs: { flow: { type: "FLOW" } },
  outputs: {
    flow: { type: "IMAGE", label: "flow colours" },
    warped: { type: "IMAGE", label: "warped garment" },
    confidence: { type: "IMAGE", label: "attention on garment" },
  },
  params: {
    layer: param.select({
      label: "layer",
      options: [
        { value: "mean", label: "mean of the collected layers" },
        { value: "up_blocks.3.attentions.0", label: "up_blocks.3.attentions.0 (1/8)" },
        { value: "up_blocks.3.attentions.1", label: "up_blocks.3.attentions.1 (1/8)" },
        { value: "up_blocks.3.attentions.2", label: "up_blocks.3.attentions.2 (1/8)" },
        { value: "up_blocks.2.attentions.0", label: "up_blocks.2.attentions.0 (1/16)" },
        { value: "up_blocks.2.attentions.1", label: "up_blocks.2.attentions.1 (1/16)" },
        { value: "up_blocks.2.attentions.2", label: "up_blocks.2.attentions.2 (1/16)" },
      ],
      default: "mean",
    }),
    opacity: param.number({
      label: "overlay opacity",
      min: 0,
      max: 1,
      step: 0.05,
      default: DEFAULT_OVERLAY_OPACITY,
      slider: true,
    }),
  },
  async run(_ctx, inputs, params) {
    const value = inputs.flow;
    if (!isFlowField(value)) throw new NodeError('input "flow" expects a Leffa Sampler flow');
    const { reference, result, mask } = value;
    if (!reference || !result) {
      throw new NodeError("this flow carries no images to draw on; run the Leffa Sampler again");
    }
    const chosen = pickLayers(value, params.layer);
    const { width, height } = value;
    const flowUp = upsampleFlow(chosen.flow, chosen.gridWidth, chosen.gridHeight, width, height);
    const warped = warpByFlow(reference, flowUp, width, height);
    const region = mask ?? createMask(width, height, new Float32Array(width * height).fill(1));
    const overlay = overlayWarped(result, warped, region, params.opacity);
    const colours = colouriseFlow(flowUp, width, height);
    const confidence = colouriseConfidence(
      upsampleConfidence(chosen.confidence, chosen.gridWidth, chosen.gridHeight, width, height),
      width,
      height,
    );
    const loss = maskedL2(warped, result, region);
    const steps = value.layers[0].steps.length;
    const images: RgbaImage[] = [colours, overlay, confidence];
    return {
      outputs: { flow: colours, warped: overlay, confidence },
      ui: {
        images,
        flow: value,
        text:
          (loss.value === null
            ? "Leffa loss: the mask is empty"
            : `Leffa loss (masked L2) ${loss.value.toFixed(4)} over ${Math.round(loss.pixels)} px`) +
          ` · ${chosen.label} · mean of ${steps} step${steps === 1 ? "" : "s"}`,
      },
    };
  },
});
