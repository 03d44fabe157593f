import { conv2d, map3, type Map3, type RawWeights } from "../densepose/reference";
import { allLayers, INPUT_DIVISOR, INPUT_OFFSET, STAGES, type ConvLayer } from "./config";

/**
 * A plain float64 forward pass of the annotator's `bodypose_model`, with direct loops, fed the
 * checkpoint's raw tensors by their bare names (`conv1_1.weight`, …). It shares only the layer
 * list with the converter, so a wrong weight layout, padding, pooling, concatenation order or ReLU
 * placement in the ONNX graph shows up as a mismatch. Slow by design: tiny widths, small images.
 */

function relu(x: Map3): Map3 {
  for (let i = 0; i < x.data.length; i++) if (x.data[i] < 0) x.data[i] = 0;
  return x;
}

/** torch's MaxPool2d(2, 2, 0): floor of odd sizes. */
function maxPool2(x: Map3): Map3 {
  const h = Math.floor(x.height / 2);
  const w = Math.floor(x.width / 2);
  const y = map3(x.channels, h, w);
  for (let c = 0; c < x.channels; c++) {
    for (let r = 0; r < h; r++) {
      for (let q = 0; q < w; q++) {
        const at = (dr: number, dq: number) =>
          x.data[(c * x.height + 2 * r + dr) * x.width + 2 * q + dq];
        y.data[(c * h + r) * w + q] = Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1));
      }
    }
  }
  return y;
}

function concat(parts: readonly Map3[]): Map3 {
  const { height, width } = parts[0];
  const y = map3(
    parts.reduce((n, p) => n + p.channels, 0),
    height,
    width,
  );
  let offset = 0;
  for (const p of parts) {
    y.data.set(p.data, offset);
    offset += p.data.length;
  }
  return y;
}

function layer(x: Map3, l: ConvLayer, weights: RawWeights): Map3 {
  const weight = weights.get(`${l.name}.weight`);
  const bias = weights.get(`${l.name}.bias`);
  if (!weight || !bias) throw new Error(`reference: no tensors for ${l.name}`);
  let y = conv2d(x, weight, bias, 1, (l.kernel - 1) / 2);
  if (l.relu) y = relu(y);
  return l.poolAfter ? maxPool2(y) : y;
}

/** `image`: BGR 0..255, (3, H, W). Returns the last stage's L1 (PAF) and L2 (heatmap) maps. */
export function openPoseReference(weights: RawWeights, image: Map3): { paf: Map3; heatmaps: Map3 } {
  const layers = allLayers();
  const run = (x: Map3, module: string) =>
    layers.filter((l) => l.module === module).reduce((y, l) => layer(y, l, weights), x);
  const input = map3(3, image.height, image.width);
  for (let i = 0; i < input.data.length; i++) {
    input.data[i] = image.data[i] / INPUT_DIVISOR - INPUT_OFFSET;
  }
  const trunk = run(input, "model0");
  let paf = run(trunk, "model1_1");
  let heatmaps = run(trunk, "model1_2");
  for (let s = 2; s <= STAGES; s++) {
    const features = concat([paf, heatmaps, trunk]);
    paf = run(features, `model${s}_1`);
    heatmaps = run(features, `model${s}_2`);
  }
  return { paf, heatmaps };
}
