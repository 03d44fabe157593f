import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createImage, type RgbaImage } from "../../nodes/core/image";
import { CancelledError, ModelUnavailableError, type Keypoints } from "../../nodes/core/types";
import { vitonHdColor } from "../../nodes/lib/densepose/encodings";
import { OPENPOSE_FROM_COCO } from "../../nodes/lib/dwpose/openpose";
import { cropToImage, poseCropTransform, type CornerBox } from "../../nodes/lib/dwpose/pose-crop";
import { yoloxAnchorCount } from "../../nodes/lib/dwpose/yolox";
import { poseExtractorNode } from "../../nodes/pose-extractor";
import { getModel } from "../../models/manifest";
import { GraphBuilder } from "../../models/onnx/builder";
import { makeTinyModel } from "../../models/tiny/make-tiny";
import { fixtureCrop } from "../helpers/fixtures";
import { pixel } from "../helpers/images";
import { createStoreModelHost } from "../../workers/models/store-models";
import { installModels, storeContext } from "../helpers/model-store";
import { makeTestContext, runNode } from "../helpers/node-context";

/**
 * The Pose Extractor end to end under Node: ONNX graphs in a temporary model store, loaded by the
 * store host into onnxruntime-web's WASM backend (the browser's fallback path), checked against
 * their manifest contracts by the session pool. Two kinds of graphs:
 * - "known" graphs honouring the contracts that output a chosen pattern: YOLOX anchors decoding
 *   to given boxes, SimCC peaks at given crop pixels, and a DensePose head reading the part index
 *   from the blue channel (so a painted photo has a known DensePose);
 * - the seeded random-weight tiny contract models (`make-tiny`), on a real photograph.
 * No real weights exist here, so nothing below judges pose quality.
 */

const DETECTOR = "dwpose-yolox-l";
const POSE = "dwpose-dw-ll-ucoco-384";
const DENSEPOSE = "densepose-r50-fpn";

let store: string;
let previousStore: string | undefined;

beforeAll(() => {
  store = mkdtempSync(path.join(tmpdir(), "pose-extractor-"));
  previousStore = process.env.MODELS_DIR;
});

afterAll(() => {
  if (previousStore === undefined) delete process.env.MODELS_DIR;
  else process.env.MODELS_DIR = previousStore;
  rmSync(store, { recursive: true, force: true });
});

/** Points MODELS_DIR at a fresh store holding exactly `models` (id → .onnx bytes). */
function useStore(name: string, models: Record<string, Uint8Array>): void {
  const dir = path.join(store, name);
  installModels(dir, models);
  process.env.MODELS_DIR = dir;
}

/** output = constant + 0 × mean(input): the contract's tensors, the input still consumed. */
function constantGraph(
  name: string,
  input: { name: string; shape: number[] },
  outputs: { name: string; shape: number[]; data: Float32Array }[],
): Uint8Array {
  const g = new GraphBuilder(name);
  g.input(input.name, "float32", input.shape);
  const [mean] = g.node("ReduceMean", [input.name], { keepdims: 0 });
  const [zero] = g.node("Mul", [mean, g.initializer("zero", new Float32Array([0]), [])]);
  for (const out of outputs) {
    const value = g.initializer(`${out.name}_value`, out.data, out.shape);
    g.node("Add", [value, zero], {}, [out.name]);
    g.output(out.name, "float32", out.shape);
  }
  return g.toBytes();
}

type Box = CornerBox & { score: number };

