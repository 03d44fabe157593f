import { describe, expect, it } from "vitest";
import { keypointsInBox, labelsFromBox, maskFromBox, personBox } from "./person-fit";

describe("personBox", () => {
  it("fills 384×512 with a 3:4 person and centres other shapes on it", () => {
    expect(personBox(768, 1024)).toEqual({ x: 0, y: 0, width: 384, height: 512 });
    expect(personBox(1000, 1000)).toEqual({ x: 0, y: 64, width: 384, height: 384 });
    // scale = min(512 / 600, 384 / 300) → 256 × 512, (384 − 256) // 2 = 64.
    expect(personBox(300, 600)).toEqual({ x: 64, y: 0, width: 256, height: 512 });
  });
});

describe("keypointsInBox", () => {
  const box = { x: 64, y: 0, width: 256, height: 512 };

  it("maps the first person's points into the box and marks missing ones [0, 0]", () => {
    const points = keypointsInBox(
      {
        kind: "keypoints",
        width: 300,
        height: 600,
        people: [
          [
            [150, 300, 0.9],
            [10, 10, 0],
          ],
          [[1, 1, 1]],
        ],
      },
      box,
    );
    expect(points).toEqual([
      [192, 256],
      [0, 0],
    ]);
  });

  it("returns undefined when nobody was found", () => {
    expect(keypointsInBox({ kind: "keypoints", width: 3, height: 4, people: [] }, box)).toBe(
      undefined,
    );
  });
});

describe("maskFromBox", () => {
  it("maps the mask inside the person's box back to the input size, binarised", () => {
    // A 100×100 person sits at rows 64..447; the bottom half of that box is masked, and so is
    // everything above the box, which must not leak in.
    const mask = new Uint8Array(384 * 512);
    mask.fill(255, 256 * 384, 448 * 384);
    mask.fill(255, 0, 64 * 384);
    const out = maskFromBox(mask, personBox(100, 100), 100, 100);
    expect([out.width, out.height]).toEqual([100, 100]);
    expect(out.data[0]).toBe(0);
    expect(out.data[49 * 100 + 50]).toBe(0);
    expect(out.data[50 * 100 + 50]).toBe(1);
    expect(out.data[99 * 100 + 99]).toBe(1);
    expect(new Set(out.data)).toEqual(new Set([0, 1]));
  });

  it("keeps a 3:4 image's mask pixel for pixel when enlarging", () => {
    const mask = new Uint8Array(384 * 512);
    mask[100 * 384 + 200] = 255;
    const out = maskFromBox(mask, personBox(768, 1024), 768, 1024);
    let count = 0;
    for (const v of out.data) count += v;
    // One source pixel becomes a 2×2 block (bilinear ×2 then ≥ 0.5).
    expect(count).toBe(4);
    expect(out.data[200 * 768 + 400]).toBe(1);
    expect(out.data[201 * 768 + 401]).toBe(1);
  });
});

describe("labelsFromBox", () => {
  it("takes the nearest label inside the box", () => {
    const labels = new Uint8Array(384 * 512);
    labels[64 * 384 + 0] = 7; // top-left of the box for a square image
    labels[447 * 384 + 383] = 9; // bottom-right
    const out = labelsFromBox(labels, personBox(384, 384), 384, 384);
    expect(out[0]).toBe(7);
    expect(out[384 * 384 - 1]).toBe(9);
    expect(out[1]).toBe(0);
  });
});
