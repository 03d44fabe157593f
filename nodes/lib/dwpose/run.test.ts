import { describe, expect, it } from "vitest";
import { createImage, type RgbaImage } from "../../core/image";
import {
  CancelledError,
  NodeError,
  type ModelSession,
  type ModelTensor,
  type TensorType,
} from "../../core/types";
import { OPENPOSE_FROM_COCO } from "./openpose";
import { poseCropTransform, cropToImage, type CornerBox } from "./pose-crop";
import { detectPeople, runDwpose } from "./run";
import { yoloxAnchorCount } from "./yolox";

/** A tensor as sessions return it, on the CPU. */
function tensor(data: Float32Array, dims: number[]): ModelTensor {
  return {
    type: "float32",
    dims,
    location: "cpu",
    getData: async () => data,
    dispose: () => {},
  };
}

const makeTensor = (type: TensorType, data: ArrayBufferView, dims: readonly number[]) => ({
  ...tensor(data as Float32Array, [...dims]),
  type,
});

interface FakeSession extends ModelSession {
  readonly feeds: Record<string, readonly number[]>[];
}

function fakeSession(
  modelId: string,
  respond: () => Record<string, ModelTensor>,
  onRun: () => void = () => {},
): FakeSession {
  const feeds: Record<string, readonly number[]>[] = [];
  return {
    modelId,
    timings: { filesMs: 0, createMs: 0 },
    backend: { name: "wasm", detail: "fake" },
    feeds,
    async run(input) {
      feeds.push(Object.fromEntries(Object.entries(input).map(([k, t]) => [k, t.dims])));
      onRun();
      return respond();
    },
  };
}

/**
 * A raw YOLOX output whose only confident anchors decode to `boxes` (photo pixels) for a photo
 * letterboxed with `ratio`: each box goes to a stride-32 cell near its centre.
 */
function yoloxOutput(boxes: (CornerBox & { score: number })[], ratio: number): Float32Array {
  const out = new Float32Array(yoloxAnchorCount() * 85);
  const first32 = 80 * 80 + 40 * 40;
  for (const b of boxes) {
    const cx = ((b.x1 + b.x2) / 2) * ratio;
    const cy = ((b.y1 + b.y2) / 2) * ratio;
    const gx = Math.floor(cx / 32);
    const gy = Math.floor(cy / 32);
    const o = (first32 + gy * 20 + gx) * 85;
    out[o] = cx / 32 - gx;
    out[o + 1] = cy / 32 - gy;
    out[o + 2] = Math.log(((b.x2 - b.x1) * ratio) / 32);
    out[o + 3] = Math.log(((b.y2 - b.y1) * ratio) / 32);
    out[o + 4] = 1;
    out[o + 5] = b.score;
  }
  return out;
}

/** SimCC outputs whose keypoint k peaks at crop pixel points[k] with score 0.9 (others 0.01). */
function simccOutputs(points: readonly (readonly [number, number])[]) {
  const x = new Float32Array(133 * 576).fill(0.01);
  const y = new Float32Array(133 * 768).fill(0.01);
  points.forEach(([u, v], k) => {
    x[k * 576 + u * 2] = 0.9;
    y[k * 768 + v * 2] = 0.9;
  });
  return { simcc_x: tensor(x, [1, 133, 576]), simcc_y: tensor(y, [1, 133, 768]) };
}

const photo: RgbaImage = createImage(480, 320);
const ratio = 640 / 480;
const small = { x1: 20, y1: 40, x2: 120, y2: 300, score: 0.8 };
const large = { x1: 200, y1: 10, x2: 460, y2: 310, score: 0.6 };
// Body points (COCO 0..16) at distinct crop pixels; the rest of the 133 score 0.01 (dropped).
const cropPoints = Array.from({ length: 17 }, (_, k) => [40 + k * 10, 50 + k * 15] as const);

function sessions(boxes: (CornerBox & { score: number })[], onRun?: () => void) {
  return {
    detector: fakeSession(
      "dwpose-yolox-l",
      () => ({ output: tensor(yoloxOutput(boxes, ratio), [1, 8400, 85]) }),
      onRun,
    ),
    pose: fakeSession("dwpose-dw-ll-ucoco-384", () => simccOutputs(cropPoints), onRun),
  };
}

const options = () => ({
  people: "all" as const,
  signal: new AbortController().signal,
  tensor: makeTensor,
});

describe("detectPeople", () => {
  it("feeds the letterbox and decodes person boxes back to photo pixels", async () => {
    const { detector } = sessions([small]);
    const [box, ...rest] = await detectPeople(photo, detector, options());
    expect(rest).toEqual([]);
    expect(detector.feeds).toEqual([{ images: [1, 3, 640, 640] }]);
    for (const key of ["x1", "y1", "x2", "y2"] as const)
      expect(box[key]).toBeCloseTo(small[key], 3);
    expect(box.score).toBeCloseTo(0.8, 6);
  });

  it("names the model when its output has the wrong shape", async () => {
    const detector = fakeSession("dwpose-yolox-l", () => ({
      output: tensor(new Float32Array(10), [1, 10]),
    }));
    await expect(detectPeople(photo, detector, options())).rejects.toThrow(
      /dwpose-yolox-l returned "output" as float32 \[1, 10\]/,
    );
    const wrongCount = fakeSession("dwpose-yolox-l", () => ({
      output: tensor(new Float32Array(85 * 4), [1, 4, 85]),
    }));
    await expect(detectPeople(photo, wrongCount, options())).rejects.toBeInstanceOf(NodeError);
  });
});