/** A YOLOX-L stand-in whose confident anchors decode to `boxes` on a width × height photo. */
function knownDetector(boxes: Box[], width: number, height: number): Uint8Array {
  const ratio = Math.min(640 / width, 640 / height);
  const data = new Float32Array(yoloxAnchorCount() * 85);
  const firstStride32 = 80 * 80 + 40 * 40;
  for (const b of boxes) {
    const cx = ((b.x1 + b.x2) / 2) * ratio;
    const cy = ((b.y1 + b.y2) / 2) * ratio;
    const gx = Math.floor(cx / 32);
    const gy = Math.floor(cy / 32);
    const o = (firstStride32 + gy * 20 + gx) * 85;
    data.set(
      [
        cx / 32 - gx,
        cy / 32 - gy,
        Math.log(((b.x2 - b.x1) * ratio) / 32),
        Math.log(((b.y2 - b.y1) * ratio) / 32),
        1,
        b.score,
      ],
      o,
    );
  }
  return constantGraph("known-yolox", { name: "images", shape: [1, 3, 640, 640] }, [
    { name: "output", shape: [1, 8400, 85], data },
  ]);
}

/** COCO body point k of every crop peaks at crop pixel CROP_POINTS[k], score 0.9. */
const CROP_POINTS = Array.from({ length: 17 }, (_, k) => [60 + k * 9, 40 + k * 18] as const);

function knownPose(): Uint8Array {
  const x = new Float32Array(133 * 576).fill(0.01);
  const y = new Float32Array(133 * 768).fill(0.01);
  CROP_POINTS.forEach(([u, v], k) => {
    x[k * 576 + u * 2] = 0.9;
    y[k * 768 + v * 2] = 0.9;
  });
  return constantGraph("known-rtmpose", { name: "input", shape: [1, 3, 384, 288] }, [
    { name: "simcc_x", shape: [1, 133, 576], data: x },
    { name: "simcc_y", shape: [1, 133, 768], data: y },
  ]);
}

/**
 * A DensePose head stand-in on the contract's BGR input, through 1×1 convolutions and RoiAlign of
 * the `box` input onto a fixed 56 × 56 grid (the real head's output is also a fixed RoI grid):
 * fine_segm_p = 20p·B − 100p² (so I = round(B / 10)), coarse_segm = [0, R − 128] (a body where
 * R > 128), U = G / 255 and V = 1 − G / 255 in every part channel.
 */
function knownDensePose(): Uint8Array {
  const g = new GraphBuilder("known-densepose");
  g.input("image", "float32", [1, 3, "height", "width"]);
  g.input("box", "float32", [1, 4]);
  const batch = g.initializer("batch_indices", new BigInt64Array(1), [1]);
  const head = (name: string, channels: number, weights: number[][], bias: number[]) => {
    const w = g.initializer(`${name}_w`, new Float32Array(weights.flat()), [channels, 3, 1, 1]);
    const b = g.initializer(`${name}_b`, new Float32Array(bias), [channels]);
    const [conv] = g.node("Conv", ["image", w, b]);
    g.node(
      "RoiAlign",
      [conv, "box", batch],
      { output_height: 56, output_width: 56, sampling_ratio: 2, spatial_scale: { float: 1 } },
      [name],
    );
    g.output(name, "float32", [1, channels, "out_h", "out_w"]);
  };
  const parts = Array.from({ length: 25 }, (_, p) => p);
  head(
    "fine_segm",
    25,
    parts.map((p) => [20 * p, 0, 0]),
    parts.map((p) => -100 * p * p),
  );
  head(
    "u",
    25,
    parts.map(() => [0, 1 / 255, 0]),
    parts.map(() => 0),
  );
  head(
    "v",
    25,
    parts.map(() => [0, -1 / 255, 0]),
    parts.map(() => 1),
  );
  head(
    "coarse_segm",
    2,
    [
      [0, 0, 0],
      [0, 0, 1],
    ],
    [0, -128],
  );
  return g.toBytes();
}

const WIDTH = 300;
const HEIGHT = 400;
/** Fractional edges keep the whole-pixel box (60, 80, 180 × 280) clear of rounding. */
const PERSON: Box = { x1: 60.3, y1: 80.3, x2: 240.6, y2: 360.6, score: 0.9 };
const SMALL: Box = { x1: 10.3, y1: 300.3, x2: 50.6, y2: 390.6, score: 0.8 };

