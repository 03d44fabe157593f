import { describe, expect, it } from "vitest";
import { invertAffineMatrix, warpAffineF32, warpAffineU8, type AffineMatrix } from "./warp-affine";

const row = (values: number[]) => ({
  data: Uint8Array.from(values),
  width: values.length,
  height: 1,
  channels: 1,
});
const ID: AffineMatrix = [1, 0, 0, 0, 1, 0];

describe("warpAffineU8", () => {
  it("copies under the identity", () => {
    const src = { data: Uint8Array.from([5, 6, 7, 8, 9, 10]), width: 3, height: 2, channels: 1 };
    expect(Array.from(warpAffineU8(src, ID, 3, 2).data)).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it("rounds a half-pixel blend half up, and reads the black border left of the image", () => {
    // Output x samples x − 0.5: fx = 16/32, weights 16384 each (of 32768).
    // Output 0 blends the border (0) with 101: (101·16384 + 16384) >> 15 = 51 (50.5).
    const out = warpAffineU8(row([101, 101, 201]), [1, 0, 0.5, 0, 1, 0], 3, 1);
    expect(Array.from(out.data)).toEqual([51, 101, 151]);
    // Replicate instead of black: the left tap reads pixel 0.
    const rep = warpAffineU8(row([101, 101, 201]), [1, 0, 0.5, 0, 1, 0], 3, 1, {
      border: { mode: "replicate" },
    });
    expect(Array.from(rep.data)).toEqual([101, 101, 151]);
  });

  it("cuts positions to 1/32 pixel", () => {
    // Output 1 samples 0.7 (inverse map): round(−0.3·1024) + 16 = −291, (−291 + 1024) >> 5 = 22,
    // so fx = 22/32 = 0.6875 and 64·0.6875 = 44 (exact bilinear: 44.8 → 45).
    const out = warpAffineU8(row([0, 64, 64]), [1, 0, -0.3, 0, 1, 0], 2, 1, { inverse: true });
    expect(out.data[1]).toBe(44);
  });

  it("fills pixels mapped wholly outside with the border value", () => {
    const out = warpAffineU8(row([9, 9]), [1, 0, 5, 0, 1, 0], 4, 1, {
      border: { mode: "constant", value: 7 },
    });
    expect(Array.from(out.data)).toEqual([7, 7, 7, 7]);
  });
});

describe("warpAffineF32", () => {
  it("uses the float32 table weights and float32 sums", () => {
    // x − 0.5 again: 0.5·a + 0.5·b, exact in float32 here.
    const out = warpAffineF32(Float32Array.from([1, 3, -2]), 3, 1, [1, 0, 0.5, 0, 1, 0], 3, 1);
    expect(Array.from(out)).toEqual([0.5, 2, 0.5]);
  });
});

describe("invertAffineMatrix", () => {
  it("inverts, and maps a singular matrix to zeros as OpenCV does", () => {
    expect(invertAffineMatrix([2, 0, 4, 0, 4, -8])).toEqual([0.5, -0, -2, -0, 0.25, 2]);
    expect(invertAffineMatrix([1, 2, 3, 2, 4, 6]).every((v) => v === 0)).toBe(true);
  });
});
