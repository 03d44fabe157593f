import { GraphBuilder } from "../onnx/builder";
import { float16BitsToFloat32, toFloat16Bits } from "../onnx/float16";
import { arrayParam, floatParam, intParam, parseNcnnParam, type NcnnLayer } from "./param";
import { readNcnnWeights, type NcnnLayerWeights } from "./weights";

/**
 * ncnn → ONNX (opset 17) for image-to-image graphs such as Real-ESRGAN: one RGB input blob, one
 * output blob, 3-D (channel, height, width) blobs throughout. The ONNX input is `input` float32
 * [1, 3, "height", "width"] and the output `output` float32 [1, 3, "height_xS", "width_xS"] where S
 * is the graph's spatial scale, tracked through the layers. Only the layer types the Real-ESRGAN
 * graphs use are supported; anything else is an error naming the layer. The output is a pure
 * function of the input bytes (the model manifest pins its sha256).
 */

export interface NcnnToOnnxOptions {
  /** The ONNX graph name. */
  readonly name: string;
}

export const ONNX_INPUT = "input";
export const ONNX_OUTPUT = "output";
const RGB = 3;

/**
 * Convolution weights that ncnn stored as fp16 are stored as fp16 again, with a Cast to fp32 in
 * the graph: the same values exactly, in half the download (x4plus: 33 MB instead of 67 MB).
 * onnxruntime folds the Cast into an fp32 constant when the session loads, so the GPU never needs
 * fp16 support and the arithmetic stays fp32.
 */
function weightInitializer(
  g: GraphBuilder,
  name: string,
  values: Float32Array,
  dims: readonly number[],
): string {
  const half = toFloat16Bits(values);
  for (let i = 0; i < values.length; i++) {
    if (float16BitsToFloat32(half[i]) !== values[i]) return g.initializer(name, values, dims);
  }
  return g.cast(g.initializer(`${name}.fp16`, half, dims, { as: "float16" }), "float32", name);
}

export class NcnnImportError extends Error {
  constructor(layer: NcnnLayer, message: string) {
    super(
      `ncnn import: layer ${layer.name} (${layer.type}, .param line ${layer.line}): ${message}`,
    );
    this.name = "NcnnImportError";
  }
}

/** What the importer knows about a blob: its ONNX tensor and its shape relative to the input. */
interface Blob {
  readonly tensor: string;
  readonly channels: number;
  readonly scaleH: number;
  readonly scaleW: number;
}

class Importer {
  readonly g: GraphBuilder;
  private readonly blobs = new Map<string, Blob>();

  constructor(
    name: string,
    private readonly weights: ReadonlyMap<string, NcnnLayerWeights>,
    private readonly finalBlob: string,
  ) {
    this.g = new GraphBuilder(name);
  }

  blob(layer: NcnnLayer, index: number): Blob {
    const blob = this.blobs.get(layer.inputs[index]);
    if (!blob) throw new NcnnImportError(layer, `input ${layer.inputs[index]} has no tensor`);
    return blob;
  }

  setBlob(name: string, blob: Blob): void {
    this.blobs.set(name, blob);
  }

  /**
   * Emits the node that produces ncnn blob `layer.outputs[0]`; the graph's final blob gets the
   * ONNX output name so no trailing Identity is needed.
   */
  produce(
    layer: NcnnLayer,
    op: string,
    inputs: readonly string[],
    attrs: Parameters<GraphBuilder["node"]>[2],
    shape: Omit<Blob, "tensor">,
  ): void {
    const out = layer.outputs[0];
    const [tensor] = this.g.node(op, inputs, attrs, out === this.finalBlob ? [ONNX_OUTPUT] : 1);
    this.blobs.set(out, { ...shape, tensor });
  }