describe("runDwpose", () => {
  it("runs the pose model on every person and maps points back through each crop", async () => {
    const s = sessions([small, large]);
    const progress: [number, number][] = [];
    const result = await runDwpose(photo, s, {
      ...options(),
      progress: (done, total) => progress.push([done, total]),
    });
    expect(result.detected).toBe(2);
    expect(result.wholeImage).toBe(false);
    expect(result.people.map((p) => p.score.toFixed(2))).toEqual(["0.80", "0.60"]);
    expect(s.pose.feeds).toEqual([{ input: [1, 3, 384, 288] }, { input: [1, 3, 384, 288] }]);
    expect(progress).toEqual([
      [0, 2],
      [1, 3],
      [2, 3],
      [3, 3],
    ]);

    const { keypoints } = result;
    expect([keypoints.width, keypoints.height, keypoints.people.length]).toEqual([480, 320, 2]);
    result.people.forEach((person, n) => {
      const t = poseCropTransform(person.box);
      // OpenPose index 2 (right shoulder) is COCO 6; 0 (nose) is COCO 0.
      for (const openpose of [0, 2, 5, 10]) {
        const coco = OPENPOSE_FROM_COCO[openpose];
        const [x, y] = cropToImage(t, ...cropPoints[coco]);
        const [px, py, score] = keypoints.people[n][openpose];
        expect(px).toBeCloseTo(x, 6);
        expect(py).toBeCloseTo(y, 6);
        expect(score).toBeCloseTo(0.9, 6);
      }
      // The neck is the shoulders' midpoint, with the reference's 0/1 score.
      const [l, r] = [cropToImage(t, ...cropPoints[5]), cropToImage(t, ...cropPoints[6])];
      expect(keypoints.people[n][1][0]).toBeCloseTo((l[0] + r[0]) / 2, 6);
      expect(keypoints.people[n][1][2]).toBe(1);
    });
  });

  it("runs the pose model once, on the largest box, for 'largest'", async () => {
    const s = sessions([small, large]);
    const result = await runDwpose(photo, s, { ...options(), people: "largest" });
    expect(s.pose.feeds.length).toBe(1);
    expect(result.detected).toBe(2);
    expect(result.people.length).toBe(1);
    expect(result.people[0].box.x1).toBeCloseTo(large.x1, 3);
    expect(result.keypoints.people.length).toBe(1);
  });

  it("gives nobody when nobody is detected, as controlnet_aux does, without a pose run", async () => {
    const s = sessions([]);
    const progress: [number, number][] = [];
    const result = await runDwpose(photo, s, {
      ...options(),
      progress: (done, total) => progress.push([done, total]),
    });
    expect(result.wholeImage).toBe(false);
    expect(result.detected).toBe(0);
    expect(result.people).toEqual([]);
    expect(result.keypoints).toEqual({ kind: "keypoints", width: 480, height: 320, people: [] });
    expect(s.pose.feeds).toEqual([]);
    expect(progress).toEqual([
      [0, 2],
      [1, 1],
    ]);
  });

  it("runs the pose model on the whole photo when nobody is detected and that is asked for", async () => {
    const s = sessions([]);
    const result = await runDwpose(photo, s, { ...options(), wholePhotoWhenNobody: true });
    expect(result.wholeImage).toBe(true);
    expect(result.detected).toBe(0);
    expect(result.people[0].box).toEqual({ x1: 0, y1: 0, x2: 480, y2: 320 });
    expect(s.pose.feeds).toEqual([{ input: [1, 3, 384, 288] }]);
    expect(result.keypoints.people.length).toBe(1);
    const [x, y] = cropToImage(poseCropTransform(result.people[0].box), ...cropPoints[0]);
    expect(result.keypoints.people[0][0][0]).toBeCloseTo(x, 6);
    expect(result.keypoints.people[0][0][1]).toBeCloseTo(y, 6);
  });

  it("ignores the whole-photo option when someone is detected", async () => {
    const s = sessions([small, large]);
    const result = await runDwpose(photo, s, { ...options(), wholePhotoWhenNobody: true });
    expect(result.wholeImage).toBe(false);
    expect(result.detected).toBe(2);
    expect(result.people.map((p) => p.box.x1.toFixed(1))).toEqual(["20.0", "200.0"]);
  });

  it("stops between sessions once aborted", async () => {
    const controller = new AbortController();
    const s = sessions([small, large], () => controller.abort());
    await expect(
      runDwpose(photo, s, { ...options(), signal: controller.signal }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(s.detector.feeds.length).toBe(1);
    expect(s.pose.feeds.length).toBe(0);
  });

  it("rejects pose outputs whose keypoint counts disagree", async () => {
    const s = sessions([small]);
    const pose = fakeSession("dwpose-dw-ll-ucoco-384", () => ({
      simcc_x: tensor(new Float32Array(133 * 576), [1, 133, 576]),
      simcc_y: tensor(new Float32Array(17 * 768), [1, 17, 768]),
    }));
    await expect(runDwpose(photo, { ...s, pose }, options())).rejects.toThrow(
      /simcc_x has 133 keypoints but simcc_y has 17/,
    );
  });
});
