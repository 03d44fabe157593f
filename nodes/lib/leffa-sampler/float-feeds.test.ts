import { describe, expect, it } from "vitest";
import { NodeError, type ModelSession, type ModelTensor } from "../../core/types";
import {
  floatTensor,
  inputFloatType,
  outputFloatType,
  readAs,
  readFloats,
  type MakeTensor,
} from "./float-feeds";
import { floatsToHalfBits } from "./half";

const tensor: MakeTensor = (type, data, dims) => ({
  type,
  dims,
  location: "cpu",
  getData: async () => data,
  dispose: () => {},
});

const session = (inputTypes?: Record<string, string>): ModelSession => ({
  modelId: "m",
  timings: { filesMs: 0, createMs: 0 },
  backend: { name: "wasm", detail: "fake" },
  inputTypes,
  run: async () => ({}),
});

const VALUES = Float32Array.from([0.5, -1.25, 3]);

describe("inputFloatType", () => {
  it("is float32 only where the loaded model says so, else the contract's float16", () => {
    expect(inputFloatType(session({ latent: "float32" }), "latent")).toBe("float32");
    expect(inputFloatType(session({ latent: "float16" }), "latent")).toBe("float16");
    expect(inputFloatType(session(), "latent")).toBe("float16");
  });
});

describe("floatTensor and readAs", () => {
  it("feeds half bits for float16 and the values themselves for float32", async () => {
    const half = floatTensor(tensor, "float16", VALUES, [3]);
    expect(half.type).toBe("float16");
    expect(await half.getData()).toEqual(floatsToHalfBits(VALUES));
    const full = floatTensor(tensor, "float32", VALUES, [3]);
    expect(full.type).toBe("float32");
    expect(await full.getData()).toBe(VALUES);
  });

  it("reads either dtype as either dtype", async () => {
    const half = tensor("float16", floatsToHalfBits(VALUES), [3]);
    const full = tensor("float32", VALUES, [3]);
    expect(await readAs(full, "float16", "x")).toEqual(floatsToHalfBits(VALUES));
    expect(await readAs(half, "float32", "x")).toEqual(VALUES);
    expect(await readAs(half, "float16", "x")).toEqual(floatsToHalfBits(VALUES));
    expect(await readFloats(full, "x")).toBe(VALUES);
  });

  it("refuses to pass on an output that is not a float", () => {
    const ints = tensor("int64", new BigInt64Array(1), [1]) as ModelTensor;
    expect(outputFloatType(tensor("float32", VALUES, [3]), "x")).toBe("float32");
    expect(() => outputFloatType(ints, "ref_00")).toThrow(NodeError);
    expect(() => outputFloatType(ints, "ref_00")).toThrow(/ref_00 is int64/);
  });
});
