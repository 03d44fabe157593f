import { setFloat16 } from "@petamoriken/float16";
import onnxProto from "onnx-proto";
import * as ort from "onnxruntime-web";
import { describe, expect, it } from "vitest";
import { ncnnToOnnx } from "./to-onnx";

ort.env.wasm.numThreads = 1;

/**
 * Each test writes a tiny ncnn graph (.param text and .bin bytes), converts it, runs it with
 * onnxruntime-web (wasm) and compares with values computed here from the layer's definition.
 */

const H = 3;
const W = 4;
const PLANE = H * W;

/** A fixed RGB input in (0.1, 0.9): positive, so Pow and Div stay finite. */
const INPUT = Float32Array.from(
  { length: 3 * PLANE },
  (_, i) => 0.1 + (0.8 * ((i * 37) % 23)) / 22,
);
const at = (c: number, y: number, x: number) => INPUT[c * PLANE + y * W + x];

/** ncnn .bin blocks: `tagged16`/`tagged32` are `load(n, 0)` (weights), `raw` is `load(n, 1)`. */
function bin(...blocks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let offset = 0;
  for (const b of blocks) {
    out.set(b, offset);
    offset += b.length;
  }
  return out;
}
function raw(values: readonly number[]): Uint8Array {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return new Uint8Array(view.buffer);
}
const tagged32 = (values: readonly number[]) => bin(new Uint8Array(4), raw(values));
function tagged16(values: readonly number[]): Uint8Array {
  const view = new DataView(new ArrayBuffer(4 + Math.ceil(values.length / 2) * 4));
  view.setUint32(0, 0x01306b47, true);
  values.forEach((v, i) => setFloat16(view, 4 + i * 2, v, true));
  return new Uint8Array(view.buffer);
}

function param(...layers: string[]): string {
  const blobs = new Set(
    layers.flatMap((l) => {
      const t = l.trim().split(/\s+/);
      return t.slice(4 + Number(t[2]), 4 + Number(t[2]) + Number(t[3]));
    }),
  );
  return `7767517\n${layers.length} ${blobs.size}\n${layers.join("\n")}\n`;
}

async function run(paramText: string, weights: Uint8Array, input = INPUT, h = H, w = W) {
  const model = ncnnToOnnx(paramText, weights, { name: "tiny" });
  const session = await ort.InferenceSession.create(model, { executionProviders: ["wasm"] });
  try {
    const { output } = await session.run({ input: new ort.Tensor("float32", input, [1, 3, h, w]) });
    return { dims: output.dims, data: Array.from(output.data as Float32Array) };
  } finally {
    await session.release();
  }
}