  weightsOf<T extends NcnnLayerWeights["type"]>(
    layer: NcnnLayer,
    type: T,
  ): Extract<NcnnLayerWeights, { type: T }> {
    const w = this.weights.get(layer.name);
    if (!w || w.type !== type) throw new NcnnImportError(layer, "its weights were not read");
    return w as Extract<NcnnLayerWeights, { type: T }>;
  }

  finalTensor(): Blob {
    const blob = this.blobs.get(this.finalBlob);
    if (!blob) throw new Error(`ncnn import: final blob ${this.finalBlob} was never produced`);
    return blob;
  }
}

function shapeOf(blob: Blob): Omit<Blob, "tensor"> {
  return { channels: blob.channels, scaleH: blob.scaleH, scaleW: blob.scaleW };
}

function expectArity(layer: NcnnLayer, inputs: number | "many", outputs: number | "many"): void {
  const okIn = inputs === "many" ? layer.inputs.length >= 2 : layer.inputs.length === inputs;
  const okOut = outputs === "many" ? layer.outputs.length >= 1 : layer.outputs.length === outputs;
  if (!okIn || !okOut) {
    throw new NcnnImportError(
      layer,
      `has ${layer.inputs.length} inputs and ${layer.outputs.length} outputs, expected ` +
        `${inputs === "many" ? "2 or more" : inputs} and ${outputs === "many" ? "1 or more" : outputs}`,
    );
  }
}

/** Blob sizes must match exactly: ncnn's broadcasting rules differ from ONNX's. */
function sameSize(layer: NcnnLayer, blobs: readonly Blob[]): { scaleH: number; scaleW: number } {
  const [first] = blobs;
  if (blobs.some((b) => b.scaleH !== first.scaleH || b.scaleW !== first.scaleW)) {
    throw new NcnnImportError(layer, "its inputs differ in height or width");
  }
  return { scaleH: first.scaleH, scaleW: first.scaleW };
}

function sameShape(layer: NcnnLayer, blobs: readonly Blob[]): Omit<Blob, "tensor"> {
  const size = sameSize(layer, blobs);
  if (blobs.some((b) => b.channels !== blobs[0].channels)) {
    throw new NcnnImportError(layer, "its inputs differ in channel count");
  }
  return { ...size, channels: blobs[0].channels };
}

function scalar(im: Importer, name: string, value: number): string {
  return im.g.initializer(name, new Float32Array([value]), []);
}

