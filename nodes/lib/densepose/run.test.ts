import { describe, expect, it } from "vitest";
import { createImage } from "../../core/image";
import {
  CancelledError,
  type ModelSession,
  type ModelTensor,
  type TensorType,
} from "../../core/types";
import { vitonHdColor, type DensePoseBox } from "./encodings";
import { pilResampleU8 } from "../pil-resample";
import {
  cropForDensePose,
  decodeDensePose,
  keptBox,
  keptInstance,
  keptInstanceRule,
  personBox,
  renderDensePose,
  runDensePose,
  scaledRoi,
  testResolution,
  wholePhotoForDensePose,
  type DensePoseHeadOutput,
  type DensePoseInstance,
} from "./run";

function tensor(data: Float32Array, dims: number[]): ModelTensor {
  return { type: "float32", dims, location: "cpu", getData: async () => data, dispose: () => {} };
}

const makeTensor = (type: TensorType, data: ArrayBufferView, dims: readonly number[]) => ({
  ...tensor(data as Float32Array, [...dims]),
  type,
});

/**
 * A head output on a cols × rows grid: cell (c, r) predicts part parts[r][c] (0 = the coarse head
 * says background), with U = 0.1 × part and V = 1 − 0.01 × part in that part's channel.
 */
function headOf(parts: number[][]): DensePoseHeadOutput {
  const rows = parts.length;
  const cols = parts[0].length;
  const plane = rows * cols;
  const fineSegm = new Float32Array(25 * plane);
  const u = new Float32Array(25 * plane);
  const v = new Float32Array(25 * plane);
  const coarseSegm = new Float32Array(2 * plane);
  parts.forEach((row, r) =>
    row.forEach((part, c) => {
      const p = r * cols + c;
      fineSegm[Math.max(part, 1) * plane + p] = 5;
      u[part * plane + p] = 0.1 * part;
      v[part * plane + p] = 1 - 0.01 * part;
      coarseSegm[(part > 0 ? 1 : 0) * plane + p] = 3;
    }),
  );
  return { fineSegm, u, v, coarseSegm, outWidth: cols, outHeight: rows };
}

describe("testResolution (detectron2 ResizeShortestEdge 800 / 1333)", () => {
  it("scales the shorter side to 800 unless the longer passes 1333", () => {
    expect(testResolution(768, 1024)).toEqual({ width: 800, height: 1067 });
    expect(testResolution(2000, 1000)).toEqual({ width: 1333, height: 667 });
    expect(testResolution(400, 400)).toEqual({ width: 800, height: 800 });
    // Portrait past the limit: 500 × 1000 → 800 × 1600 → × 1333/1600 → 666.5 → 667 (int(x + 0.5)).
    expect(testResolution(500, 1000)).toEqual({ width: 667, height: 1333 });
    expect(testResolution(1, 3)).toEqual({ width: 444, height: 1333 });
  });
});

describe("personBox", () => {
  it("clips to the photo, then truncates x, y, w and h like make_int_box", () => {
    expect(personBox({ x1: -5.5, y1: 10.7, x2: 50.9, y2: 99.2 }, 60, 80)).toEqual({
      x: 0,
      y: 10,
      width: 50,
      height: 69,
    });
    expect(personBox({ x1: 70, y1: 0, x2: 90, y2: 10 }, 60, 80)).toBeNull();
    // A sliver at the right edge stays one pixel inside the photo.
    expect(personBox({ x1: 59.6, y1: 0, x2: 61, y2: 10 }, 60, 80)).toEqual({
      x: 59,
      y: 0,
      width: 1,
      height: 10,
    });
  });
});

describe("cropForDensePose", () => {
  it("cuts the box from the photo at test resolution, BGR, 0..255", () => {
    const image = createImage(768, 1024);
    for (let p = 0; p < 768 * 1024; p++) image.data.set([200, 100, 50, 255], p * 4);
    const crop = cropForDensePose(image, { x: 100, y: 200, width: 50, height: 80 });
    // Scale 800 / 768: x from floor(104.17) to ceil(156.25); y (1067 / 1024) 208 … 292.
    expect([crop.width, crop.height]).toEqual([53, 84]);
    expect(crop.region.x).toBeCloseTo(104 * 0.96, 9);
    expect(crop.region.width).toBeCloseTo(53 * 0.96, 9);
    const plane = crop.width * crop.height;
    expect(crop.tensor.length).toBe(3 * plane);
    expect([crop.tensor[0], crop.tensor[plane], crop.tensor[2 * plane]]).toEqual([50, 100, 200]);
    const rgb = cropForDensePose(image, { x: 100, y: 200, width: 50, height: 80 }, "rgb");
    expect(rgb.tensor[0]).toBe(200);
  });

  it("takes the photo's pixels from the box, not elsewhere", () => {
    const image = createImage(40, 40);
    // Left half black, right half white: a box on the right sees only white.
    for (let y = 0; y < 40; y++)
      for (let x = 0; x < 40; x++)
        image.data.set(x < 20 ? [0, 0, 0, 255] : [255, 255, 255, 255], (y * 40 + x) * 4);
    const crop = cropForDensePose(image, { x: 24, y: 0, width: 16, height: 40 });
    expect(crop.tensor.every((value) => value === 255)).toBe(true);
  });
});

