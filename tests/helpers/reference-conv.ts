import {
  arrayParam,
  floatParam,
  intParam,
  parseNcnnParam,
  type NcnnLayer,
} from "../../models/ncnn/param";
import { readNcnnWeights } from "../../models/ncnn/weights";

/**
 * A plain float64 forward pass of an ncnn graph, written from ncnn's layer definitions with direct
 * loops: the yardstick the ONNX importer is checked against. It shares only the .param/.bin
 * readers with the importer, never its lowering to ONNX ops, so a wrong DepthToSpace mode, resize
 * rule or weight layout in the importer shows up as a mismatch here. Slow by design; use crops.
 */

/** A (channels, height, width) blob, row-major within each channel plane. */
export interface Blob3 {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float64Array;
}

export function blob3(
  channels: number,
  height: number,
  width: number,
  data?: ArrayLike<number>,
): Blob3 {
  const size = channels * height * width;
  if (data && data.length !== size)
    throw new Error(`blob3: ${data.length} values for ${channels}×${height}×${width}`);
  return { channels, height, width, data: data ? Float64Array.from(data) : new Float64Array(size) };
}

function fail(layer: NcnnLayer, message: string): never {
  throw new Error(`reference: layer ${layer.name} (${layer.type}): ${message}`);
}

function activate(layer: NcnnLayer, data: Float64Array): void {
  const type = intParam(layer, 9, 0);
  const p = arrayParam(layer, 10);
  if (type === 0) return;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (type === 1) data[i] = v > 0 ? v : 0;
    else if (type === 2) data[i] = v > 0 ? v : v * p[0];
    else if (type === 3) data[i] = Math.min(Math.max(v, p[0]), p[1]);
    else if (type === 4) data[i] = 1 / (1 + Math.exp(-v));
    else fail(layer, `activation ${type}`);
  }
}

function convolution(
  layer: NcnnLayer,
  x: Blob3,
  weight: Float32Array,
  bias: Float32Array | undefined,
): Blob3 {
  const outC = intParam(layer, 0, 0);
  const kw = intParam(layer, 1, 0);
  const kh = intParam(layer, 11, kw);
  const dw = intParam(layer, 2, 1);
  const dh = intParam(layer, 12, dw);
  const sw = intParam(layer, 3, 1);
  const sh = intParam(layer, 13, sw);
  const padLeft = intParam(layer, 4, 0);
  const padRight = intParam(layer, 15, padLeft);
  const padTop = intParam(layer, 14, padLeft);
  const padBottom = intParam(layer, 16, padTop);
  const inC = weight.length / (outC * kh * kw);
  if (inC !== x.channels) fail(layer, `weights for ${inC} channels, input has ${x.channels}`);
  const outH = Math.floor((x.height + padTop + padBottom - dh * (kh - 1) - 1) / sh) + 1;
  const outW = Math.floor((x.width + padLeft + padRight - dw * (kw - 1) - 1) / sw) + 1;
  // Unfold the input into one row of inC·kh·kw taps per output pixel (zeros where the window
  // leaves the image), in the weight's own [ic][ky][kx] order: each output is then one long dot
  // product, which keeps this plain loop fast enough for real models on small crops.
  const taps = inC * kh * kw;
  const pixels = outH * outW;
  const columns = new Float64Array(pixels * taps);
  for (let y = 0; y < outH; y++) {
    for (let xo = 0; xo < outW; xo++) {
      const row = (y * outW + xo) * taps;
      for (let ic = 0; ic < inC; ic++) {
        for (let ky = 0; ky < kh; ky++) {
          const iy = y * sh + ky * dh - padTop;
          if (iy < 0 || iy >= x.height) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = xo * sw + kx * dw - padLeft;
            if (ix < 0 || ix >= x.width) continue;
            columns[row + (ic * kh + ky) * kw + kx] = x.data[(ic * x.height + iy) * x.width + ix];
          }
        }
      }
    }
  }
  const out = blob3(outC, outH, outW);
  const w64 = Float64Array.from(weight);
  const dot = (wRow: number, cRow: number) => {
    let sum = 0;
    for (let k = 0; k < taps; k++) sum += w64[wRow + k] * columns[cRow + k];
    return sum;
  };
  for (let p = 0; p < pixels; p++) {
    const cRow = p * taps;
    let oc = 0;
    // Four output channels per pass share each loaded input tap.
    for (; oc + 4 <= outC; oc += 4) {
      const w0 = oc * taps;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < taps; k++) {
        const c = columns[cRow + k];
        s0 += w64[w0 + k] * c;
        s1 += w64[w0 + taps + k] * c;
        s2 += w64[w0 + 2 * taps + k] * c;
        s3 += w64[w0 + 3 * taps + k] * c;
      }
      out.data[oc * pixels + p] = s0;
      out.data[(oc + 1) * pixels + p] = s1;
      out.data[(oc + 2) * pixels + p] = s2;
      out.data[(oc + 3) * pixels + p] = s3;
    }
    for (; oc < outC; oc++) out.data[oc * pixels + p] = dot(oc * taps, cRow);
  }
  if (bias) for (let i = 0; i < out.data.length; i++) out.data[i] += bias[Math.floor(i / pixels)];
  activate(layer, out.data);
  return out;
}

