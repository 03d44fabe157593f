import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import onnxProto from "onnx-proto";
import * as ortNode from "onnxruntime-node";
import * as ort from "onnxruntime-web";
import { describe, expect, it } from "vitest";
import { GraphBuilder } from "./builder";
import { fromFloat16Bits, toFloat16Bits } from "./float16";
import { writeModelFiles } from "./write-files";

const { onnx } = onnxProto;

function initializers(model: Uint8Array): onnxProto.onnx.TensorProto[] {
  const graph = onnx.ModelProto.decode(model).graph as onnxProto.onnx.GraphProto;
  return graph.initializer as onnxProto.onnx.TensorProto[];
}

ort.env.wasm.numThreads = 1;

describe("GraphBuilder", () => {
  it("builds a Conv → Relu → Add graph that onnxruntime runs, matching a plain reference", async () => {
    const g = new GraphBuilder("tiny");
    const x = g.input("x", "float32", ["batch", 1, 3, 3]);
    const w = g.initializer("w", new Float32Array([1, 0, -1, 2, 0, -2, 1, 0, -1]), [1, 1, 3, 3]);
    const b = g.initializer("b", new Float32Array([0.5]), [1]);
    const [conv] = g.node("Conv", [x, w, b], { pads: [1, 1, 1, 1] });
    const [relu] = g.node("Relu", [conv]);
    g.node("Add", [relu, b], {}, ["y"]);
    g.output("y", "float32", ["batch", 1, 3, 3]);

    const session = await ort.InferenceSession.create(g.toBytes(), {
      executionProviders: ["wasm"],
    });
    expect(session.inputNames).toEqual(["x"]);
    const input = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const { y } = await session.run({ x: new ort.Tensor("float32", input, [1, 1, 3, 3]) });

    // Reference: the same 3×3 Sobel-like filter with zero padding, + bias, ReLU, + bias.
    const k = [1, 0, -1, 2, 0, -2, 1, 0, -1];
    const expected: number[] = [];
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0.5;
        for (let i = 0; i < 3; i++) {
          for (let j = 0; j < 3; j++) {
            const rr = r + i - 1;
            const cc = c + j - 1;
            if (rr >= 0 && rr < 3 && cc >= 0 && cc < 3) sum += input[rr * 3 + cc] * k[i * 3 + j];
          }
        }
        expected.push(Math.max(0, sum) + 0.5);
      }
    }
    expect(Array.from(y.data as Float32Array)).toEqual(expected);
    await session.release();
  });

  it("refuses duplicate names and initializers whose size does not match", () => {
    const g = new GraphBuilder("bad");
    g.input("x", "float32", [1]);
    expect(() => g.input("x", "float32", [1])).toThrow(/duplicate tensor name "x"/);
    expect(() => g.initializer("w", new Float32Array(3), [2, 2])).toThrow(
      /3 values for shape \[2, 2\]/,
    );
  });
});

/** A small conv net whose weights are big enough to go to external data at a low threshold. */
function convNet(weightsAs?: "float16"): GraphBuilder {
  const g = new GraphBuilder("conv-net");
  const x = g.input("x", "float32", [1, 4, "h", "w"]);
  const weights = new Float32Array(8 * 4 * 3 * 3).map((_, i) => Math.sin(i * 0.37) * 0.5);
  const bias = new Float32Array(8).map((_, i) => (i - 4) * 0.1);
  let w = g.initializer("w", weights, [8, 4, 3, 3], { as: weightsAs });
  let b = g.initializer("b", bias, [8], { as: weightsAs });
  if (weightsAs === "float16") {
    w = g.cast(w, "float32");
    b = g.cast(b, "float32");
  }
  const [conv] = g.node("Conv", [x, w, b], { pads: [1, 1, 1, 1] });
  const scale = g.initializer("scale", new Float32Array([0.5]), [1]);
  g.node("Mul", [conv, scale], {}, ["y"]);
  g.output("y", "float32", [1, 8, "h", "w"]);
  return g;
}

const convInput = () =>
  new ort.Tensor(
    "float32",
    new Float32Array(4 * 5 * 6).map((_, i) => Math.cos(i)),
    [1, 4, 5, 6],
  );

async function runWeb(model: Uint8Array, options: ort.InferenceSession.SessionOptions = {}) {
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ["wasm"],
    ...options,
  });
  const { y } = await session.run({ x: convInput() });
  await session.release();
  return y.data as Float32Array;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