describe("decodeDensePose", () => {
  const box: DensePoseBox = { x: 10, y: 20, width: 4, height: 4 };
  const region = { x: 10, y: 20, width: 4, height: 4 };

  it("resizes the head to the box bilinearly, then takes the argmax and U, V at I", () => {
    const out = decodeDensePose(
      headOf([
        [3, 7],
        [0, 24],
      ]),
      region,
      box,
    );
    // torch align_corners=False on 2 → 4: pixels 0, 1 lean on cell 0 and 2, 3 on cell 1.
    expect([...out.labels]).toEqual([3, 3, 7, 7, 3, 3, 7, 7, 0, 0, 24, 24, 0, 0, 24, 24]);
    expect(out.u[0]).toBeCloseTo(0.3, 6);
    expect(out.v[3]).toBeCloseTo(0.93, 6);
    expect(out.u[15]).toBeCloseTo(2.4, 6);
    // Background pixels keep U = V = 0.
    expect(out.u[8]).toBe(0);
    expect(out.v[8]).toBe(0);
    // Between cells U is interpolated within the chosen part's channel: pixel 1 is 3/4 cell 0.
    expect(out.u[1]).toBeCloseTo(0.75 * 0.3, 6);
  });

  it("places the head on the region it covers when that is larger than the box", () => {
    // The head spans 8 px of which the box is the right half: only the right cells show.
    const wide = { x: 6, y: 20, width: 8, height: 4 };
    const out = decodeDensePose(headOf([[1, 1, 5, 5]]), wide, box);
    expect([...out.labels.subarray(0, 4)]).toEqual([5, 5, 5, 5]);
  });
});

describe("the instance Leffa keeps", () => {
  const instance = (box: DensePoseBox, part: number, hole = -1): DensePoseInstance => {
    const n = box.width * box.height;
    const labels = new Uint8Array(n).fill(part);
    if (hole >= 0) labels[hole] = 0;
    return { box, labels, u: new Float32Array(n).fill(0.25), v: new Float32Array(n).fill(0.5) };
  };
  const a = instance({ x: 0, y: 0, width: 3, height: 1 }, 2);
  const b = instance({ x: 1, y: 0, width: 3, height: 1 }, 9, 0);

  it("is the last for VITON-HD and the first for DressCode and pose transfer", () => {
    expect(keptInstance(3, "viton_hd")).toBe(2);
    expect(keptInstance(3, "dress_code")).toBe(0);
    expect(keptInstance(3, "pose_transfer")).toBe(0);
    expect(keptInstance(0, "viton_hd")).toBe(-1);
    expect(keptInstanceRule("viton_hd")).toMatch(/last.*clears the canvas/);
    expect(keptInstanceRule("dress_code")).toMatch(/first.*outputs\[0\]\[0\]/);
  });

  it("VITON-HD draws the last instance alone, its box's background black (canvas cleared)", () => {
    const viton = renderDensePose([a, b], 5, 1, "viton_hd");
    const colours = [0, 1, 2, 3, 4].map((p) => [...viton.data.subarray(p * 4, p * 4 + 3)]);
    expect(colours).toEqual([[0, 0, 0], [0, 0, 0], vitonHdColor(9), vitonHdColor(9), [0, 0, 0]]);
    // The other order keeps a: the rule follows the order, not the instance.
    const swapped = renderDensePose([b, a], 5, 1, "viton_hd");
    expect([0, 1, 2, 3, 4].map((p) => swapped.data[p * 4])).toEqual(
      [2, 2, 2, 0, 0].map((part) => vitonHdColor(part)[0]),
    );
  });

  it("DressCode and pose transfer draw the first instance alone", () => {
    const dress = renderDensePose([a, b], 5, 1, "dress_code");
    expect([0, 1, 2, 3, 4].map((p) => dress.data[p * 4])).toEqual([2, 2, 2, 0, 0]);
    const iuv = renderDensePose([a, b], 5, 1, "pose_transfer");
    expect([0, 1, 2, 3, 4].map((p) => iuv.data[p * 4 + 2])).toEqual([2, 2, 2, 0, 0]);
    for (const encoding of ["viton_hd", "dress_code", "pose_transfer"] as const) {
      const empty = renderDensePose([], 5, 1, encoding);
      expect([...empty.data.subarray(0, 4)]).toEqual([0, 0, 0, 255]);
    }
  });

  it("picks the detector box among those that meet the photo", () => {
    const boxes = [
      { x1: 0, y1: 0, x2: 10, y2: 10 },
      { x1: 20, y1: 0, x2: 30, y2: 10 },
      { x1: 200, y1: 0, x2: 230, y2: 10 }, // right of a 64-wide photo
    ];
    expect(keptBox(boxes, 64, 48, "viton_hd")).toEqual({ index: 1, box: boxes[1] });
    expect(keptBox(boxes, 64, 48, "dress_code")).toEqual({ index: 0, box: boxes[0] });
    expect(keptBox(boxes.slice(2), 64, 48, "pose_transfer")).toBeNull();
  });
});

