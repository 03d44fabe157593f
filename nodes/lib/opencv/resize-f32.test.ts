import { describe, expect, it } from "vitest";
import { CubicResizeF32, resizeCubicF32 } from "./resize-f32";

const planar = (width: number, height: number, channels: number, values: number[]) => ({
  data: Float32Array.from(values),
  width,
  height,
  channels,
});

describe("resizeCubicF32", () => {
  it("keeps an image at its own size (weights 0, 1, 0, 0)", () => {
    const src = planar(3, 2, 1, [0.5, -2, 7.25, 1e-3, 3, -0.125]);
    expect(Array.from(resizeCubicF32(src, 3, 2).data)).toEqual(Array.from(src.data));
  });

  it("upsamples with A = −0.75 weights at half-pixel centres, taps clamped to the edge", () => {
    // Output x at (x + ½)/2 − ½: −0.25, 0.25, 0.75, 1.25. Weights at 0.25: −0.10546875,
    // 0.87890625, 0.26171875, −0.03515625 (reversed at 0.75). Taps read pixels s − 1 … s + 2,
    // clamped to [0, 1] of the row [0, 1]: −0.25 → 0, 0, 0, 1 → −0.10546875;
    // 0.25 → 0, 0, 1, 1 → 0.2265625; 0.75 → 0.7734375; 1.25 → 0, 1, 1, 1 → 1.10546875.
    const out = resizeCubicF32(planar(2, 1, 1, [0, 1]), 4, 1);
    expect(Array.from(out.data)).toEqual([-0.10546875, 0.2265625, 0.7734375, 1.10546875]);
  });

  it("takes the scale from fx as 1 / fx, as cv2.resize(src, (0, 0), fx=…) does", () => {
    const byFactor = new CubicResizeF32(3, 1, 24, 1, 1, { fx: 8, fy: 1 });
    const bySize = resizeCubicF32(planar(3, 1, 1, [1, 4, 2]), 24, 1);
    const src = [1, 4, 2];
    for (let x = 0; x < 24; x++) {
      expect(byFactor.at((sx) => src[sx], 0, x, 0)).toBe(bySize.data[x]);
    }
  });

  it("sums the vertical taps in SIMD order inside the interleaved row's 8-blocks, scalar order after", () => {
    // Two rows a, b up to four: output row 1 sits at 0.25 (rows a, a, b, b). With 9 interleaved
    // channels of width 1, channel 0 is in the first 8-block (S0·b0 + (S1·b1 + (S2·b2 + S3·b3)))
    // and channel 8 is not (((S0·b0 + S1·b1) + S2·b2) + S3·b3); in float32 these differ here.
    const a = 1.582647681236267;
    const b = -1.46958589553833;
    const values: number[] = [];
    for (let c = 0; c < 9; c++) values.push(a, b);
    const out = resizeCubicF32(planar(1, 2, 9, values), 1, 4);
    const rowOne = (c: number) => out.data[c * 4 + 1];
    expect(rowOne(0)).toBe(0.8911259770393372);
    expect(rowOne(7)).toBe(0.8911259770393372);
    expect(rowOne(8)).toBe(0.8911260962486267);
  });

  it("gives the same value one at a time as for the whole plane, and computes only the channels asked", () => {
    const w = 5;
    const h = 4;
    const values = Array.from({ length: w * h * 2 }, (_, i) => Math.sin(i * 1.7) * 3);
    const src = planar(w, h, 2, values);
    const out = resizeCubicF32(src, 13, 11, { only: [1] });
    const one = new CubicResizeF32(w, h, 13, 11, 2);
    const read = (x: number, y: number) => src.data[w * h + y * w + x];
    for (let y = 0; y < 11; y++) {
      for (let x = 0; x < 13; x++) {
        expect(one.at(read, 1, x, y)).toBe(out.data[13 * 11 + y * 13 + x]);
        expect(out.data[y * 13 + x]).toBe(0);
      }
    }
    expect(() => resizeCubicF32({ ...src, width: 6 }, 2, 2)).toThrow(/6×4×2/);
  });
});
