import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTorchLegacy, writeTorchZip } from "../../../tests/helpers/checkpoint-writers";
import { contractProblems } from "../../contract-check";
import { sha256File } from "../../install/checksum";
import { findModel } from "../../manifest";
import { readInstalled } from "../../store";
import { map3, type Map3 } from "../densepose/reference";
import { allLayers } from "./config";
import { convertOpenPoseBody } from "./convert";
import { openPoseReference } from "./reference";
import { testOpenPoseTensors, type TestTensor } from "./test-checkpoint";

/**
 * End to end on a tiny checkpoint with the real key layout: written as torch.save writes
 * `body_pose_model.pth` (legacy format, bare layer names), converted into a temporary store, run
 * in onnxruntime and compared with the float64 reference forward.
 */

const tensors = testOpenPoseTensors(11);
let dir: string;
let checkpoint: string;
const savedModelsDir = process.env.MODELS_DIR;

function entries(
  map: ReadonlyMap<string, TestTensor>,
  prefix: (name: string) => string = (n) => n,
) {
  return Object.fromEntries(
    [...map].map(([name, t]) => [
      prefix(name),
      { dtype: "float32" as const, shape: t.shape, data: t.data },
    ]),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "openpose-convert-"));
  checkpoint = path.join(dir, "body_pose_model.pth");
  await writeTorchLegacy(checkpoint, entries(tensors));
  process.env.MODELS_DIR = path.join(dir, "store");
});

afterAll(async () => {
  if (savedModelsDir === undefined) delete process.env.MODELS_DIR;
  else process.env.MODELS_DIR = savedModelsDir;
  await rm(dir, { recursive: true, force: true });
});

/** A seeded BGR 0..255 image with smooth structure and noise, (3, H, W). */
function testImage(height: number, width: number, seed: number): Map3 {
  const image = map3(3, height, width);
  let state = seed;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        const smooth = 127.5 + 100 * Math.sin((x * (c + 1)) / 5 + y / 4);
        image.data[(c * height + y) * width + x] = Math.round(
          Math.min(255, Math.max(0, smooth + 60 * (state / 2 ** 32 - 0.5))),
        );
      }
    }
  }
  return image;
}

function relativeError(actual: Float32Array, expected: Float64Array): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    err = Math.max(err, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return err / scale;
}

describe("convertOpenPoseBody", () => {
  let session: ort.InferenceSession;

  it("refuses a checkpoint with an unknown or misshapen key, writing nothing", async () => {
    const file = path.join(dir, "odd.pth");
    const odd = new Map(tensors);
    odd.set("conv6_1_CPM_L1.weight", { shape: [1], data: new Float32Array(1) });
    odd.set("Mconv3_stage4_L2.weight", { shape: [3, 3, 5, 5], data: new Float32Array(225) });
    odd.delete("conv2_1.bias");
    await writeTorchLegacy(file, entries(odd));
    const error = await convertOpenPoseBody({ from: file }).catch((e: unknown) => e);
    expect(String(error)).toContain("missing key conv2_1.bias");
    expect(String(error)).toContain(
      "Mconv3_stage4_L2.weight has shape [3, 3, 5, 5], expected [out, 3, 7, 7]",
    );
    expect(String(error)).toContain("unknown key conv6_1_CPM_L1.weight");
    expect(existsSync(path.join(dir, "store"))).toBe(false);
  });

  it("converts a tiny checkpoint into the store, honouring the manifest contract", async () => {
    const progress: [number, number][] = [];
    const result = await convertOpenPoseBody({
      from: checkpoint,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(result.layout).toBe("bare");
    expect(result.tensors).toBe(tensors.size);
    expect(progress.at(-1)).toEqual([allLayers().length + 2, allLayers().length + 2]);
    const onnxFile = path.join(result.modelDir, "model.onnx");
    const record = await readInstalled("openpose-body");
    expect(record?.files).toEqual([{ name: "model.onnx", ...(await sha256File(onnxFile)) }]);
    expect(result.bytes).toBe((await stat(onnxFile)).size);
    session = await ort.InferenceSession.create(await readFile(onnxFile));
    const entry = findModel("openpose-body");
    const meta = { inputs: session.inputMetadata, outputs: session.outputMetadata };
    expect(entry && contractProblems(entry.contract, meta)).toEqual([]);
  });

  // 48×40 is what the annotator feeds (a multiple of 8); 37×53 checks the floor of odd pools.
  it.each([
    [48, 40],
    [37, 53],
  ])("matches the float64 reference on a %i×%i image", async (height, width) => {
    const image = testImage(height, width, height * 100 + width);
    const input = new ort.Tensor("float32", Float32Array.from(image.data), [1, 3, height, width]);
    const outputs = await session.run({ image: input });
    const reference = openPoseReference(tensors, image);
    for (const [name, expected] of [
      ["paf", reference.paf],
      ["heatmaps", reference.heatmaps],
    ] as const) {
      const actual = outputs[name];
      expect(actual.dims).toEqual([
        1,
        expected.channels,
        Math.floor(height / 8),
        Math.floor(width / 8),
      ]);
      expect(relativeError(actual.data as Float32Array, expected.data), name).toBeLessThan(1e-5);
    }
    // The annotator's model keeps the ReLU after the last heatmap conv (its no_relu list names
    // Mconv7_stage6_L1 twice), so heatmaps are never negative while PAFs are.
    expect(Math.min(...(outputs.heatmaps.data as Float32Array))).toBeGreaterThanOrEqual(0);
    expect(Math.min(...(outputs.paf.data as Float32Array))).toBeLessThan(0);
  });

  it("reads a state dict saved from the annotator's model (module-prefixed names) alike", async () => {
    const modules = new Map(allLayers().map((l) => [l.name, l.module]));
    const file = path.join(dir, "prefixed.pth");
    await writeTorchZip(
      file,
      entries(tensors, (name) => `${modules.get(name.split(".")[0])}.${name}`),
    );
    const before = await readFile(path.join(dir, "store", "openpose-body", "model.onnx"));
    const result = await convertOpenPoseBody({ from: file });
    expect(result.layout).toBe("prefixed");
    const after = await readFile(path.join(result.modelDir, "model.onnx"));
    expect(Buffer.compare(before, after)).toBe(0);
  });
});