function prelu(layer: NcnnLayer, x: Blob3, slope: Float32Array): Blob3 {
  const out = blob3(x.channels, x.height, x.width, x.data);
  const plane = x.height * x.width;
  for (let i = 0; i < out.data.length; i++) {
    const s = slope.length === 1 ? slope[0] : slope[Math.floor(i / plane)];
    if (out.data[i] < 0) out.data[i] *= s;
  }
  return out;
}

function pixelShuffle(layer: NcnnLayer, x: Blob3): Blob3 {
  const r = intParam(layer, 0, 1);
  const mode = intParam(layer, 1, 0);
  const outC = x.channels / (r * r);
  const out = blob3(outC, x.height * r, x.width * r);
  for (let c = 0; c < outC; c++) {
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < r; j++) {
        // ncnn: mode 0 takes source channel c·r² + i·r + j, mode 1 takes (i·r + j)·C + c.
        const q = mode === 0 ? c * r * r + i * r + j : (i * r + j) * outC + c;
        for (let y = 0; y < x.height; y++) {
          for (let xx = 0; xx < x.width; xx++) {
            out.data[(c * out.height + y * r + i) * out.width + xx * r + j] =
              x.data[(q * x.height + y) * x.width + xx];
          }
        }
      }
    }
  }
  return out;
}

function interpNearest(layer: NcnnLayer, x: Blob3): Blob3 {
  if (intParam(layer, 0, 0) !== 1) fail(layer, "only nearest");
  const sh = floatParam(layer, 1, 1);
  const sw = floatParam(layer, 2, 1);
  const out = blob3(x.channels, Math.floor(x.height * sh), Math.floor(x.width * sw));
  for (let c = 0; c < x.channels; c++) {
    for (let y = 0; y < out.height; y++) {
      const iy = Math.min(Math.floor(y / sh), x.height - 1);
      for (let xx = 0; xx < out.width; xx++) {
        const ix = Math.min(Math.floor(xx / sw), x.width - 1);
        out.data[(c * out.height + y) * out.width + xx] =
          x.data[(c * x.height + iy) * x.width + ix];
      }
    }
  }
  return out;
}

const BINARY: Record<number, (a: number, b: number) => number> = {
  0: (a, b) => a + b,
  1: (a, b) => a - b,
  2: (a, b) => a * b,
  3: (a, b) => a / b,
  4: (a, b) => Math.max(a, b),
  5: (a, b) => Math.min(a, b),
  6: (a, b) => Math.pow(a, b),
  7: (a, b) => b - a,
  8: (a, b) => b / a,
};

function sameShape(layer: NcnnLayer, blobs: readonly Blob3[]): void {
  for (const b of blobs) {
    if (
      b.channels !== blobs[0].channels ||
      b.height !== blobs[0].height ||
      b.width !== blobs[0].width
    ) {
      fail(layer, "inputs differ in shape");
    }
  }
}

