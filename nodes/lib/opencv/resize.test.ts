import { describe, expect, it } from "vitest";
import { cubicCoefficients, resizeU8, roundHalfEven } from "./resize";

const row = (values: number[]) => ({
  data: Uint8Array.from(values),
  width: values.length,
  height: 1,
  channels: 1,
});

describe("resizeU8", () => {
  it("keeps an image at its own size", () => {
    const src = {
      data: Uint8Array.from([0, 17, 128, 255, 3, 99]),
      width: 3,
      height: 2,
      channels: 1,
    };
    expect(Array.from(resizeU8(src, 3, 2, "linear").data)).toEqual([0, 17, 128, 255, 3, 99]);
    expect(Array.from(resizeU8(src, 3, 2, "cubic").data)).toEqual([0, 17, 128, 255, 3, 99]);
  });

  it("linear: half-pixel centres, edge clamping, 11-bit weights and the uint8 kernel's rounding", () => {
    // Output x maps to (x + 0.5)/2 − 0.5: −0.25 (clamped to pixel 0), 0.25, 0.75, 1.25 (clamped
    // to pixel 1). 0.25 → weights 1536/512: 255·512 = 130560; (2048·(130560 >> 4)) >> 16 = 255,
    // (255 + 2) >> 2 = 64 (63.75 exactly). 0.75 → 255·1536 → 765 → 191 (191.25).
    expect(Array.from(resizeU8(row([0, 255]), 4, 1, "linear").data)).toEqual([0, 64, 191, 255]);
  });

  it("linear: an exact 2× shrink is OpenCV's 2×2 area mean, rounded half up", () => {
    const src = { data: Uint8Array.from([1, 2, 3, 4]), width: 2, height: 2, channels: 1 };
    expect(Array.from(resizeU8(src, 1, 1, "linear").data)).toEqual([3]);
  });

  it("cubic: A = −0.75 weights in 11-bit fixed point, taps clamped, overshoot saturated", () => {
    // At 0.25 the weights are −0.10546875, 0.87890625, 0.26171875, −0.03515625 (×2048:
    // −216, 1800, 536, −72). Output 1 reads pixels −1, 0, 1, 2 → 0, 0, 255, 255:
    // 255·(536 − 72)/2048 = 57.8 → 58. Output 0 undershoots (−26.4) and saturates to 0,
    // output 3 overshoots (281.9) to 255.
    expect(cubicCoefficients(0.25).map((c) => c * 2048)).toEqual([-216, 1800, 536, -72]);
    expect(Array.from(resizeU8(row([0, 255]), 4, 1, "cubic").data)).toEqual([0, 58, 197, 255]);
  });

  it("keeps channels interleaved and checks sizes", () => {
    const rgb = {
      data: Uint8Array.from([10, 20, 30, 10, 20, 30]),
      width: 2,
      height: 1,
      channels: 3,
    };
    expect(Array.from(resizeU8(rgb, 3, 1, "cubic").data)).toEqual([
      10, 20, 30, 10, 20, 30, 10, 20, 30,
    ]);
    expect(() => resizeU8({ ...rgb, width: 3 }, 2, 2, "linear")).toThrow(/3×1×3/);
  });
});

describe("roundHalfEven", () => {
  it("is cvRound: halves go to the even neighbour", () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6].map(roundHalfEven)).toEqual([
      0, 2, 2, -0, -2, 2, 3,
    ]);
  });
});
