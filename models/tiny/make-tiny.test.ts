import * as ort from "onnxruntime-web";
import { describe, expect, it } from "vitest";
import { contractProblems } from "../contract-check";
import { getModel, MODELS } from "../manifest";
import {
  modelEntrySchema,
  type Contract,
  type ModelEntry,
  type ModelTask,
} from "../manifest/schema";
import { fromFloat16Bits, toFloat16Bits } from "../onnx/float16";
import { makeTinyModel } from "./make-tiny";
import { concreteShapes, planTinyModel } from "./plan";
import { mulberry32 } from "./prng";

ort.env.wasm.numThreads = 1;

function literal(id: string, task: ModelTask, contract: Contract): ModelEntry {
  return modelEntrySchema.parse({
    id,
    title: id,
    task,
    description: "a literal entry for the tiny-model tests",
    licence: { spdx: "MIT", url: "https://opensource.org/license/mit", commercial: "yes" },
    optional: true,
    files: [{ name: "model.onnx", bytes: null, sha256: null }],
    source: { kind: "url", urls: { "model.onnx": "https://example.com/model.onnx" } },
    onnx: "model.onnx",
    contract,
  });
}

const c = (inputs: Contract["inputs"], outputs: Contract["outputs"]): Contract => ({
  inputs,
  outputs,
  preprocess: "-",
  postprocess: "-",
});

/** Literal entries with the sizes their outputs must have, worked out by hand. */
const LITERALS: ReadonlyArray<{
  entry: ModelEntry;
  inputs: Record<string, number[]>;
  outputs: Record<string, number[]>;
}> = [
  {
    entry: literal(
      "upscale-x2",
      "upscale",
      c(
        [{ name: "input", dtype: "float32", shape: [1, 3, "height", "width"], range: [0, 1] }],
        [{ name: "output", dtype: "float32", shape: [1, 3, "2*height", "width*2"], range: [0, 1] }],
      ),
    ),
    inputs: { input: [1, 3, 32, 32] },
    outputs: { output: [1, 3, 64, 64] },
  },
  {
    // No written relation between "H" and "out_h": an upscaler's factor comes from its id.
    entry: literal(
      "upscale-x4-fp16",
      "upscale",
      c(
        [{ name: "x", dtype: "float16", shape: ["N", 3, "H", "W"], range: [0, 1] }],
        [{ name: "y", dtype: "float16", shape: ["N", 3, "out_h", "out_w"], range: [0, 1] }],
      ),
    ),
    inputs: { x: [2, 3, 32, 32] },
    outputs: { y: [2, 3, 128, 128] },
  },
  {
    entry: literal(
      "vae-decoder",
      "diffusion",
      c(
        [{ name: "latent", dtype: "float16", shape: ["B", 4, "h=H/8", "w=W/8"] }],
        [{ name: "image", dtype: "float32", shape: ["B", 3, "H", "W"], range: [0, 1] }],
      ),
    ),
    inputs: { latent: [2, 4, 4, 4] },
    outputs: { image: [2, 3, 32, 32] },
  },
  {
    entry: literal(
      "tokens",
      "diffusion",
      c(
        [
          { name: "ref_latent", dtype: "float16", shape: ["B", 4, "h", "w"] },
          { name: "timestep", dtype: "float32", shape: ["B"] },
        ],
        [
          { name: "ref_a", dtype: "float16", shape: ["B", "h*w", 40] },
          { name: "ref_b", dtype: "float16", shape: ["B", "h*w/64", 1280] },
        ],
      ),
    ),
    inputs: { ref_latent: [2, 4, 32, 32], timestep: [2] },
    outputs: { ref_a: [2, 1024, 40], ref_b: [2, 16, 1280] },
  },
  {
    // A fixed 473² input and an unrelated symbolic output: parsers answer at a quarter, rounded up.
    entry: literal(
      "parsing-473",
      "human-parsing",
      c(
        [{ name: "input.1", dtype: "float32", shape: [1, 3, 473, 473] }],
        [
          { name: "parsing", dtype: "float32", shape: [1, 20, "h", "w"] },
          { name: "labels", dtype: "int64", shape: [1, 119, 119], range: [0, 19] },
        ],
      ),
    ),
    inputs: { "input.1": [1, 3, 473, 473] },
    outputs: { parsing: [1, 20, 119, 119], labels: [1, 119, 119] },
  },
  {
    // No image input at all: generic heads, other element types, a symbol only outputs use.
    entry: literal(
      "odd-types",
      "person-detection",
      c(
        [
          { name: "ids", dtype: "int64", shape: ["batch", 7] },
          { name: "flags", dtype: "bool", shape: ["batch", 7] },
          { name: "pixels", dtype: "uint8", shape: ["batch", "n"] },
          { name: "counts", dtype: "int32", shape: [3] },
        ],
        [
          { name: "boxes", dtype: "float32", shape: ["batch", "detections", 4], range: [0, 640] },
          { name: "keep", dtype: "bool", shape: ["batch", "n"] },
          { name: "classes", dtype: "uint8", shape: [5], range: [0, 3] },
          { name: "scores", dtype: "float16", shape: ["batch", "n"], range: [-1, 1] },
        ],
      ),
    ),
    inputs: { ids: [2, 7], flags: [2, 7], pixels: [2, 32], counts: [3] },
    outputs: { boxes: [2, 1, 4], keep: [2, 32], classes: [5], scores: [2, 32] },
  },
];

