import { describe, expect, it } from "vitest";
import { colouriseConfidence, colouriseFlow, flowColour, flowLegend, viridis } from "./colourise";

describe("flowColour", () => {
  it("is white at the garment centre", () => {
    expect(flowColour(0, 0)).toEqual([255, 255, 255]);
  });

  it("gives each direction its own hue, saturation growing with the radius", () => {
    // Right = red: at radius 1 of √2 the other channels are 255 · (1 − 1/√2) ≈ 75.
    expect(flowColour(1, 0)).toEqual([255, 75, 75]);
    // Left = cyan, up = blue/violet, down = orange/yellow: blue dominates only up and left.
    const [lr, , lb] = flowColour(-1, 0);
    const [ur, , ub] = flowColour(0, -1);
    const [dr, dg, db] = flowColour(0, 1);
    expect(lb).toBeGreaterThan(lr);
    expect(ub).toBeGreaterThan(ur);
    expect(dr).toBe(255);
    expect(dg).toBeGreaterThan(db);
  });

  it("has no hue seam: just above and just below the rightward direction look alike", () => {
    const above = flowColour(1, -1e-6);
    const below = flowColour(1, 1e-6);
    for (let c = 0; c < 3; c++) expect(Math.abs(above[c] - below[c])).toBeLessThanOrEqual(1);
  });

  it("saturates fully at the corners and darkens beyond the wheel", () => {
    const corner = flowColour(1, 1);
    expect(Math.min(...corner)).toBe(0);
    expect(Math.max(...corner)).toBe(255);
    // (2, 0) lies outside the radius-√2 wheel: pure red at 75 %.
    expect(flowColour(2, 0)).toEqual([191, 0, 0]);
  });
});

describe("colouriseFlow", () => {
  it("colours each pixel by its coordinate and leaves NaN transparent", () => {
    const image = colouriseFlow(Float32Array.from([0, 0, 1, 0, Number.NaN, 0]), 3, 1);
    expect(Array.from(image.data)).toEqual([255, 255, 255, 255, 255, 75, 75, 255, 0, 0, 0, 0]);
  });

  it("rejects a flow of the wrong size", () => {
    expect(() => colouriseFlow(new Float32Array(4), 3, 1)).toThrow(/expected 3×1×2/);
  });
});

describe("flowLegend", () => {
  const size = 9;
  const legend = flowLegend(size);
  const at = (col: number, row: number) =>
    Array.from(legend.data.subarray((row * size + col) * 4, (row * size + col) * 4 + 4));

  it("is white and opaque at the centre", () => {
    expect(at(4, 4)).toEqual([255, 255, 255, 255]);
  });

  it("fades the wheel outside the garment square and hides what lies beyond the disc", () => {
    // Column 0's centre is x = (1/9 − 1)·√2 ≈ −1.26: in the disc, outside [−1, 1].
    expect(at(0, 4)[3]).toBe(96);
    expect(at(0, 0)[3]).toBe(0);
  });

  it("uses the same colours as the flow image", () => {
    // Column 6's centre is x = (13/9 − 1)·√2 ≈ 0.63, row 4 is y = 0.
    expect(at(6, 4).slice(0, 3)).toEqual(flowColour(((2 * 6.5) / size - 1) * Math.SQRT2, 0));
  });
});

describe("confidence colour map (viridis)", () => {
  it("runs from dark violet to yellow and clamps outside [0, 1]", () => {
    expect(viridis(0)).toEqual([68, 1, 84]);
    expect(viridis(1)).toEqual([253, 231, 37]);
    expect(viridis(-3)).toEqual([68, 1, 84]);
    expect(viridis(7)).toEqual([253, 231, 37]);
    expect(viridis(0.5)).toEqual([33, 145, 140]);
  });

  it("renders a confidence buffer, NaN transparent", () => {
    const image = colouriseConfidence(Float32Array.from([0, 1, Number.NaN]), 3, 1);
    expect(Array.from(image.data)).toEqual([68, 1, 84, 255, 253, 231, 37, 255, 0, 0, 0, 0]);
  });
});
