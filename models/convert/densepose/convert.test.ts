import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import * as ortWeb from "onnxruntime-web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDetectron2Pkl } from "../../../tests/helpers/checkpoint-writers";
import { contractProblems } from "../../contract-check";
import { sha256File } from "../../install/checksum";
import { findModel } from "../../manifest";
import { readInstalled } from "../../store";
import { convertDensePose } from "./convert";
import { densePoseReference, map3, type Map3 } from "./reference";
import { testDensePoseTensors, type TestTensor } from "./test-checkpoint";

/**
 * End to end on a tiny checkpoint of the real structure: written as a detectron2 `.pkl`, converted
 * into a temporary store, run in onnxruntime and compared with the float64 reference forward.
 */

ortWeb.env.wasm.numThreads = 1;

const tensors = testDensePoseTensors(7);
let dir: string;
let checkpoint: string;
const savedModelsDir = process.env.MODELS_DIR;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "densepose-convert-"));
  checkpoint = path.join(dir, "model_final_tiny.pkl");
  await writeDetectron2Pkl(checkpoint, arraysOf(tensors));
  process.env.MODELS_DIR = path.join(dir, "store");
});

afterAll(async () => {
  if (savedModelsDir === undefined) delete process.env.MODELS_DIR;
  else process.env.MODELS_DIR = savedModelsDir;
  await rm(dir, { recursive: true, force: true });
});

function arraysOf(map: ReadonlyMap<string, TestTensor>) {
  return Object.fromEntries(
    [...map].map(([name, t]) => [
      name,
      { dtype: "float32" as const, shape: t.shape, data: t.data },
    ]),
  );
}

/** A seeded BGR 0..255 test image: smooth gradients plus noise, (3, H, W). */
function testImage(height: number, width: number, seed: number): Map3 {
  const image = map3(3, height, width);
  let state = seed;
  const noise = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const smooth = 127.5 + 100 * Math.sin((x * (c + 1)) / 9 + y / 7);
        image.data[(c * height + y) * width + x] = Math.min(
          255,
          Math.max(0, smooth + 40 * (noise() - 0.5)),
        );
      }
    }
  }
  return image;
}

/** max |onnx − reference| / max |reference|. */
function relativeError(actual: Float32Array, expected: Float64Array): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    err = Math.max(err, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return err / scale;
}

describe("convertDensePose", () => {
  let session: ort.InferenceSession;
  let modelDir: string;

  it("refuses a checkpoint with an unknown key, writing nothing", async () => {
    const file = path.join(dir, "extra.pkl");
    const extra = new Map(tensors);
    extra.set("roi_heads.mask_head.predictor.weight", { shape: [1], data: new Float32Array(1) });
    await writeDetectron2Pkl(file, arraysOf(extra));
    await expect(convertDensePose({ from: file })).rejects.toThrow(
      "unknown key roi_heads.mask_head.predictor.weight",
    );
    expect(existsSync(path.join(dir, "store"))).toBe(false);
  });

  it("refuses a checkpoint saved with another pixel mean, writing nothing", async () => {
    const file = path.join(dir, "mean.pkl");
    const other = new Map(tensors);
    other.set("pixel_mean", { shape: [3, 1, 1], data: new Float32Array([0.485, 0.456, 0.406]) });
    await writeDetectron2Pkl(file, arraysOf(other));
    await expect(convertDensePose({ from: file })).rejects.toThrow(/pixel_mean is \[0\.48/);
    expect(existsSync(path.join(dir, "store"))).toBe(false);
  });

  it("converts a tiny checkpoint into the store with installed.json", async () => {
    const progress: [number, number][] = [];
    const result = await convertDensePose({
      from: checkpoint,
      onProgress: (done, total) => progress.push([done, total]),
    });
    modelDir = result.modelDir;
    expect(modelDir).toBe(path.join(dir, "store", "densepose-r50-fpn"));
    const expectedDropped = [...tensors.keys()].filter(
      (k) =>
        k.startsWith("proposal_generator.") ||
        k.startsWith("roi_heads.box_") ||
        k.startsWith("pixel_"),
    ).length;
    expect(result.keysDropped).toBe(expectedDropped);
    expect(result.keysUsed).toBe(tensors.size - expectedDropped);
    expect(progress.at(-1)).toEqual([result.keysUsed + 2, result.keysUsed + 2]);

    const onnxFile = path.join(modelDir, "model.onnx");
    const record = await readInstalled("densepose-r50-fpn");
    const digest = await sha256File(onnxFile);
    expect(record?.files).toEqual([{ name: "model.onnx", ...digest }]);
    expect(result.bytes).toBe((await stat(onnxFile)).size);
    session = await ort.InferenceSession.create(await readFile(onnxFile));
    const entry = findModel("densepose-r50-fpn");
    const meta = { inputs: session.inputMetadata, outputs: session.outputMetadata };
    expect(entry && contractProblems(entry.contract, meta)).toEqual([]);
  });

  const wholeBox = (height: number, width: number) =>
    new ort.Tensor("float32", new Float32Array([0, 0, width, height]), [1, 4]);

  // 48×64 pads only its height; 37×53 pads both sides by odd amounts. The last pools a box inside
  // the image (fractional, partly past the right edge), as the whole-photo path does.
  it.each([
    [48, 64, undefined],
    [37, 53, undefined],
    [48, 64, [10.3, 5.7, 66.2, 40.1]],
  ] as const)(
    "matches the float64 reference on a %i×%i image, box %j",
    async (height, width, box) => {
      const image = testImage(height, width, height * 1000 + width);
      const input = new ort.Tensor("float32", Float32Array.from(image.data), [1, 3, height, width]);
      const rois = box
        ? new ort.Tensor("float32", Float32Array.from(box), [1, 4])
        : wholeBox(height, width);
      const outputs = await session.run({ image: input, box: rois });
      const reference = densePoseReference(tensors, image, box);
      for (const name of ["fine_segm", "u", "v", "coarse_segm"] as const) {
        const expected = reference[name];
        const actual = outputs[name];
        expect(actual.dims).toEqual([1, expected.channels, 112, 112]);
        const error = relativeError(actual.data as Float32Array, expected.data);
        expect(error, name).toBeLessThanOrEqual(1e-4);
      }
    },
  );

  it("gives the same outputs in onnxruntime-web (wasm), as the studio runs it", async () => {
    const bytes = await readFile(path.join(modelDir, "model.onnx"));
    const web = await ortWeb.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
    try {
      const image = testImage(40, 30, 5);
      const data = Float32Array.from(image.data);
      const box = new Float32Array([0, 0, 30, 40]);
      const fromNode = await session.run({
        image: new ort.Tensor("float32", data, [1, 3, 40, 30]),
        box: new ort.Tensor("float32", box, [1, 4]),
      });
      const fromWeb = await web.run({
        image: new ortWeb.Tensor("float32", data, [1, 3, 40, 30]),
        box: new ortWeb.Tensor("float32", box, [1, 4]),
      });
      for (const name of ["fine_segm", "u", "v", "coarse_segm"]) {
        const expected = Float64Array.from(fromNode[name].data as Float32Array);
        expect(relativeError(fromWeb[name].data as Float32Array, expected), name).toBeLessThan(
          1e-5,
        );
      }
    } finally {
      await web.release();
    }
  });

  it("converts again over an existing copy", async () => {
    const before = await readInstalled("densepose-r50-fpn");
    const result = await convertDensePose({ from: checkpoint });
    const after = await readInstalled("densepose-r50-fpn");
    expect(after?.files).toEqual(before?.files);
    expect(result.modelDir).toBe(modelDir);
  });
});