function randomFeed(entry: ModelEntry, shapes: Record<string, readonly number[]>) {
  const random = mulberry32(99);
  const feeds: Record<string, ort.Tensor> = {};
  for (const spec of entry.contract.inputs) {
    const dims = [...shapes[spec.name]];
    const count = dims.reduce((a, b) => a * b, 1);
    const [lo, hi] = spec.range ?? [-1, 1];
    const value = () => lo + (hi - lo) * random();
    const data =
      spec.dtype === "float32"
        ? Float32Array.from({ length: count }, value)
        : spec.dtype === "float16"
          ? toFloat16Bits(Array.from({ length: count }, value))
          : spec.dtype === "int64"
            ? BigInt64Array.from({ length: count }, () => BigInt(Math.floor(value() * 10)))
            : spec.dtype === "int32"
              ? Int32Array.from({ length: count }, () => Math.floor(value() * 10))
              : Uint8Array.from({ length: count }, () =>
                  spec.dtype === "bool" ? (random() < 0.5 ? 1 : 0) : Math.floor(random() * 256),
                );
    feeds[spec.name] = new ort.Tensor(spec.dtype, data, dims);
  }
  return feeds;
}

function numbers(tensor: ort.Tensor): number[] {
  if (tensor.type === "float16") return Array.from(fromFloat16Bits(tensor.data as Uint16Array));
  if (tensor.type === "int64") return Array.from(tensor.data as BigInt64Array, Number);
  return Array.from(tensor.data as ArrayLike<number>);
}

async function runTiny(entry: ModelEntry, seed: number, minimum: number) {
  const bytes = makeTinyModel(entry, { seed });
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
  const shapes = concreteShapes(planTinyModel(entry), minimum);
  try {
    const problems = contractProblems(entry.contract, {
      inputs: session.inputMetadata,
      outputs: session.outputMetadata,
    });
    const results = await session.run(randomFeed(entry, shapes.inputs));
    return { bytes, problems, shapes, results };
  } finally {
    await session.release();
  }
}

/** `minimum`: the smallest size for symbolic dims (16 keeps the Leffa UNets' features quick). */
async function checkTiny(entry: ModelEntry, minimum = 32) {
  const first = await runTiny(entry, 1, minimum);
  // Each output head is small (the SDXL reference UNet has 70 of up to 1280 channels).
  const heads = entry.contract.outputs.length;
  expect(first.bytes.byteLength).toBeLessThan(200_000 + 15_000 * heads);
  expect(first.problems).toEqual([]);
  for (const spec of entry.contract.outputs) {
    const tensor = first.results[spec.name];
    expect(tensor.type, spec.name).toBe(spec.dtype);
    expect(tensor.dims, spec.name).toEqual(first.shapes.outputs[spec.name]);
    const values = numbers(tensor);
    let [min, max] = [Infinity, -Infinity];
    for (const v of values) [min, max] = [Math.min(min, v), Math.max(max, v)];
    expect(Number.isFinite(min) && Number.isFinite(max), `${spec.name} finite`).toBe(true);
    if (values.length > 1) expect(max, `${spec.name} varies`).toBeGreaterThan(min);
    if (spec.range) {
      expect(min, `${spec.name} in range`).toBeGreaterThanOrEqual(spec.range[0]);
      expect(max, `${spec.name} in range`).toBeLessThanOrEqual(spec.range[1]);
    }
  }
  const again = await runTiny(entry, 1, minimum);
  expect(again.bytes).toEqual(first.bytes);
  const other = await runTiny(entry, 2, minimum);
  // Compared as raw bytes: the Leffa reference features are millions of values.
  const outputs = (r: typeof first) =>
    Buffer.concat(
      entry.contract.outputs.map((s) => {
        const data = r.results[s.name].data as ArrayBufferView;
        return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      }),
    );
  expect(outputs(again).equals(outputs(first))).toBe(true);
  expect(outputs(other).equals(outputs(first))).toBe(false);
}