describe("GraphBuilder: external data", () => {
  it("places large initializers at aligned offsets in <base>.onnx_data and keeps small ones inline", () => {
    const files = convNet().toFiles("net", { externalThreshold: 100, alignment: 64 });
    const [w, b, scale] = initializers(files.onnx);
    expect(w.dataLocation).toBe(onnx.TensorProto.DataLocation.EXTERNAL);
    expect(w.rawData.byteLength).toBe(0);
    expect(Object.fromEntries(w.externalData.map((e) => [e.key, e.value]))).toEqual({
      location: "net.onnx_data",
      offset: "0",
      length: String(8 * 4 * 9 * 4),
    });
    // The bias (32 bytes) and the scale stay inline.
    expect(b.dataLocation).toBe(onnx.TensorProto.DataLocation.DEFAULT);
    expect(scale.rawData.byteLength).toBe(4);
    expect(files.data?.name).toBe("net.onnx_data");
    expect(files.data?.byteLength).toBe(8 * 4 * 9 * 4);

    const two = new GraphBuilder("two");
    two.initializer("a", new Float32Array(30), [30]);
    two.initializer("c", new Float32Array(30), [30]);
    const twoFiles = two.toFiles("two", { externalThreshold: 100, alignment: 64 });
    const offsets = initializers(twoFiles.onnx).map(
      (t) => t.externalData.find((e) => e.key === "offset")?.value,
    );
    expect(offsets).toEqual(["0", "128"]);
    expect(twoFiles.data?.byteLength).toBe(128 + 120);
    expect(twoFiles.data?.bytes.map((c) => c.byteLength)).toEqual([120, 8, 120]);
  });

  it("has no data file when nothing crosses the threshold", () => {
    const files = convNet().toFiles("net", { externalThreshold: 1 << 20 });
    expect(files.data).toBeUndefined();
    expect(files.onnx).toEqual(convNet().toBytes());
  });

  it("loads from files in onnxruntime-node and from bytes in onnxruntime-web, matching inline", async () => {
    const inline = await runWeb(convNet().toBytes());
    const dir = await mkdtemp(path.join(tmpdir(), "builder-"));
    try {
      const written = await writeModelFiles(convNet(), dir, "net", { externalThreshold: 100 });
      expect(written.dataPath).toBe(path.join(dir, "net.onnx_data"));
      const dataBytes = new Uint8Array(await readFile(written.dataPath!));
      expect((await stat(written.onnxPath)).size + dataBytes.byteLength).toBe(written.bytes);

      // Native and wasm kernels round differently: compare each runtime with its own inline run.
      const runNative = async (model: string | Uint8Array) => {
        const session = await ortNode.InferenceSession.create(model as string);
        const x = convInput();
        const { y } = await session.run({
          x: new ortNode.Tensor("float32", x.data as Float32Array, x.dims),
        });
        await session.release();
        return Array.from(y.data as Float32Array);
      };
      const nativeInline = await runNative(convNet().toBytes());
      expect(await runNative(written.onnxPath)).toEqual(nativeInline);
      expect(nativeInline).not.toEqual(new Array(nativeInline.length).fill(0));

      const files = convNet().toFiles("net", { externalThreshold: 100 });
      const web = await runWeb(files.onnx, {
        externalData: [{ path: files.data!.name, data: concat(files.data!.bytes) }],
      });
      expect(Array.from(web)).toEqual(Array.from(inline));
      expect(concat(files.data!.bytes)).toEqual(dataBytes);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("writes the same bytes for the same graph", () => {
    expect(convNet().toBytes()).toEqual(convNet().toBytes());
    const a = convNet("float16").toFiles("n", { externalThreshold: 10 });
    const b = convNet("float16").toFiles("n", { externalThreshold: 10 });
    expect(a.onnx).toEqual(b.onnx);
    expect(concat(a.data!.bytes)).toEqual(concat(b.data!.bytes));
  });
});

describe("GraphBuilder: other element types", () => {
  it("stores fp16 weights that, cast to fp32, match the fp32 model within half precision", async () => {
    const full = await runWeb(convNet().toBytes());
    const half = await runWeb(convNet("float16").toBytes());
    const weightBytes = initializers(convNet("float16").toBytes())[0];
    expect(weightBytes.dataType).toBe(onnx.TensorProto.DataType.FLOAT16);
    expect(weightBytes.rawData.byteLength).toBe(8 * 4 * 9 * 2);
    let worst = 0;
    for (let i = 0; i < full.length; i++) worst = Math.max(worst, Math.abs(full[i] - half[i]));
    // |weights| ≤ 0.5 are rounded with a relative error ≤ 2^-11; 36 terms of |x| ≤ 1 each.
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(36 * 0.5 * 2 ** -11 * 0.5 + 1e-6);
  });

  it("runs fp16 graph inputs and outputs, and int32, uint8 and bool initializers", async () => {
    const g = new GraphBuilder("types");
    const x = g.input("x", "float16", [3]);
    const xf = g.cast(x, "float32");
    const offsets = g.cast(g.initializer("i32", new Int32Array([1, -2, 3]), [3]), "float32");
    const bytes = g.cast(g.initializer("u8", new Uint8Array([10, 20, 255]), [3]), "float32");
    const keep = g.initializer("keep", new Uint8Array([1, 0, 1]), [3], { as: "bool" });
    const [sum] = g.node("Sum", [xf, offsets, bytes]);
    const [picked] = g.node("Where", [keep, sum, xf]);
    g.cast(picked, "float16", "y");
    g.output("y", "float16", [3]);
    const session = await ort.InferenceSession.create(g.toBytes(), {
      executionProviders: ["wasm"],
    });
    const input = toFloat16Bits([0.5, 1.5, -4]);
    const { y } = await session.run({ x: new ort.Tensor("float16", input, [3]) });
    expect(y.type).toBe("float16");
    expect(Array.from(fromFloat16Bits(y.data as Uint16Array))).toEqual([11.5, 1.5, 254]);
    await session.release();
  });

  it("refuses data that does not fit the requested storage", () => {
    const g = new GraphBuilder("bad-types");
    expect(() => g.initializer("a", new Uint16Array(2), [2])).toThrow(/half bits/);
    expect(() => g.initializer("b", new Int32Array(2), [2], { as: "float16" })).toThrow(/float16/);
    expect(() => g.initializer("c", new Uint8Array([2]), [1], { as: "bool" })).toThrow(/0 or 1/);
  });
});
