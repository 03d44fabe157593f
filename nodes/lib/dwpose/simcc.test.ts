import { describe, expect, it } from "vitest";
import type { PoseCropTransform } from "./pose-crop";
import { decodeSimcc, simccPointsToImage } from "./simcc";

describe("decodeSimcc", () => {
  // Two people, three keypoints, 6 x-bins and 8 y-bins.
  const shape = { people: 2, keypoints: 3, binsX: 6, binsY: 8 };

  function synthetic() {
    const x = new Float32Array(2 * 3 * 6);
    const y = new Float32Array(2 * 3 * 8);
    const setX = (n: number, k: number, bin: number, v: number) => (x[(n * 3 + k) * 6 + bin] = v);
    const setY = (n: number, k: number, bin: number, v: number) => (y[(n * 3 + k) * 8 + bin] = v);
    // Person 0, keypoint 0: x peak at bin 4 (0.75), y peak at bin 6 (0.5, plus a 0.25 side lobe).
    setX(0, 0, 4, 0.75);
    setY(0, 0, 6, 0.5);
    setY(0, 0, 5, 0.25);
    // Keypoint 1 is all zeros: score 0, missing.
    // Keypoint 2: a tie in x between bins 1 and 3 (the first wins), y at the last bin.
    setX(0, 2, 1, 0.5);
    setX(0, 2, 3, 0.5);
    setY(0, 2, 7, 0.875);
    // Person 1, keypoint 0: only negative responses, the largest at x bin 2: missing.
    for (let b = 0; b < 6; b++) setX(1, 0, b, b === 2 ? -0.125 : -1);
    for (let b = 0; b < 8; b++) setY(1, 0, b, -1);
    // Person 1, keypoint 1: x 0.25 at bin 5, y 0.625 at bin 0: score is the smaller, 0.25.
    setX(1, 1, 5, 0.25);
    setY(1, 1, 0, 0.625);
    return { x, y };
  }

  it("takes the argmax per axis, halves it and scores min(max x, max y)", () => {
    const { x, y } = synthetic();
    const [p0, p1] = decodeSimcc(x, y, shape);
    expect(p0).toEqual([
      [2, 3, 0.5], // min(0.75, 0.5)
      [-0.5, -0.5, 0],
      [0.5, 3.5, 0.5],
    ]);
    // min(−0.125, −1) = −1 ≤ 0: bin −1 on both axes, halved.
    expect(p1[0]).toEqual([-0.5, -0.5, -1]);
    expect(p1[1]).toEqual([2.5, 0, 0.25]);
  });

  it("uses the split ratio it is given", () => {
    const { x, y } = synthetic();
    expect(decodeSimcc(x, y, shape, 1)[0][0]).toEqual([4, 6, 0.5]);
  });

  it("reads the 133 × 576 / 768 layout of the 288 × 384 model", () => {
    const x = new Float32Array(133 * 576);
    const y = new Float32Array(133 * 768);
    x[40 * 576 + 300] = 0.875;
    y[40 * 768 + 500] = 0.625;
    x[132 * 576 + 575] = 0.5;
    y[132 * 768 + 767] = 0.5;
    const [person] = decodeSimcc(x, y, { people: 1, keypoints: 133, binsX: 576, binsY: 768 });
    expect(person).toHaveLength(133);
    expect(person[40]).toEqual([150, 250, 0.625]);
    expect(person[132]).toEqual([287.5, 383.5, 0.5]);
    expect(person[41][2]).toBe(0);
  });

  it("refuses arrays of the wrong size", () => {
    expect(() => decodeSimcc(new Float32Array(35), new Float32Array(48), shape)).toThrow(/simcc_x/);
    expect(() => decodeSimcc(new Float32Array(36), new Float32Array(47), shape)).toThrow(/simcc_y/);
  });
});

describe("simccPointsToImage", () => {
  it("maps crop pixels by kp / input · scale + centre − scale / 2", () => {
    const t: PoseCropTransform = {
      centerX: 100,
      centerY: 200,
      scaleWidth: 144,
      scaleHeight: 192,
      inputWidth: 288,
      inputHeight: 384,
    };
    // x = u / 2 + 100 − 72, y = v / 2 + 200 − 96.
    expect(
      simccPointsToImage(
        [
          [144, 192, 0.9],
          [10, 20, 0.5],
          [-0.5, -0.5, 0],
        ],
        t,
      ),
    ).toEqual([
      [100, 200, 0.9],
      [33, 114, 0.5],
      [27.75, 103.75, 0],
    ]);
  });
});