describe("makeTinyModel", () => {
  it.each(LITERALS.map((l) => [l.entry.id, l] as const))(
    "plans the sizes worked out by hand for %s",
    (_, { entry, inputs, outputs }) => {
      const shapes = concreteShapes(planTinyModel(entry));
      expect(shapes.inputs).toEqual(inputs);
      expect(shapes.outputs).toEqual(outputs);
    },
  );

  it.each(LITERALS.map((l) => [l.entry.id, l.entry] as const))(
    "honours the contract of the literal entry %s",
    async (_, entry) => {
      await checkTiny(entry);
    },
  );

  it("keeps symbolic dims symbolic and fixed dims fixed in the model's metadata", async () => {
    const entry = LITERALS[2].entry;
    const session = await ort.InferenceSession.create(makeTinyModel(entry), {
      executionProviders: ["wasm"],
    });
    expect(session.inputMetadata[0]).toMatchObject({ shape: ["B", 4, "h=H/8", "w=W/8"] });
    expect(session.outputMetadata[0]).toMatchObject({ shape: ["B", 3, "H", "W"] });
    await session.release();
  });

  it("upscales like Real-ESRGAN: the 4× output follows the nearest-upscaled input", async () => {
    const entry = LITERALS[1].entry;
    const session = await ort.InferenceSession.create(makeTinyModel(entry), {
      executionProviders: ["wasm"],
    });
    const flat = new Float32Array(3 * 8 * 8).fill(0.5);
    flat.fill(0.9, 0, 64); // red channel bright, the others mid grey
    const { y } = await session.run({
      x: new ort.Tensor("float16", toFloat16Bits(flat), [1, 3, 8, 8]),
    });
    const out = numbers(y);
    const mean = (from: number) =>
      out.slice(from, from + 32 * 32).reduce((a, b) => a + b, 0) / 1024;
    expect(mean(0)).toBeGreaterThan(mean(32 * 32));
    await session.release();
  });
});

describe("makeTinyModel with positioned outputs", () => {
  it("lists SCHP's outputs in graph order (parsing, fusion, edge), whatever the contract's order", async () => {
    const entry = getModel("schp-atr");
    expect(entry.contract.outputs.map((o) => o.name)).toEqual(["fusion", "parsing", "edge"]);
    const session = await ort.InferenceSession.create(makeTinyModel(entry), {
      executionProviders: ["wasm"],
    });
    expect(session.outputNames).toEqual(["parsing", "fusion", "edge"]);
    expect(session.outputMetadata[2]).toMatchObject({ shape: [1, 2, 128, 128] });
    expect(
      contractProblems(entry.contract, {
        inputs: session.inputMetadata,
        outputs: session.outputMetadata,
      }),
    ).toEqual([]);
    await session.release();
  });
});

describe("makeTinyModel's float32 variant", () => {
  it("takes float32 where the contract also accepts it, and computes what the fp16 variant does", async () => {
    const entry = getModel("leffa-vton-hd-vae-encoder");
    const open = (floatType: "float16" | "float32") =>
      ort.InferenceSession.create(makeTinyModel(entry, { seed: 3, floatType }), {
        executionProviders: ["wasm"],
      });
    const [half, full] = await Promise.all([open("float16"), open("float32")]);
    expect(full.inputMetadata[0]).toMatchObject({ name: "image", type: "float32" });
    expect(full.outputMetadata[0]).toMatchObject({ name: "latent", type: "float32" });
    expect(
      contractProblems(entry.contract, {
        inputs: full.inputMetadata,
        outputs: full.outputMetadata,
      }),
    ).toEqual([]);
    const image = Float32Array.from({ length: 3 * 64 * 64 }, (_, i) => Math.sin(i / 7));
    const fromHalf = numbers(
      (await half.run({ image: new ort.Tensor("float16", toFloat16Bits(image), [1, 3, 64, 64]) }))
        .latent,
    );
    const fromFull = numbers(
      (await full.run({ image: new ort.Tensor("float32", image, [1, 3, 64, 64]) })).latent,
    );
    expect(fromFull).toHaveLength(4 * 8 * 8);
    // Same weights: only the fp16 rounding of the input and output tells them apart.
    const worst = fromFull.reduce((m, v, i) => Math.max(m, Math.abs(v - fromHalf[i])), 0);
    expect(worst).toBeLessThan(0.02);
    expect(fromFull.some((v, i) => v !== fromHalf[i])).toBe(true);
    await Promise.all([half.release(), full.release()]);
  });
});

describe("makeTinyModel for every manifest entry", () => {
  it.skipIf(MODELS.length === 0).each(MODELS.map((m) => [m.id, m] as const))(
    "%s",
    async (_, entry) => {
      await checkTiny(entry, 16);
    },
    30_000,
  );
});
