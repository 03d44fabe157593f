import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createImage, type RgbaImage } from "../../nodes/core/image";
import { defaultParams } from "../../nodes/core/params";
import { ModelUnavailableError, type Keypoints } from "../../nodes/core/types";
import { LIMB_SEQ, MAP_IDX } from "../../nodes/lib/openpose/connections";
import { poseExtractorNode } from "../../nodes/pose-extractor";
import { getModel } from "../../models/manifest";
import { GraphBuilder } from "../../models/onnx/builder";
import { makeTinyModel } from "../../models/tiny/make-tiny";
import { installModels, storeContext } from "../helpers/model-store";
import { runNode } from "../helpers/node-context";

/**
 * The Pose Extractor's "OpenPose body (as Leffa's app)" keypoint source under Node: graphs in a
 * temporary model store, loaded by the store host into onnxruntime-web's WASM backend and checked
 * against the manifest contract. A known graph whose maps hold one person on the network's grid
 * shows the keypoints land where that person is, in Leffa's 384×512 frame; the tiny random-weight
 * contract models run the whole chain with DensePose.
 */

const OPENPOSE = "openpose-body";
const DETECTOR = "dwpose-yolox-l";
const POSE = "dwpose-dw-ll-ucoco-384";
const DENSEPOSE = "densepose-r50-fpn";

let store: string;
let previousStore: string | undefined;

beforeAll(() => {
  store = mkdtempSync(path.join(tmpdir(), "pose-extractor-openpose-"));
  previousStore = process.env.MODELS_DIR;
});

afterAll(() => {
  if (previousStore === undefined) delete process.env.MODELS_DIR;
  else process.env.MODELS_DIR = previousStore;
  rmSync(store, { recursive: true, force: true });
});

function useStore(name: string, models: Record<string, Uint8Array>): void {
  const dir = path.join(store, name);
  installModels(dir, models);
  process.env.MODELS_DIR = dir;
}

/** Each part one strong cell of the 18×23 grid the 384×512 person gives the network. */
const CELLS: [number, number][] = [
  [9, 2],
  [9, 4],
  [7, 4],
  [6, 7],
  [6, 10],
  [11, 4],
  [12, 7],
  [12, 10],
  [8, 11],
  [8, 15],
  [8, 19],
  [10, 11],
  [10, 15],
  [10, 19],
  [8, 1],
  [10, 1],
  [7, 2],
  [11, 2],
];

/** heatmaps / paf = constant + 0 × mean(image): the person of CELLS whatever the photo. */
function knownOpenPose(): Uint8Array {
  const heat = new Float32Array(19 * 414);
  CELLS.forEach(([x, y], p) => (heat[p * 414 + y * 18 + x] = 1));
  const paf = new Float32Array(38 * 414);
  LIMB_SEQ.forEach(([a, b], k) => {
    const [ax, ay] = CELLS[a - 1];
    const [bx, by] = CELLS[b - 1];
    const n = Math.hypot(bx - ax, by - ay);
    const [cx, cy] = MAP_IDX[k].map((c) => c - 19);
    paf.fill((bx - ax) / n, cx * 414, (cx + 1) * 414);
    paf.fill((by - ay) / n, cy * 414, (cy + 1) * 414);
  });
  const g = new GraphBuilder("known-openpose");
  g.input("image", "float32", [1, 3, "height", "width"]);
  const [mean] = g.node("ReduceMean", ["image"], { keepdims: 0 });
  const [zero] = g.node("Mul", [mean, g.initializer("zero", new Float32Array([0]), [])]);
  for (const [name, data, channels] of [
    ["heatmaps", heat, 19],
    ["paf", paf, 38],
  ] as const) {
    const value = g.initializer(`${name}_value`, data, [1, channels, 23, 18]);
    g.node("Add", [value, zero], {}, [name]);
    g.output(name, "float32", [1, channels, 23, 18]);
  }
  return g.toBytes();
}