function importConvolution(im: Importer, layer: NcnnLayer): void {
  expectArity(layer, 1, 1);
  const x = im.blob(layer, 0);
  const { weight, bias } = im.weightsOf(layer, "Convolution");
  const numOutput = intParam(layer, 0, 0);
  const kernelW = intParam(layer, 1, 0);
  const kernelH = intParam(layer, 11, kernelW);
  const dilationW = intParam(layer, 2, 1);
  const dilationH = intParam(layer, 12, dilationW);
  const strideW = intParam(layer, 3, 1);
  const strideH = intParam(layer, 13, strideW);
  const padLeft = intParam(layer, 4, 0);
  const padRight = intParam(layer, 15, padLeft);
  const padTop = intParam(layer, 14, padLeft);
  const padBottom = intParam(layer, 16, padTop);
  if (floatParam(layer, 18, 0) !== 0) throw new NcnnImportError(layer, "non-zero pad_value");
  if (Math.min(padLeft, padRight, padTop, padBottom) < 0) {
    throw new NcnnImportError(layer, "automatic (SAME) padding is not supported");
  }
  // Blob sizes are tracked as multiples of the input size, so a convolution must keep the size.
  const keepsSize =
    strideW === 1 &&
    strideH === 1 &&
    padLeft + padRight === dilationW * (kernelW - 1) &&
    padTop + padBottom === dilationH * (kernelH - 1);
  if (!keepsSize)
    throw new NcnnImportError(layer, "only size-preserving convolutions are supported");
  const numInput = weight.length / (numOutput * kernelH * kernelW);
  if (numInput !== x.channels) {
    throw new NcnnImportError(
      layer,
      `weights are for ${numInput} input channels, the input has ${x.channels}`,
    );
  }

  const w = weightInitializer(im.g, `${layer.name}.weight`, weight, [
    numOutput,
    numInput,
    kernelH,
    kernelW,
  ]);
  const inputs = [x.tensor, w];
  if (bias) inputs.push(im.g.initializer(`${layer.name}.bias`, bias, [numOutput]));
  const attrs = {
    kernel_shape: [kernelH, kernelW],
    dilations: [dilationH, dilationW],
    strides: [1, 1],
    pads: [padTop, padLeft, padBottom, padRight],
  };
  const shape = { channels: numOutput, scaleH: x.scaleH, scaleW: x.scaleW };
  const activation = intParam(layer, 9, 0);
  if (activation === 0) {
    im.produce(layer, "Conv", inputs, attrs, shape);
    return;
  }
  const [conv] = im.g.node("Conv", inputs, attrs);
  const params = arrayParam(layer, 10);
  if (activation === 1) im.produce(layer, "Relu", [conv], {}, shape);
  else if (activation === 2) {
    im.produce(layer, "LeakyRelu", [conv], { alpha: { float: params[0] ?? 0 } }, shape);
  } else if (activation === 3) {
    const min = scalar(im, `${layer.name}.clip_min`, params[0] ?? -Infinity);
    const max = scalar(im, `${layer.name}.clip_max`, params[1] ?? Infinity);
    im.produce(layer, "Clip", [conv, min, max], {}, shape);
  } else if (activation === 4) im.produce(layer, "Sigmoid", [conv], {}, shape);
  else throw new NcnnImportError(layer, `fused activation type ${activation} is not supported`);
}

function importPReLU(im: Importer, layer: NcnnLayer): void {
  expectArity(layer, 1, 1);
  const x = im.blob(layer, 0);
  const { slope } = im.weightsOf(layer, "PReLU");
  if (slope.length !== 1 && slope.length !== x.channels) {
    throw new NcnnImportError(layer, `${slope.length} slopes for ${x.channels} channels`);
  }
  // [C, 1, 1] broadcasts per channel against [N, C, H, W]; one slope is shared by all.
  const dims = slope.length === 1 ? [1] : [slope.length, 1, 1];
  const s = im.g.initializer(`${layer.name}.slope`, slope, dims);
  im.produce(layer, "PRelu", [x.tensor, s], {}, shapeOf(x));
}

function importPixelShuffle(im: Importer, layer: NcnnLayer): void {
  expectArity(layer, 1, 1);
  const x = im.blob(layer, 0);
  const factor = intParam(layer, 0, 1);
  const mode = intParam(layer, 1, 0);
  if (factor < 1 || x.channels % (factor * factor) !== 0) {
    throw new NcnnImportError(layer, `cannot shuffle ${x.channels} channels by ${factor}`);
  }
  if (mode !== 0 && mode !== 1) throw new NcnnImportError(layer, `unknown mode ${mode}`);
  // Mode 0 is PyTorch's PixelShuffle (channel-major: c·r² + i·r + j) = ONNX CRD; mode 1 is
  // TensorFlow's depth_to_space ((i·r + j)·C + c) = ONNX DCR.
  im.produce(
    layer,
    "DepthToSpace",
    [x.tensor],
    { blocksize: factor, mode: mode === 0 ? "CRD" : "DCR" },
    {
      channels: x.channels / (factor * factor),
      scaleH: x.scaleH * factor,
      scaleW: x.scaleW * factor,
    },
  );
}