describe("runDensePose", () => {
  const image = createImage(64, 48);

  function session(onRun: (dims: readonly number[]) => void = () => {}) {
    const feeds: (readonly number[])[] = [];
    const rois: number[][] = [];
    const s: ModelSession = {
      modelId: "densepose-r50-fpn",
      timings: { filesMs: 0, createMs: 0 },
      backend: { name: "wasm", detail: "fake" },
      async run(input) {
        feeds.push(input.image.dims);
        rois.push([...((await input.box.getData()) as Float32Array)]);
        onRun(input.image.dims);
        const head = headOf([
          [4, 4],
          [4, 4],
        ]);
        return {
          fine_segm: tensor(head.fineSegm, [1, 25, 2, 2]),
          u: tensor(head.u, [1, 25, 2, 2]),
          v: tensor(head.v, [1, 25, 2, 2]),
          coarse_segm: tensor(head.coarseSegm, [1, 2, 2, 2]),
        };
      },
    };
    return { s, feeds, rois };
  }

  it("runs the whole photo at test scale, pooling each box that meets the photo", async () => {
    const { s, feeds, rois } = session();
    const seen: number[] = [];
    const { instances, path, fallback } = await runDensePose(
      image,
      [
        { x1: 8, y1: 4, x2: 40, y2: 44 },
        { x1: 100, y1: 0, x2: 120, y2: 10 },
      ],
      s,
      { signal: new AbortController().signal, tensor: makeTensor, onPerson: (i) => seen.push(i) },
    );
    // 64 × 48 → 1067 × 800: x 8…40 → 133.375…666.875 (×1067/64), y 4…44 → 66.67…733.33 (×50/3).
    expect(feeds).toEqual([[1, 3, 800, 1067]]);
    expect(rois).toEqual([[133.375, 200 / 3, 666.875, 2200 / 3].map(Math.fround)]);
    expect([path, fallback]).toEqual(["whole photo", undefined]);
    expect(seen).toEqual([0, 1]);
    expect(instances.length).toBe(1);
    expect(instances[0].box).toEqual({ x: 8, y: 4, width: 32, height: 40 });
    expect(instances[0].labels.every((l) => l === 4)).toBe(true);
  });

  it("falls back to the crop, naming why, when the whole photo fails", async () => {
    const { s, feeds, rois } = session((dims) => {
      if (dims[2] === 800) throw new Error("not enough GPU memory");
    });
    const boxes = [
      { x1: 8, y1: 4, x2: 40, y2: 44 },
      { x1: 0, y1: 0, x2: 10, y2: 10 },
    ];
    const options = { signal: new AbortController().signal, tensor: makeTensor };
    const run = await runDensePose(image, boxes, s, options);
    expect([run.path, run.fallback]).toEqual(["crop", "not enough GPU memory"]);
    // The whole photo is tried once; then each box runs on its crop, pooled whole.
    expect(feeds).toEqual([
      [1, 3, 800, 1067],
      [1, 3, 668, 534],
      [1, 3, 167, 167],
    ]);
    expect(rois.slice(1)).toEqual([
      [0, 0, 534, 668],
      [0, 0, 167, 167],
    ]);
    expect(run.instances.map((i) => i.box)).toEqual([
      { x: 8, y: 4, width: 32, height: 40 },
      { x: 0, y: 0, width: 10, height: 10 },
    ]);
  });

  it("resizes the whole photo as Pillow's bilinear does, antialiased when shrinking", () => {
    // 1600 × 1200 → 1067 × 800 (long side ≤ 1333 keeps 800): a shrink, so Pillow's filter widens.
    const photo = createImage(1600, 1200);
    for (let y = 0; y < 1200; y++)
      for (let x = 0; x < 1600; x++)
        photo.data.set([x % 2 ? 255 : 0, 7, 9, 255], (y * 1600 + x) * 4);
    const whole = wholePhotoForDensePose(photo, "rgb");
    expect([whole.width, whole.height]).toEqual([1067, 800]);
    const plane = whole.width * whole.height;
    const expected = pilResampleU8(photo.data, 1600, 1200, 4, 1067, 800, "bilinear");
    for (const p of [0, 1, 533, 1066, plane - 1]) {
      expect([whole.tensor[p], whole.tensor[plane + p], whole.tensor[2 * plane + p]]).toEqual([
        expected[p * 4],
        expected[p * 4 + 1],
        expected[p * 4 + 2],
      ]);
    }
    // Alternating 0 / 255 columns average out (a point sampler would keep 0s and 255s).
    expect(whole.tensor[533]).toBeGreaterThan(60);
    expect(whole.tensor[533]).toBeLessThan(195);
    expect(wholePhotoForDensePose(photo).tensor[0]).toBe(9);
  });

  it("scales a detector box onto the resized photo, clipped to it", () => {
    expect([...(scaledRoi({ x1: -5, y1: 10, x2: 50, y2: 90 }, 100, 80, 800, 640) ?? [])]).toEqual([
      0, 80, 400, 640,
    ]);
    expect(scaledRoi({ x1: 120, y1: 0, x2: 130, y2: 10 }, 100, 80, 800, 640)).toBeNull();
  });

  it("feeds BGR planes by default and RGB ones with the option, as Leffa's app does", async () => {
    const photo = createImage(64, 48);
    for (let p = 0; p < 64 * 48; p++) photo.data.set([200, 100, 50, 255], p * 4);
    const planes = async (channelOrder?: "bgr" | "rgb") => {
      let fed: Float32Array = new Float32Array();
      const base = session().s;
      const s: ModelSession = {
        ...base,
        run: async (input) => {
          fed = (await input.image.getData()) as Float32Array;
          return base.run(input);
        },
      };
      const options = { signal: new AbortController().signal, tensor: makeTensor, channelOrder };
      await runDensePose(photo, [{ x1: 8, y1: 4, x2: 40, y2: 44 }], s, options);
      const plane = fed.length / 3;
      return [fed[0], fed[plane], fed[2 * plane]];
    };
    expect(await planes()).toEqual([50, 100, 200]);
    expect(await planes("bgr")).toEqual([50, 100, 200]);
    expect(await planes("rgb")).toEqual([200, 100, 50]);
  });

  it("names the model when an output has the wrong shape", async () => {
    const bad: ModelSession = {
      ...session().s,
      run: async () => ({
        fine_segm: tensor(new Float32Array(24 * 4), [1, 24, 2, 2]),
        u: tensor(new Float32Array(25 * 4), [1, 25, 2, 2]),
        v: tensor(new Float32Array(25 * 4), [1, 25, 2, 2]),
        coarse_segm: tensor(new Float32Array(2 * 4), [1, 2, 2, 2]),
      }),
    };
    await expect(
      runDensePose(image, [{ x1: 0, y1: 0, x2: 10, y2: 10 }], bad, {
        signal: new AbortController().signal,
        tensor: makeTensor,
      }),
    ).rejects.toThrow(/densepose-r50-fpn returned "fine_segm" as float32 \[1, 24, 2, 2\]/);
  });

  it("stops once aborted", async () => {
    const controller = new AbortController();
    const { s, feeds } = session(() => controller.abort());
    const boxes = [
      { x1: 0, y1: 0, x2: 10, y2: 10 },
      { x1: 20, y1: 0, x2: 30, y2: 10 },
    ];
    await expect(
      runDensePose(image, boxes, s, { signal: controller.signal, tensor: makeTensor }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(feeds.length).toBe(1);
  });
});