describe("Pose Extractor keypoint source", () => {
  it("defaults to DWPose, so documents saved before the option keep their keypoints", () => {
    expect(defaultParams(poseExtractorNode.params).keypoints).toBe("dwpose");
    expect(poseExtractorNode.modelsFor?.({})).toEqual([DETECTOR, POSE, DENSEPOSE]);
    expect(poseExtractorNode.modelsFor?.({ keypoints: "openpose" })).toEqual([
      OPENPOSE,
      DETECTOR,
      DENSEPOSE,
    ]);
    expect(poseExtractorNode.modelsFor?.({ keypoints: "openpose", densepose: false })).toEqual([
      OPENPOSE,
    ]);
  });

  it("names the missing OpenPose model with how to convert it, and the alternative", async () => {
    useStore("empty", {});
    const err = await runNode(
      poseExtractorNode,
      { image: createImage(8, 8) },
      { keypoints: "openpose" },
      storeContext(),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelUnavailableError);
    expect((err as ModelUnavailableError).modelId).toBe(OPENPOSE);
    expect((err as Error).message).toMatch(
      /needs model openpose-body: .*npm run models -- convert openpose-body --from <body_pose_model\.pth>.*pick "DWPose"/,
    );
  });
});

describe("Pose Extractor with OpenPose body (known graph, WASM under Node)", () => {
  it("gives the person's 18 points in Leffa's 384×512 frame and draws them at the photo's size", async () => {
    useStore("known", { [OPENPOSE]: knownOpenPose() });
    const photo = createImage(768, 1024);
    const result = await runNode(
      poseExtractorNode,
      { image: photo },
      { keypoints: "openpose", densepose: false },
      storeContext(),
    );
    const keypoints = result.outputs.keypoints as Keypoints;
    expect([keypoints.width, keypoints.height]).toEqual([384, 512]);
    expect(keypoints.people).toHaveLength(1);
    CELLS.forEach(([x, y], p) => {
      const [px, py, confidence] = keypoints.people[0][p];
      expect(Math.abs(px - (8 * x + 3.5) * (384 / 138))).toBeLessThan(6);
      expect(Math.abs(py - (8 * y + 3.5) * (512 / 184))).toBeLessThan(6);
      expect(confidence).toBeGreaterThan(0.5);
    });
    const skeleton = result.outputs.skeleton as RgbaImage;
    expect([skeleton.width, skeleton.height]).toEqual([768, 1024]);
    // The neck's disc, at twice its 384×512 position.
    const [nx, ny] = keypoints.people[0][1];
    const i = (Math.trunc(2 * ny) * 768 + Math.trunc(2 * nx)) * 4;
    expect(skeleton.data[i] + skeleton.data[i + 1] + skeleton.data[i + 2]).toBeGreaterThan(0);
    expect(result.outputs.densepose).toBeUndefined();
    expect(result.ui?.text).toBe(
      "OpenPose (as Leffa's app): 18 of 18 points · DensePose off · OpenPose on wasm",
    );
  }, 60_000);
});

describe("Pose Extractor with OpenPose body and the tiny contract models", () => {
  it("runs OpenPose, the detector for DensePose's box and DensePose, the same twice", async () => {
    useStore("tiny", {
      [OPENPOSE]: makeTinyModel(getModel(OPENPOSE)),
      [DETECTOR]: makeTinyModel(getModel(DETECTOR)),
      [DENSEPOSE]: makeTinyModel(getModel(DENSEPOSE)),
    });
    const photo = createImage(240, 320);
    for (let i = 0; i < photo.data.length; i += 4) {
      photo.data.set([(i / 4) % 251, (i / 7) % 256, 90, 255], i);
    }
    const run = () =>
      runNode(poseExtractorNode, { image: photo }, { keypoints: "openpose" }, storeContext());
    const [a, b] = [await run(), await run()];
    const keypoints = a.outputs.keypoints as Keypoints;
    expect([keypoints.width, keypoints.height]).toEqual([384, 512]);
    for (const person of keypoints.people) expect(person).toHaveLength(18);
    const densepose = a.outputs.densepose as RgbaImage;
    expect([densepose.width, densepose.height]).toEqual([240, 320]);
    expect(b.outputs.keypoints).toEqual(a.outputs.keypoints);
    expect(a.ui?.text).toMatch(/OpenPose on wasm · YOLOX on wasm · DensePose on wasm/);
  }, 120_000);
});
