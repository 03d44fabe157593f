import { describe, expect, it } from "vitest";
import { conv2d, convTranspose2d, map3, roiAlign, upsampleBilinear, type Map3 } from "./reference";

/** The reference's building blocks on cases worked out by hand from torch's definitions. */

function of(channels: number, height: number, width: number, values: number[]): Map3 {
  const m = map3(channels, height, width);
  m.data.set(values);
  return m;
}

describe("reference building blocks", () => {
  it("bilinear ×2 (align_corners False) samples at (d + ½) / 2 − ½, clamped at the edges", () => {
    const y = upsampleBilinear(of(1, 2, 2, [1, 2, 3, 4]), 2);
    expect([...y.data]).toEqual([
      1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4,
    ]);
  });

  it("ConvTranspose2d(k 4, stride 2, pad 1) doubles the size and scatters weight [in, out, k, k]", () => {
    const weight = { shape: [1, 1, 4, 4], data: Array.from({ length: 16 }, (_, i) => i) };
    const one = convTranspose2d(of(1, 1, 1, [1]), weight, { shape: [1], data: [0.5] }, 2, 1);
    // A single pixel lands taps 1..2 of the kernel (pad 1 crops the outer ring).
    expect([one.height, one.width]).toEqual([2, 2]);
    expect([...one.data]).toEqual([5.5, 6.5, 9.5, 10.5]);
    const two = convTranspose2d(of(1, 1, 2, [1, 10]), weight, { shape: [1], data: [0] }, 2, 1);
    // Output column x takes tap x + 1 of pixel 0 and tap x − 1 of pixel 1 (row tap 1 for row 0).
    expect([...two.data].slice(0, 4)).toEqual([5, 6 + 40, 7 + 50, 60]);
  });

  it("conv2d pads with zeros and strides", () => {
    const weight = { shape: [1, 1, 3, 3], data: [0, 0, 0, 0, 1, 1, 0, 1, 1] };
    const y = conv2d(of(1, 3, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9]), weight, undefined, 2, 1);
    expect([...y.data]).toEqual([1 + 2 + 4 + 5, 3 + 6, 7 + 8, 9]);
  });

  it("RoIAlign averages a 2×2 sample grid per bin; aligned shifts by half a pixel", () => {
    const ramp = map3(1, 8, 8);
    for (let r = 0; r < 8; r++) for (let q = 0; q < 8; q++) ramp.data[r * 8 + q] = q;
    const pool = (aligned: boolean) =>
      roiAlign(ramp, [0, 0, 8, 8], { resolution: 2, samplingRatio: 2, scale: 1, aligned });
    // Unaligned: bins [0, 4) and [4, 8), samples at x = 1, 3 and 5, 7.
    expect([...pool(false).data]).toEqual([2, 6, 2, 6]);
    // Aligned: the box starts at −0.5: samples at 0.5, 2.5 and 4.5, 6.5.
    expect([...pool(true).data]).toEqual([1.5, 5.5, 1.5, 5.5]);
  });

  it("RoIAlign scales the box and clamps a sub-pixel unaligned box to one pixel", () => {
    const ramp = map3(1, 4, 4);
    for (let i = 0; i < 16; i++) ramp.data[i] = i % 4;
    // Box [4, 0, 6, 2] at scale ¼ → [1, 0, 1.5, 0.5]: widened to [1, 0, 2, 1]; samples x = 1.25, 1.75.
    const y = roiAlign(ramp, [4, 0, 6, 2], {
      resolution: 1,
      samplingRatio: 2,
      scale: 0.25,
      aligned: false,
    });
    expect(y.data[0]).toBeCloseTo(1.5, 12);
  });
});