function importInterp(im: Importer, layer: NcnnLayer): void {
  expectArity(layer, 1, 1);
  const x = im.blob(layer, 0);
  const resizeType = intParam(layer, 0, 0);
  const scaleH = floatParam(layer, 1, 1);
  const scaleW = floatParam(layer, 2, 1);
  if (resizeType !== 1)
    throw new NcnnImportError(layer, `resize type ${resizeType} is not nearest (1)`);
  if (intParam(layer, 3, 0) !== 0 || intParam(layer, 4, 0) !== 0 || intParam(layer, 5, 0) !== 0) {
    throw new NcnnImportError(layer, "only scale factors are supported, not output sizes");
  }
  if (!Number.isInteger(scaleH) || !Number.isInteger(scaleW) || scaleH < 1 || scaleW < 1) {
    throw new NcnnImportError(layer, `scale factors ${scaleH}×${scaleW} must be positive integers`);
  }
  const scales = im.g.initializer(
    `${layer.name}.scales`,
    new Float32Array([1, 1, scaleH, scaleW]),
    [4],
  );
  // ncnn's nearest picks source index floor(dst / scale): ONNX "asymmetric" + "floor".
  im.produce(
    layer,
    "Resize",
    [x.tensor, "", scales],
    { mode: "nearest", coordinate_transformation_mode: "asymmetric", nearest_mode: "floor" },
    { channels: x.channels, scaleH: x.scaleH * scaleH, scaleW: x.scaleW * scaleW },
  );
}

/** ncnn BinaryOp op types → ONNX op, and whether the operands swap (rsub, rdiv). */
const BINARY_OPS: Record<number, { op: string; swap: boolean } | undefined> = {
  0: { op: "Add", swap: false },
  1: { op: "Sub", swap: false },
  2: { op: "Mul", swap: false },
  3: { op: "Div", swap: false },
  4: { op: "Max", swap: false },
  5: { op: "Min", swap: false },
  6: { op: "Pow", swap: false },
  7: { op: "Sub", swap: true },
  8: { op: "Div", swap: true },
};

function importBinaryOp(im: Importer, layer: NcnnLayer): void {
  const opType = intParam(layer, 0, 0);
  const binary = BINARY_OPS[opType];
  if (!binary) throw new NcnnImportError(layer, `binary op type ${opType} is not supported`);
  const withScalar = intParam(layer, 1, 0) !== 0;
  expectArity(layer, withScalar ? 1 : 2, 1);
  const a = im.blob(layer, 0);
  const [b, shape] = withScalar
    ? [scalar(im, `${layer.name}.b`, floatParam(layer, 2, 0)), shapeOf(a)]
    : [im.blob(layer, 1).tensor, sameShape(layer, [a, im.blob(layer, 1)])];
  im.produce(layer, binary.op, binary.swap ? [b, a.tensor] : [a.tensor, b], {}, shape);
}

function importEltwise(im: Importer, layer: NcnnLayer): void {
  expectArity(layer, "many", 1);
  const inputs = layer.inputs.map((_, i) => im.blob(layer, i));
  const shape = sameShape(layer, inputs);
  const opType = intParam(layer, 0, 1);
  const coeffs = arrayParam(layer, 1);
  if (opType === 0 || opType === 2) {
    const op = opType === 0 ? "Mul" : "Max";
    let acc = inputs[0].tensor;
    for (const next of inputs.slice(1, -1)) [acc] = im.g.node(op, [acc, next.tensor]);
    im.produce(layer, op, [acc, inputs[inputs.length - 1].tensor], {}, shape);
    return;
  }
  if (opType !== 1) throw new NcnnImportError(layer, `eltwise op type ${opType} is not supported`);
  if (coeffs.length !== 0 && coeffs.length !== inputs.length) {
    throw new NcnnImportError(layer, `${coeffs.length} coefficients for ${inputs.length} inputs`);
  }
  const terms = inputs.map((blob, i) => {
    const c = coeffs[i] ?? 1;
    if (c === 1) return blob.tensor;
    return im.g.node("Mul", [blob.tensor, scalar(im, `${layer.name}.coeff${i}`, c)])[0];
  });
  im.produce(layer, terms.length === 2 ? "Add" : "Sum", terms, {}, shape);
}