function expectClose(actual: readonly number[], expected: readonly number[], tolerance = 1e-5) {
  expect(actual).toHaveLength(expected.length);
  const worst = Math.max(...actual.map((a, i) => Math.abs(a - expected[i])));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

/** out[c][y][x] = f(c, y, x) over a C×h×w grid, flattened in NCHW order. */
function grid(c: number, h: number, w: number, f: (c: number, y: number, x: number) => number) {
  const out: number[] = [];
  for (let k = 0; k < c; k++)
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.push(f(k, y, x));
  return out;
}

/** A 1×1 convolution weight [outC][inC] where output k copies input k % inC times (k + 1). */
function copyWeights(outC: number, inC: number): number[] {
  return grid(outC, 1, inC, (k, _, i) => (i === k % inC ? k + 1 : 0));
}

describe("ncnnToOnnx", () => {
  it("Convolution 3×3 (fp16 weights, bias) → PReLU per channel → 1×1 Convolution (fp32)", async () => {
    // Multiples of 1/8 in ±1: exact in fp16, so the expected values can use them as written.
    const w1 = Array.from({ length: 4 * 3 * 9 }, (_, i) => ((i * 7) % 11) / 8 - 0.625);
    const b1 = [0.1, -0.2, 0.05, -0.4];
    const slopes = [0.25, -0.5, 0.1, 0];
    const w2 = Array.from({ length: 3 * 4 }, (_, i) => (i % 5) - 2);
    const text = param(
      "Input in 0 1 data",
      "Convolution c1 1 1 data a 0=4 1=3 4=1 5=1 6=108",
      "PReLU p 1 1 a b 0=4",
      "Convolution c2 1 1 b output 0=3 1=1 5=0 6=12",
    );
    const { dims, data } = await run(text, bin(tagged16(w1), raw(b1), raw(slopes), tagged32(w2)));

    const conv1 = grid(4, H, W, (o, y, x) => {
      let sum = b1[o];
      for (let c = 0; c < 3; c++) {
        for (let ky = 0; ky < 3; ky++) {
          for (let kx = 0; kx < 3; kx++) {
            const yy = y + ky - 1;
            const xx = x + kx - 1;
            if (yy >= 0 && yy < H && xx >= 0 && xx < W)
              sum += w1[((o * 3 + c) * 3 + ky) * 3 + kx] * at(c, yy, xx);
          }
        }
      }
      return sum;
    });
    const act = conv1.map((v, i) => (v < 0 ? v * slopes[Math.floor(i / PLANE)] : v));
    const expected = grid(3, H, W, (o, y, x) => {
      let sum = 0;
      for (let c = 0; c < 4; c++) sum += w2[o * 4 + c] * act[c * PLANE + y * W + x];
      return sum;
    });
    expect(dims).toEqual([1, 3, H, W]);
    expectClose(data, expected);
  });

  it.each([
    ["relu", "9=1", (v: number) => Math.max(0, v)],
    ["leaky relu 0.1", "9=2 -23310=1,1.000000e-01", (v: number) => (v > 0 ? v : 0.1 * v)],
    [
      "clip -0.2..0.3",
      "9=3 -23310=2,-2.000000e-01,3.000000e-01",
      (v: number) => Math.min(0.3, Math.max(-0.2, v)),
    ],
    ["sigmoid", "9=4", (v: number) => 1 / (1 + Math.exp(-v))],
  ])("Convolution with fused %s", async (_, activation, f) => {
    const weights = [1, -1, 0, 0, 1, -1, -1, 0, 1]; // out k = x[k] - x[(k + 1) % 3]
    const bias = [0.05, -0.1, 0];
    const text = param(
      "Input in 0 1 data",
      `Convolution c 1 1 data output 0=3 1=1 5=1 6=9 ${activation}`,
    );
    const { data } = await run(text, bin(tagged32(weights), raw(bias)));
    expectClose(
      data,
      grid(3, H, W, (k, y, x) => f(at(k, y, x) - at((k + 1) % 3, y, x) + bias[k])),
    );
  });

  it("PReLU with one shared slope", async () => {
    const text = param(
      "Input in 0 1 data",
      "BinaryOp shift 1 1 data s 0=1 1=1 2=5.000000e-01",
      "PReLU p 1 1 s output 0=1",
    );
    const { data } = await run(text, raw([0.2]));
    expectClose(
      data,
      Array.from(INPUT, (v) => (v - 0.5 < 0 ? 0.2 * (v - 0.5) : v - 0.5)),
    );
  });

  it.each([
    [0, (c: number, i: number, j: number) => c * 4 + i * 2 + j],
    [1, (c: number, i: number, j: number) => (i * 2 + j) * 3 + c],
  ])("PixelShuffle ×2 mode %i picks ncnn's source channel", async (mode, source) => {
    const text = param(
      "Input in 0 1 data",
      "Convolution c 1 1 data d 0=12 1=1 5=0 6=36",
      `PixelShuffle ps 1 1 d output 0=2 1=${mode}`,
    );
    const { dims, data } = await run(text, tagged32(copyWeights(12, 3)));
    // Before the shuffle, channel q holds (q + 1) · x[q % 3].
    const expected = grid(3, 2 * H, 2 * W, (c, y, x) => {
      const q = source(c, y % 2, x % 2);
      return (q + 1) * at(q % 3, Math.floor(y / 2), Math.floor(x / 2));
    });
    expect(dims).toEqual([1, 3, 2 * H, 2 * W]);
    expectClose(data, expected);
  });

  it("Interp nearest with different height and width factors", async () => {
    const text = param(
      "Input in 0 1 data",
      "Interp up 1 1 data output 0=1 1=2.000000e+00 2=3.000000e+00",
    );
    const { dims, data } = await run(text, new Uint8Array());
    expect(dims).toEqual([1, 3, 2 * H, 3 * W]);
    expectClose(
      data,
      grid(3, 2 * H, 3 * W, (c, y, x) => at(c, Math.floor(y / 2), Math.floor(x / 3))),
      0,
    );
  });

  const binaryOps: [string, number, (a: number, b: number) => number][] = [
    ["add", 0, (a, b) => a + b],
    ["sub", 1, (a, b) => a - b],
    ["mul", 2, (a, b) => a * b],
    ["div", 3, (a, b) => a / b],
    ["max", 4, (a, b) => Math.max(a, b)],
    ["min", 5, (a, b) => Math.min(a, b)],
    ["pow", 6, (a, b) => a ** b],
    ["rsub", 7, (a, b) => b - a],
    ["rdiv", 8, (a, b) => b / a],
  ];

  it.each(binaryOps)("BinaryOp %s of two blobs (through Split)", async (_, op, f) => {
    // b = 1 - x/2 differs from x everywhere, so max/min and operand order all matter.
    const text = param(
      "Input in 0 1 data",
      "Split sp 1 2 data a a2",
      "BinaryOp half 1 1 a2 h 0=2 1=1 2=-5.000000e-01",
      "BinaryOp one 1 1 h b 0=0 1=1 2=1.000000e+00",
      `BinaryOp op 2 1 a b output 0=${op}`,
    );
    const { data } = await run(text, new Uint8Array());
    expectClose(
      data,
      Array.from(INPUT, (v) => f(v, 1 - v / 2)),
    );
  });

  it.each(binaryOps)("BinaryOp %s with a scalar", async (_, op, f) => {
    const text = param(
      "Input in 0 1 data",
      `BinaryOp op 1 1 data output 0=${op} 1=1 2=7.500000e-01`,
    );
    const { data } = await run(text, new Uint8Array());
    expectClose(
      data,
      Array.from(INPUT, (v) => f(v, 0.75)),
    );
  });

  it.each([
    [
      "sum with coefficients",
      "0=1 -23301=3,2.000000e-01,1.000000e+00,-3.000000e+00",
      (a: number, b: number, c: number) => 0.2 * a + b - 3 * c,
    ],
    ["sum without coefficients", "0=1", (a: number, b: number, c: number) => a + b + c],
    ["product", "0=0", (a: number, b: number, c: number) => a * b * c],
    ["max", "0=2", (a: number, b: number, c: number) => Math.max(a, b, c)],
  ])("Eltwise %s over three blobs", async (_, params, f) => {
    const text = param(
      "Input in 0 1 data",
      "Split sp 1 3 data a a2 a3",
      "BinaryOp sq 2 1 a2 a3 b 0=2",
      "BinaryOp neg 1 1 b c 0=7 1=1 2=5.000000e-01",
      `Eltwise e 3 1 a b c output ${params}`,
    );
    const { data } = await run(text, new Uint8Array());
    expectClose(
      data,
      Array.from(INPUT, (v) => f(v, v * v, 0.5 - v * v)),
    );
  });

  it("Concat on the channel axis, read back by a 1×1 Convolution", async () => {
    const weights = grid(3, 1, 6, (o, _, c) => (c === o ? 1 : c === o + 3 ? -2 : 0)); // x[o] - 2·(x²)[o]
    const text = param(
      "Input in 0 1 data",
      "Split sp 1 3 data a a2 a3",
      "BinaryOp sq 2 1 a2 a3 b 0=2",
      "Concat cat 2 1 a b d 0=0",
      "Convolution c 1 1 d output 0=3 1=1 5=0 6=18",
    );
    const { data } = await run(text, tagged32(weights));
    expectClose(
      data,
      Array.from(INPUT, (v) => v - 2 * v * v),
    );
  });

  it("declares the contract: input [1,3,height,width], output [1,3,height_x4,width_x4]", () => {
    const text = param(
      "Input in 0 1 data",
      "Interp up 1 1 data u 0=1 1=2.000000e+00 2=2.000000e+00",
      "Convolution c 1 1 u d 0=12 1=1 5=0 6=36",
      "PixelShuffle ps 1 1 d output 0=2",
    );
    const weights = tagged32(copyWeights(12, 3));
    const model = onnxProto.onnx.ModelProto.decode(ncnnToOnnx(text, weights, { name: "contract" }));
    const graph = model.graph ?? expect.unreachable("the model has no graph");
    const dims = (v: onnxProto.onnx.IValueInfoProto) =>
      v.type?.tensorType?.shape?.dim?.map((d) => d.dimParam || Number(d.dimValue));
    expect(graph.name).toBe("contract");
    expect(model.opsetImport?.map((o) => Number(o.version))).toEqual([17]);
    expect(graph.input?.map((i) => [i.name, dims(i)])).toEqual([
      ["input", [1, 3, "height", "width"]],
    ]);
    expect(graph.output?.map((o) => [o.name, dims(o)])).toEqual([
      ["output", [1, 3, "height_x4", "width_x4"]],
    ]);
  });

  it("keeps fp16 weights as fp16 (half the bytes) behind a Cast, and fp32 ones as fp32", () => {
    const text = param("Input in 0 1 data", "Convolution c 1 1 data output 0=3 1=1 5=0 6=9");
    const half = [0.5, -1, 0.25, 1, 0, -0.125, 2, 0.75, -0.5];
    const initializers = (weights: Uint8Array) =>
      onnxProto.onnx.ModelProto.decode(ncnnToOnnx(text, weights, { name: "t" })).graph!
        .initializer!;
    const FLOAT16 = onnxProto.onnx.TensorProto.DataType.FLOAT16;
    const FLOAT = onnxProto.onnx.TensorProto.DataType.FLOAT;

    const fromHalf = initializers(tagged16(half));
    expect(fromHalf.map((t) => [t.name, t.dataType, t.rawData?.byteLength])).toEqual([
      ["c.weight.fp16", FLOAT16, 18],
    ]);
    // fp32 weights that fp16 cannot hold exactly stay fp32.
    const precise = initializers(tagged32(half.map((v) => v + 1e-4)));
    expect(precise.map((t) => [t.name, t.dataType])).toEqual([["c.weight", FLOAT]]);
  });

  it("is deterministic: the same files give byte-identical ONNX", () => {
    const text = param("Input in 0 1 data", "Convolution c 1 1 data output 0=3 1=3 4=1 5=1 6=81");
    const weights = bin(
      tagged16(Array.from({ length: 81 }, (_, i) => Math.sin(i))),
      raw([1, 2, 3]),
    );
    expect(ncnnToOnnx(text, weights, { name: "d" })).toEqual(
      ncnnToOnnx(text, weights, { name: "d" }),
    );
  });

  it.each([
    [
      "an unsupported layer type",
      ["Pooling pool 1 1 data output 0=0 1=2"],
      /layer pool \(Pooling, \.param line 4\): layer type Pooling is not supported/,
    ],
    [
      "bilinear Interp",
      ["Interp up 1 1 data output 0=2 1=2.000000e+00 2=2.000000e+00"],
      /layer up \(Interp.*resize type 2 is not nearest/,
    ],
    [
      "a fractional Interp factor",
      ["Interp up 1 1 data output 0=1 1=1.500000e+00 2=2.000000e+00"],
      /scale factors 1\.5×2 must be positive integers/,
    ],
    [
      "a strided Convolution",
      ["Convolution c 1 1 data output 0=3 1=3 3=2 4=1 5=0 6=81"],
      /only size-preserving convolutions/,
    ],
    [
      "an unsupported activation",
      ["Convolution c 1 1 data output 0=3 1=1 5=0 6=9 9=5"],
      /fused activation type 5 is not supported/,
    ],
    [
      "a width Concat",
      ["Split sp 1 2 data a b", "Concat cat 2 1 a b output 0=2"],
      /only channel concat \(axis 0\), not 2/,
    ],
    [
      "inputs of different sizes",
      [
        "Split sp 1 2 data a b",
        "Interp up 1 1 b u 0=1 1=2.000000e+00 2=2.000000e+00",
        "BinaryOp add 2 1 a u output 0=0",
      ],
      /layer add \(BinaryOp.*differ in height or width/,
    ],
    [
      "an output that is not RGB",
      ["Convolution c 1 1 data output 0=2 1=1 5=0 6=6"],
      /has 2 channels, not 3 \(RGB\)/,
    ],
    [
      "two output blobs",
      ["Split sp 1 2 data a output"],
      /expected one output blob, found 2 \(a, output\)/,
    ],
  ])("refuses %s with a clear error", (_, layers, message) => {
    const weightCount = Number(/ 6=(\d+)/.exec(layers.join(" "))?.[1] ?? 0);
    const weights = weightCount ? tagged32(new Array(weightCount).fill(0.5)) : new Uint8Array();
    expect(() =>
      ncnnToOnnx(param("Input in 0 1 data", ...layers), weights, { name: "bad" }),
    ).toThrow(message);
  });
});