/**
 * A painted "photo": inside PERSON's box below y = 120, R = 200 (body) with B = 50 (part 5) left
 * of x = 150 and B = 120 (part 12) right of it; G = 51 everywhere (U = 0.2, V = 0.8).
 */
function paintedPhoto(): RgbaImage {
  const image = createImage(WIDTH, HEIGHT);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const body = x >= 60 && x < 240 && y >= 120 && y < 360;
      image.data.set([body ? 200 : 0, 51, x < 150 ? 50 : 120, 255], (y * WIDTH + x) * 4);
    }
  }
  return image;
}

describe("Pose Extractor without its models", () => {
  const image = createImage(8, 8);

  it("names the missing DWPose model", async () => {
    useStore("empty", {});
    const err = await runNode(poseExtractorNode, { image }, {}, storeContext()).catch((e) => e);
    expect(err).toBeInstanceOf(ModelUnavailableError);
    expect(err.modelId).toBe(DETECTOR);
    expect(err.message).toMatch(/npm run models -- install dwpose-yolox-l/);
  });

  it("fails for a missing DensePose model before running DWPose, saying how to do without it", async () => {
    useStore("dwpose-only", {
      [DETECTOR]: knownDetector([PERSON], WIDTH, HEIGHT),
      [POSE]: knownPose(),
    });
    const ctx = storeContext();
    const err = await runNode(poseExtractorNode, { image }, {}, ctx).catch((e) => e);
    expect(err).toBeInstanceOf(ModelUnavailableError);
    expect(err.modelId).toBe(DENSEPOSE);
    expect(err.message).toMatch(/convert densepose/);
    expect(err.message).toMatch(/turn "DensePose" off/);
    expect(ctx.progressCalls).toEqual([]);
  });

  // Also how a conversion made before the box input is refused: the message names the input.
  it("rejects a DensePose file that breaks its contract before DWPose runs", async () => {
    useStore("bad-densepose", {
      [DETECTOR]: knownDetector([PERSON], WIDTH, HEIGHT),
      [POSE]: knownPose(),
      [DENSEPOSE]: constantGraph("bad", { name: "image", shape: [1, 3, 8, 8] }, [
        { name: "fine_segm", shape: [1, 24, 2, 2], data: new Float32Array(96) },
      ]),
    });
    const ctx = storeContext();
    await expect(runNode(poseExtractorNode, { image }, {}, ctx)).rejects.toThrow(
      /densepose-r50-fpn does not match its manifest contract: input "box": expected float32 \[1,4\], model has no such input \(it has "image"\); output "fine_segm": expected float32 \[1,25,out_h,out_w\], model has float32 \[1,24,2,2\].*\(this DensePose was converted before it pooled the person's box from the whole photo: convert it again with npm run models -- convert densepose/,
    );
    expect(ctx.progressCalls).toEqual([]);
  }, 30_000);

  it("gives keypoints and the skeleton with DensePose off", async () => {
    useStore("dwpose-only", {
      [DETECTOR]: knownDetector([PERSON], WIDTH, HEIGHT),
      [POSE]: knownPose(),
    });
    const photo = paintedPhoto();
    const result = await runNode(
      poseExtractorNode,
      { image: photo },
      { densepose: false },
      storeContext(),
    );
    expect(Object.keys(result.outputs).sort()).toEqual(["keypoints", "skeleton"]);
    expect((result.outputs.keypoints as Keypoints).people.length).toBe(1);
    expect(result.ui?.text).toMatch(/DensePose off/);
  });
});

describe("Pose Extractor with known graphs (WASM under Node)", () => {
  beforeAll(() => {
    useStore("known", {
      [DETECTOR]: knownDetector([PERSON, SMALL], WIDTH, HEIGHT),
      [POSE]: knownPose(),
      [DENSEPOSE]: knownDensePose(),
    });
  });

  it("maps keypoints back through the largest person's crop and draws them", async () => {
    const ctx = storeContext();
    const result = await runNode(poseExtractorNode, { image: paintedPhoto() }, {}, ctx);
    const keypoints = result.outputs.keypoints as Keypoints;
    expect([keypoints.width, keypoints.height, keypoints.people.length]).toEqual([
      WIDTH,
      HEIGHT,
      1,
    ]);
    const t = poseCropTransform(PERSON);
    for (let openpose = 0; openpose < 18; openpose++) {
      if (openpose === 1) continue; // the neck is derived
      const [x, y] = cropToImage(t, ...CROP_POINTS[OPENPOSE_FROM_COCO[openpose]]);
      const [px, py, score] = keypoints.people[0][openpose];
      expect(Math.abs(px - x)).toBeLessThan(0.05);
      expect(Math.abs(py - y)).toBeLessThan(0.05);
      expect(score).toBeCloseTo(0.9, 5);
    }
    const skeleton = result.outputs.skeleton as RgbaImage;
    expect([skeleton.width, skeleton.height]).toEqual([WIDTH, HEIGHT]);
    // The nose's disc is drawn in its colour (red) where the nose is.
    const [nx, ny] = keypoints.people[0][0];
    expect(pixel(skeleton, Math.trunc(nx), Math.trunc(ny))).toEqual([255, 0, 0, 255]);
    expect(result.ui?.text).toBe(
      "2 people detected, 1 kept · DensePose viton_hd on the whole photo · YOLOX on wasm · DWPose on wasm · DensePose on wasm",
    );
    // Detector, one pose run, one DensePose run: 3 steps.
    expect(ctx.progressCalls.map((c) => `${c.value}/${c.max}`)).toEqual([
      "0/3",
      "1/3",
      "2/3",
      "2/3",
      "3/3",
    ]);
  }, 30_000);

  it("renders the painted parts in each of Leffa's encodings", async () => {
    const photo = paintedPhoto();
    const run = async (encoding: string) =>
      (await runNode(poseExtractorNode, { image: photo }, { encoding }, storeContext())).outputs
        .densepose as RgbaImage;
    const viton = await run("viton_hd");
    expect([viton.width, viton.height]).toEqual([WIDTH, HEIGHT]);
    expect(pixel(viton, 100, 250)).toEqual([...vitonHdColor(5), 255]);
    expect(pixel(viton, 200, 250)).toEqual([...vitonHdColor(12), 255]);
    expect(pixel(viton, 100, 100)).toEqual([0, 0, 0, 255]); // in the box, not a body
    expect(pixel(viton, 20, 20)).toEqual([0, 0, 0, 255]); // outside every box

    const dress = await run("dress_code");
    expect(pixel(dress, 100, 250)).toEqual([5, 5, 5, 255]);
    expect(pixel(dress, 200, 250)).toEqual([12, 12, 12, 255]);

    // U = 0.2 and V = 0.8 on the body, 0 on the box's background: min-max → 63 and 255.
    const iuv = await run("pose_transfer");
    const [u, v, i] = pixel(iuv, 100, 250);
    expect([u, i]).toEqual([63, 5]);
    // V is the box's maximum up to float32 rounding in the graph: 255, or 254 just below it.
    expect(v).toBeGreaterThanOrEqual(254);
    expect(pixel(iuv, 100, 100)).toEqual([0, 0, 0, 255]);
  }, 30_000);

  it("gives the same result with the whole-photo option on when someone is detected", async () => {
    const photo = paintedPhoto();
    const plain = await runNode(poseExtractorNode, { image: photo }, {}, storeContext());
    const option = await runNode(
      poseExtractorNode,
      { image: photo },
      { wholePhoto: true },
      storeContext(),
    );
    expect(option.outputs.keypoints).toEqual(plain.outputs.keypoints);
    const dense = (r: typeof plain) => Buffer.from((r.outputs.densepose as RgbaImage).data);
    expect(dense(option).equals(dense(plain))).toBe(true);
    expect(option.ui?.text).toBe(plain.ui?.text);
    expect(plain.ui?.text).not.toMatch(/⚠/);
  }, 30_000);

  /** The painted photo with a body in SMALL's box too (x 10…50, y 320…390, part 5). */
  function twoBodies(): RgbaImage {
    const image = paintedPhoto();
    for (let y = 320; y < 390; y++)
      for (let x = 10; x < 50; x++) image.data[(y * WIDTH + x) * 4] = 200;
    return image;
  }

  it("keeps everyone for 'all', best score first; DressCode's DensePose is the first's", async () => {
    const ctx = storeContext();
    const result = await runNode(
      poseExtractorNode,
      { image: twoBodies() },
      { people: "all", encoding: "dress_code" },
      ctx,
    );
    const keypoints = result.outputs.keypoints as Keypoints;
    expect(keypoints.people.length).toBe(2);
    const [x] = cropToImage(poseCropTransform(SMALL), ...CROP_POINTS[0]);
    expect(Math.abs(keypoints.people[1][0][0] - x)).toBeLessThan(0.05);
    // Leffa's DressCode image is outputs[0][0]: the best-scored person only.
    const dense = result.outputs.densepose as RgbaImage;
    expect(pixel(dense, 100, 250)).toEqual([5, 5, 5, 255]);
    expect(pixel(dense, 30, 350)).toEqual([0, 0, 0, 255]);
    expect(result.ui?.text).toMatch(
      /^2 people detected, 2 kept · DensePose dress_code on the whole photo, person 1 of 2: the first \(best score\): Leffa reads outputs\[0\]\[0\] · /,
    );
    // Detector, two pose runs, one DensePose run (only the kept person's box runs).
    expect(ctx.progressCalls.map((c) => `${c.value}/${c.max}`)).toEqual([
      "0/3",
      "1/4",
      "2/4",
      "3/4",
      "3/4",
      "4/4",
    ]);
  }, 30_000);

  it("draws only the last person for VITON-HD with 'all', as Leffa's visualiser leaves it", async () => {
    const result = await runNode(
      poseExtractorNode,
      { image: twoBodies() },
      { people: "all", encoding: "viton_hd" },
      storeContext(),
    );
    const dense = result.outputs.densepose as RgbaImage;
    expect(pixel(dense, 30, 350)).toEqual([...vitonHdColor(5), 255]);
    expect(pixel(dense, 100, 250)).toEqual([0, 0, 0, 255]);
    expect(result.ui?.text).toMatch(
      /DensePose viton_hd on the whole photo, person 2 of 2: the last \(lowest score\): Leffa's visualiser clears the canvas before each person · /,
    );
    // With the largest person only, that person is drawn whatever the encoding.
    const largest = await runNode(poseExtractorNode, { image: twoBodies() }, {}, storeContext());
    expect(pixel(largest.outputs.densepose as RgbaImage, 100, 250)).toEqual([
      ...vitonHdColor(5),
      255,
    ]);
  }, 30_000);

  it("hands DensePose RGB planes with 'RGB, as Leffa's app', BGR by default", async () => {
    // The known head reads the part from its input's blue plane and the body from its red one:
    // a photo with R and B swapped reads as the painted one only when the planes are swapped back.
    const swapped = paintedPhoto();
    for (let o = 0; o < swapped.data.length; o += 4) {
      [swapped.data[o], swapped.data[o + 2]] = [swapped.data[o + 2], swapped.data[o]];
    }
    const run = (channels?: string) =>
      runNode(
        poseExtractorNode,
        { image: swapped },
        { encoding: "dress_code", ...(channels ? { channels } : {}) },
        storeContext(),
      );
    const rgb = await run("rgb");
    expect(pixel(rgb.outputs.densepose as RgbaImage, 100, 250)).toEqual([5, 5, 5, 255]);
    expect(pixel(rgb.outputs.densepose as RgbaImage, 200, 250)).toEqual([12, 12, 12, 255]);
    expect(rgb.ui?.text).toMatch(
      /DensePose dress_code on the whole photo \(RGB input, as Leffa's app\) · /,
    );
    // By default the network sees R = 50 or 120 in its red plane: under 128, no body anywhere.
    const bgr = await run();
    expect(pixel(bgr.outputs.densepose as RgbaImage, 100, 250)).toEqual([0, 0, 0, 255]);
    expect((await run("bgr")).outputs.densepose).toEqual(bgr.outputs.densepose);
    expect(bgr.ui?.text).not.toMatch(/RGB/);
  }, 30_000);

  it("says which session fell back from WebGPU to WASM, and why", async () => {
    const host = createStoreModelHost();
    const onGpu = { name: "webgpu" as const, detail: "test adapter" };
    const fallback = {
      name: "wasm" as const,
      detail: `${POSE} failed on its first run on WebGPU (Failed to run JSEP kernel); it runs on WASM instead`,
    };
    const ctx = makeTestContext({
      backend: onGpu,
      requireModel: (id) => host.require(id),
      // The sessions really run on WASM; their reported backends stand in for a WebGPU device.
      loadModel: async (id) => ({
        ...(await host.load(id, () => {})),
        backend: id === POSE ? fallback : onGpu,
      }),
    });
    const result = await runNode(poseExtractorNode, { image: paintedPhoto() }, {}, ctx);
    expect(result.ui?.text).toBe(
      `2 people detected, 1 kept · DensePose viton_hd on the whole photo · YOLOX on webgpu · DWPose on wasm (${fallback.detail}) · DensePose on webgpu`,
    );
  }, 30_000);

  it("stops between sessions when cancelled", async () => {
    const ctx = storeContext();
    const cancelling = {
      ...ctx,
      progress: (value: number, max: number, message?: string) => {
        ctx.progress(value, max, message);
        ctx.abort();
      },
    };
    await expect(
      runNode(poseExtractorNode, { image: paintedPhoto() }, {}, cancelling),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(ctx.progressCalls.length).toBe(1);
  }, 30_000);
});

describe("Pose Extractor when the detector finds nobody", () => {
  beforeAll(() => {
    useStore("nobody", {
      [DETECTOR]: knownDetector([], WIDTH, HEIGHT),
      [POSE]: knownPose(),
      [DENSEPOSE]: knownDensePose(),
    });
  });

  it("gives nobody by default, as controlnet_aux does, and says so with how to change it", async () => {
    const ctx = storeContext();
    const result = await runNode(
      poseExtractorNode,
      { image: paintedPhoto() },
      { encoding: "dress_code" },
      ctx,
    );
    const [summary, warning] = (result.ui?.text ?? "").split("\n");
    expect(summary).toBe(
      "nobody detected: no keypoints · DensePose dress_code · YOLOX on wasm · DWPose on wasm · DensePose on wasm",
    );
    expect(warning).toBe(
      '⚠ the detector found nobody: the keypoints hold no person and the DensePose is empty (turn on "whole photo when nobody is found" to run the pose model on the whole photo)',
    );
    const keypoints = result.outputs.keypoints as Keypoints;
    expect([keypoints.width, keypoints.height, keypoints.people]).toEqual([WIDTH, HEIGHT, []]);
    // Nothing drawn: the painted body is not in the DensePose, the skeleton is blank.
    const dense = result.outputs.densepose as RgbaImage;
    expect([dense.width, dense.height]).toEqual([WIDTH, HEIGHT]);
    expect(pixel(dense, 100, 250)).toEqual([0, 0, 0, 255]);
    const skeleton = result.outputs.skeleton as RgbaImage;
    expect(new Set(Array.from({ length: WIDTH * HEIGHT }, (_, i) => skeleton.data[i * 4]))).toEqual(
      new Set([0]),
    );
    // The detector ran (planned as 1 of 3 steps for one person); once it found nobody, the pose
    // and DensePose models did not run and the work is 1 step, done.
    expect(ctx.progressCalls.map((c) => `${c.value}/${c.max}`)).toEqual(["0/3", "1/1", "1/1"]);
  }, 30_000);

  it("with DensePose off, says only the keypoints are empty", async () => {
    const result = await runNode(
      poseExtractorNode,
      { image: paintedPhoto() },
      { densepose: false },
      storeContext(),
    );
    expect(result.ui?.text).toMatch(/^nobody detected: no keypoints · DensePose off · /);
    expect(result.ui?.text).toMatch(/⚠ the detector found nobody: the keypoints hold no person \(/);
  }, 30_000);

  it("runs both models on the whole photo when the option is on, and says so", async () => {
    const result = await runNode(
      poseExtractorNode,
      { image: paintedPhoto() },
      { encoding: "dress_code", wholePhoto: true },
      storeContext(),
    );
    expect(result.ui?.text).toMatch(
      /^nobody detected: whole photo used · DensePose dress_code on the whole photo · /,
    );
    expect(result.ui?.text).toMatch(
      /\n⚠ the detector found nobody, so the pose model ran on the whole photo/,
    );
    const keypoints = result.outputs.keypoints as Keypoints;
    expect(keypoints.people.length).toBe(1);
    const [x] = cropToImage(
      poseCropTransform({ x1: 0, y1: 0, x2: WIDTH, y2: HEIGHT }),
      ...CROP_POINTS[0],
    );
    expect(Math.abs(keypoints.people[0][0][0] - x)).toBeLessThan(0.05);
    const dense = result.outputs.densepose as RgbaImage;
    expect(pixel(dense, 100, 250)).toEqual([5, 5, 5, 255]);
    expect(pixel(dense, 20, 20)).toEqual([0, 0, 0, 255]);
  }, 30_000);
});

describe("Pose Extractor with the tiny random-weight contract models, on a photograph", () => {
  beforeAll(() => {
    useStore("tiny", {
      [DETECTOR]: makeTinyModel(getModel(DETECTOR)),
      [POSE]: makeTinyModel(getModel(POSE)),
      [DENSEPOSE]: makeTinyModel(getModel(DENSEPOSE)),
    });
  });

  it("runs the whole chain and gives the same result twice", async () => {
    const photo = await fixtureCrop("person-upper-body.png", {
      left: 200,
      top: 100,
      width: 240,
      height: 320,
    });
    const run = () => runNode(poseExtractorNode, { image: photo }, {}, storeContext());
    const [a, b] = [await run(), await run()];
    const keypoints = a.outputs.keypoints as Keypoints;
    expect([keypoints.width, keypoints.height]).toEqual([240, 320]);
    expect(keypoints.people.length).toBe(1);
    for (const person of keypoints.people) expect(person.length).toBe(18);
    for (const key of ["skeleton", "densepose"]) {
      const image = a.outputs[key] as RgbaImage;
      expect([image.width, image.height]).toEqual([240, 320]);
      expect(Buffer.from(image.data).equals(Buffer.from((b.outputs[key] as RgbaImage).data))).toBe(
        true,
      );
    }
    expect(b.outputs.keypoints).toEqual(a.outputs.keypoints);
    // Random weights find boxes all over; 'largest' keeps one.
    expect(a.ui?.text).toMatch(
      /^\d+ (person|people) detected, 1 kept · DensePose viton_hd on the whole photo · /,
    );
    expect(a.ui?.text).toMatch(/YOLOX on wasm · DWPose on wasm · DensePose on wasm$/);
  }, 60_000);
});