function binaryOp(layer: NcnnLayer, inputs: readonly Blob3[]): Blob3 {
  const f = BINARY[intParam(layer, 0, 0)] ?? fail(layer, "op type");
  const a = inputs[0];
  const out = blob3(a.channels, a.height, a.width);
  const withScalar = intParam(layer, 1, 0) !== 0;
  if (!withScalar) sameShape(layer, inputs);
  const scalar = floatParam(layer, 2, 0);
  for (let i = 0; i < out.data.length; i++) {
    out.data[i] = f(a.data[i], withScalar ? scalar : inputs[1].data[i]);
  }
  return out;
}

function eltwise(layer: NcnnLayer, inputs: readonly Blob3[]): Blob3 {
  sameShape(layer, inputs);
  const op = intParam(layer, 0, 1);
  const coeffs = arrayParam(layer, 1);
  const a = inputs[0];
  const out = blob3(a.channels, a.height, a.width);
  for (let i = 0; i < out.data.length; i++) {
    let acc = op === 1 ? 0 : op === 0 ? 1 : -Infinity;
    inputs.forEach((blob, k) => {
      const v = blob.data[i];
      if (op === 0) acc *= v;
      else if (op === 1) acc += (coeffs[k] ?? 1) * v;
      else if (op === 2) acc = Math.max(acc, v);
      else fail(layer, `op type ${op}`);
    });
    out.data[i] = acc;
  }
  return out;
}

function concatChannels(layer: NcnnLayer, inputs: readonly Blob3[]): Blob3 {
  const axis = intParam(layer, 0, 0);
  if (axis !== 0 && axis !== -3) fail(layer, `axis ${axis}`);
  const { height, width } = inputs[0];
  if (inputs.some((b) => b.height !== height || b.width !== width)) fail(layer, "sizes differ");
  const out = blob3(
    inputs.reduce((n, b) => n + b.channels, 0),
    height,
    width,
  );
  let offset = 0;
  for (const b of inputs) {
    out.data.set(b.data, offset);
    offset += b.data.length;
  }
  return out;
}

/**
 * Runs the graph on `input` (RGB, 0..1) and returns the blob no layer reads. `onLayer` sees each
 * layer's first output, for tracing where two implementations part ways.
 */
export function referenceForward(
  paramText: string,
  bin: Uint8Array,
  input: Blob3,
  onLayer?: (layer: NcnnLayer, output: Blob3) => void,
): Blob3 {
  const graph = parseNcnnParam(paramText);
  const weights = readNcnnWeights(graph, bin);
  const blobs = new Map<string, Blob3>();
  const read = new Set(graph.layers.flatMap((l) => l.inputs));
  for (const layer of graph.layers) {
    const inputs = layer.inputs.map(
      (name) => blobs.get(name) ?? fail(layer, `missing blob ${name}`),
    );
    const w = weights.get(layer.name);
    let out: Blob3;
    if (layer.type === "Input") out = input;
    else if (layer.type === "Split") out = inputs[0];
    else if (layer.type === "Convolution" && w?.type === "Convolution") {
      out = convolution(layer, inputs[0], w.weight, w.bias);
    } else if (layer.type === "PReLU" && w?.type === "PReLU")
      out = prelu(layer, inputs[0], w.slope);
    else if (layer.type === "PixelShuffle") out = pixelShuffle(layer, inputs[0]);
    else if (layer.type === "Interp") out = interpNearest(layer, inputs[0]);
    else if (layer.type === "BinaryOp") out = binaryOp(layer, inputs);
    else if (layer.type === "Eltwise") out = eltwise(layer, inputs);
    else if (layer.type === "Concat") out = concatChannels(layer, inputs);
    else fail(layer, "unsupported layer type");
    for (const name of layer.outputs) blobs.set(name, out);
    onLayer?.(layer, out);
  }
  const finals = graph.layers.flatMap((l) => l.outputs).filter((name) => !read.has(name));
  if (finals.length !== 1) throw new Error(`reference: ${finals.length} output blobs`);
  return blobs.get(finals[0])!;
}