function importConcat(im: Importer, layer: NcnnLayer): void {
  expectArity(layer, "many", 1);
  const inputs = layer.inputs.map((_, i) => im.blob(layer, i));
  const axis = intParam(layer, 0, 0);
  // ncnn axes exclude the batch: for (c, h, w) blobs axis 0 (or -3) is the channel, ONNX axis 1.
  if (axis !== 0 && axis !== -3)
    throw new NcnnImportError(layer, `only channel concat (axis 0), not ${axis}`);
  const { scaleH, scaleW } = sameSize(layer, inputs);
  const channels = inputs.reduce((sum, b) => sum + b.channels, 0);
  im.produce(
    layer,
    "Concat",
    inputs.map((b) => b.tensor),
    { axis: 1 },
    { channels, scaleH, scaleW },
  );
}

function importLayer(im: Importer, layer: NcnnLayer): void {
  switch (layer.type) {
    case "Input":
      expectArity(layer, 0, 1);
      im.setBlob(layer.outputs[0], {
        tensor: im.g.input(ONNX_INPUT, "float32", [1, RGB, "height", "width"]),
        channels: RGB,
        scaleH: 1,
        scaleW: 1,
      });
      return;
    case "Split": {
      // ncnn makes a copy per consumer; in ONNX every consumer can read the same tensor.
      expectArity(layer, 1, "many");
      const x = im.blob(layer, 0);
      for (const out of layer.outputs) im.setBlob(out, x);
      return;
    }
    case "Convolution":
      return importConvolution(im, layer);
    case "PReLU":
      return importPReLU(im, layer);
    case "PixelShuffle":
      return importPixelShuffle(im, layer);
    case "Interp":
      return importInterp(im, layer);
    case "BinaryOp":
      return importBinaryOp(im, layer);
    case "Eltwise":
      return importEltwise(im, layer);
    case "Concat":
      return importConcat(im, layer);
    default:
      throw new NcnnImportError(layer, `layer type ${layer.type} is not supported`);
  }
}

/** The single blob no layer reads: the graph's result. */
function findFinalBlob(layers: readonly NcnnLayer[]): string {
  const read = new Set(layers.flatMap((l) => l.inputs));
  const finals = layers.flatMap((l) => l.outputs).filter((b) => !read.has(b));
  if (finals.length !== 1) {
    throw new Error(
      `ncnn import: expected one output blob, found ${finals.length} (${finals.join(", ")})`,
    );
  }
  return finals[0];
}

function scaledDim(base: string, scale: number): string {
  return scale === 1 ? base : `${base}_x${scale}`;
}

export function ncnnToOnnx(
  paramText: string,
  bin: Uint8Array,
  options: NcnnToOnnxOptions,
): Uint8Array {
  const graph = parseNcnnParam(paramText);
  const inputLayers = graph.layers.filter((l) => l.type === "Input");
  if (inputLayers.length !== 1) {
    throw new Error(`ncnn import: expected one Input layer, found ${inputLayers.length}`);
  }
  const weights = readNcnnWeights(graph, bin);
  const finalBlob = findFinalBlob(graph.layers);
  const im = new Importer(options.name, weights, finalBlob);
  for (const layer of graph.layers) importLayer(im, layer);

  const result = im.finalTensor();
  if (result.channels !== RGB) {
    throw new Error(
      `ncnn import: the output blob ${finalBlob} has ${result.channels} channels, not 3 (RGB)`,
    );
  }
  // Split or Input aliasing can leave the final blob under another name.
  if (result.tensor !== ONNX_OUTPUT) im.g.node("Identity", [result.tensor], {}, [ONNX_OUTPUT]);
  im.g.output(ONNX_OUTPUT, "float32", [
    1,
    RGB,
    scaledDim("height", result.scaleH),
    scaledDim("width", result.scaleW),
  ]);
  return im.g.toBytes(17);
}
