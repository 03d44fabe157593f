import { setFloat16 } from "@petamoriken/float16";
import { describe, expect, it } from "vitest";
import { parseNcnnParam } from "./param";
import { readNcnnWeights } from "./weights";

/** Little-endian byte writer for test .bin files, in ncnn's block forms. */
class BinWriter {
  private readonly parts: number[] = [];

  tag(value: number): this {
    return this.u32(value);
  }

  u32(value: number): this {
    const view = new DataView(new ArrayBuffer(4));
    view.setUint32(0, value, true);
    this.parts.push(...new Uint8Array(view.buffer));
    return this;
  }

  f32(values: readonly number[]): this {
    const view = new DataView(new ArrayBuffer(values.length * 4));
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    this.parts.push(...new Uint8Array(view.buffer));
    return this;
  }

  /** fp16 values, zero-padded to a 4-byte boundary as ncnn writes them. */
  f16(values: readonly number[]): this {
    const padded = Math.ceil((values.length * 2) / 4) * 4;
    const view = new DataView(new ArrayBuffer(padded));
    values.forEach((v, i) => setFloat16(view, i * 2, v, true));
    this.parts.push(...new Uint8Array(view.buffer));
    return this;
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

const PARAM = `7767517
4 4
Input        in     0 1 data
Convolution  convA  1 1 data a 0=1 1=1 5=1 6=3
PReLU        act    1 1 a b 0=1
Convolution  convB  1 1 b c 0=3 1=1 5=0 6=3
`;

describe("readNcnnWeights", () => {
  const graph = parseNcnnParam(PARAM);
  // convA: fp16, 3 values (6 bytes → padded to 8), bias fp32; PReLU: raw fp32; convB: fp32 tag 0.
  const good = () =>
    new BinWriter()
      .tag(0x01306b47)
      .f16([0.5, -2, 65504])
      .f32([0.25])
      .f32([0.1])
      .tag(0)
      .f32([1.5, -3.25, 7]);

  it("reads fp16 and fp32 tagged weights, raw biases and slopes, honouring fp16 padding", () => {
    const weights = readNcnnWeights(graph, good().bytes());
    expect(weights.get("convA")).toEqual({
      type: "Convolution",
      weight: new Float32Array([0.5, -2, 65504]),
      bias: new Float32Array([0.25]),
    });
    expect(weights.get("act")).toEqual({ type: "PReLU", slope: new Float32Array([0.1]) });
    expect(weights.get("convB")).toEqual({
      type: "Convolution",
      weight: new Float32Array([1.5, -3.25, 7]),
      bias: undefined,
    });
    expect(weights.has("in")).toBe(false);
  });

  it("decodes fp16 subnormals, infinities and signed zero exactly", () => {
    const param = PARAM.replace("6=3", "6=4"); // convA now has 4 weights: no padding
    const bin = new BinWriter()
      .tag(0x01306b47)
      .f16([2 ** -24, -Infinity, -0, 1 / 3])
      .f32([0])
      .f32([0])
      .tag(0)
      .f32([0, 0, 0])
      .bytes();
    const conv = readNcnnWeights(parseNcnnParam(param), bin).get("convA");
    const weight = conv?.type === "Convolution" ? Array.from(conv.weight) : [];
    expect(weight.slice(0, 3)).toEqual([2 ** -24, -Infinity, -0]);
    expect(weight[3]).toBeCloseTo(1 / 3, 3);
    expect(Object.is(weight[2], -0)).toBe(true);
  });

  it("errors when the file is short, naming what was being read", () => {
    const bytes = good().bytes();
    expect(() => readNcnnWeights(graph, bytes.subarray(0, bytes.length - 4))).toThrow(
      /file is too short: convB weights needs 12 bytes at byte 24, the file has 32/,
    );
    expect(() => readNcnnWeights(graph, bytes.subarray(0, 2))).toThrow(/convA weights storage tag/);
  });

  it("errors when bytes are left over after the last layer", () => {
    const bytes = good().f32([0]).bytes();
    expect(() => readNcnnWeights(graph, bytes)).toThrow(
      /4 bytes left over after the last layer's weights/,
    );
  });

  it("refuses int8 and quantised storage tags", () => {
    const bin = new BinWriter().tag(0x000d4b38).f32([0, 0, 0]).bytes();
    expect(() => readNcnnWeights(graph, bin)).toThrow(/storage tag 0x000d4b38 at byte 0/);
  });

  it("refuses layer types it does not know, since their weight size is unknown", () => {
    const param = PARAM.replace(
      "PReLU        act    1 1 a b 0=1",
      "BatchNorm    act    1 1 a b 0=1",
    );
    expect(() => readNcnnWeights(parseNcnnParam(param), good().bytes())).toThrow(
      /layer act \(BatchNorm, \.param line 5\): layer type BatchNorm is not supported/,
    );
  });
});
