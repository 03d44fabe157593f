import { getFloat16 } from "@petamoriken/float16";
import { intParam, type NcnnGraph, type NcnnLayer } from "./param";

/**
 * The ncnn `.bin` file: the weights of every layer that has any, concatenated in layer order with
 * no index, so reading it means knowing how much each layer type consumes. A "tagged" block (what
 * ncnn calls `load(n, 0)`) starts with a 4-byte storage tag; a raw block (`load(n, 1)`) is fp32
 * with no tag. Convolution: tagged weights, then raw bias when `bias_term`; PReLU: raw slopes.
 * Little-endian throughout (ncnn writes native order; every platform it ships on is LE).
 */

export interface ConvolutionWeights {
  readonly type: "Convolution";
  /** [num_output, num_input, kernel_h, kernel_w], the same order as an ONNX Conv weight. */
  readonly weight: Float32Array;
  readonly bias?: Float32Array;
}

export interface PReLUWeights {
  readonly type: "PReLU";
  readonly slope: Float32Array;
}

export type NcnnLayerWeights = ConvolutionWeights | PReLUWeights;

/** Layer types this importer knows and that carry no weights in the .bin. */
export const WEIGHTLESS_LAYER_TYPES: ReadonlySet<string> = new Set([
  "Input",
  "Split",
  "PixelShuffle",
  "Interp",
  "BinaryOp",
  "Eltwise",
  "Concat",
]);

const TAG_FLOAT16 = 0x01306b47;
/** fp32 values "with extra scaling" in ncnn's writer; the values themselves are plain fp32. */
const TAG_FLOAT32_SCALED = 0x0002c056;
const TAG_FLOAT32 = 0;

export class NcnnBinError extends Error {
  constructor(message: string) {
    super(`ncnn .bin: ${message}`);
    this.name = "NcnnBinError";
  }
}

let float16Table: Float32Array | undefined;

/** Every fp16 bit pattern decoded once: the x4plus model has 16.7 M weights to convert. */
function float16ToFloat32Table(): Float32Array {
  if (float16Table) return float16Table;
  const table = new Float32Array(65536);
  const view = new DataView(new ArrayBuffer(2));
  for (let bits = 0; bits < 65536; bits++) {
    view.setUint16(0, bits, true);
    table[bits] = getFloat16(view, 0, true);
  }
  float16Table = table;
  return table;
}

class BinReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** ncnn `load(count, 1)`: raw fp32. */
  float32(count: number, what: string): Float32Array {
    this.need(count * 4, what);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.view.getFloat32(this.offset + i * 4, true);
    this.offset += count * 4;
    return out;
  }

  /** ncnn `load(count, 0)`: a storage tag, then the values in that storage. */
  tagged(count: number, what: string): Float32Array {
    this.need(4, `${what} storage tag`);
    const tag = this.view.getUint32(this.offset, true);
    const tagOffset = this.offset;
    this.offset += 4;
    if (tag === TAG_FLOAT32 || tag === TAG_FLOAT32_SCALED) return this.float32(count, what);
    if (tag === TAG_FLOAT16) return this.float16(count, what);
    throw new NcnnBinError(
      `${what}: storage tag 0x${tag.toString(16).padStart(8, "0")} at byte ${tagOffset} is not ` +
        "fp32 (0) or fp16 (0x01306b47); int8 and quantised weights are not supported",
    );
  }

  /** Checks the whole file was consumed: bytes left over mean the layers were misread. */
  end(): void {
    const left = this.bytes.byteLength - this.offset;
    if (left !== 0) {
      throw new NcnnBinError(
        `${left} bytes left over after the last layer's weights (read ${this.offset})`,
      );
    }
  }

  private float16(count: number, what: string): Float32Array {
    // fp16 blocks are padded so the next block starts on a 4-byte boundary.
    const padded = Math.ceil((count * 2) / 4) * 4;
    this.need(padded, what);
    const table = float16ToFloat32Table();
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = table[this.view.getUint16(this.offset + i * 2, true)];
    this.offset += padded;
    return out;
  }

  private need(byteCount: number, what: string): void {
    if (this.offset + byteCount > this.bytes.byteLength) {
      throw new NcnnBinError(
        `file is too short: ${what} needs ${byteCount} bytes at byte ${this.offset}, ` +
          `the file has ${this.bytes.byteLength}`,
      );
    }
  }
}

function layerError(layer: NcnnLayer, message: string): NcnnBinError {
  return new NcnnBinError(
    `layer ${layer.name} (${layer.type}, .param line ${layer.line}): ${message}`,
  );
}

function readConvolution(layer: NcnnLayer, reader: BinReader): ConvolutionWeights {
  const numOutput = intParam(layer, 0, 0);
  const biasTerm = intParam(layer, 5, 0);
  const weightDataSize = intParam(layer, 6, 0);
  if (intParam(layer, 8, 0) !== 0) throw layerError(layer, "int8 convolutions are not supported");
  if (intParam(layer, 19, 0) !== 0) throw layerError(layer, "dynamic weights are not supported");
  if (numOutput <= 0 || weightDataSize <= 0) {
    throw layerError(
      layer,
      `num_output (${numOutput}) and weight_data_size (${weightDataSize}) must be > 0`,
    );
  }
  const weight = reader.tagged(weightDataSize, `${layer.name} weights`);
  const bias = biasTerm ? reader.float32(numOutput, `${layer.name} bias`) : undefined;
  return { type: "Convolution", weight, bias };
}

function readPReLU(layer: NcnnLayer, reader: BinReader): PReLUWeights {
  const numSlope = intParam(layer, 0, 0);
  if (numSlope <= 0) throw layerError(layer, `num_slope must be > 0, got ${numSlope}`);
  return { type: "PReLU", slope: reader.float32(numSlope, `${layer.name} slopes`) };
}

/** Reads every layer's weights, keyed by layer name; the file must be consumed exactly. */
export function readNcnnWeights(graph: NcnnGraph, bin: Uint8Array): Map<string, NcnnLayerWeights> {
  const reader = new BinReader(bin);
  const weights = new Map<string, NcnnLayerWeights>();
  for (const layer of graph.layers) {
    if (layer.type === "Convolution") weights.set(layer.name, readConvolution(layer, reader));
    else if (layer.type === "PReLU") weights.set(layer.name, readPReLU(layer, reader));
    else if (!WEIGHTLESS_LAYER_TYPES.has(layer.type)) {
      throw layerError(layer, `layer type ${layer.type} is not supported by the ncnn importer`);
    }
  }
  reader.end();
  return weights;
}
