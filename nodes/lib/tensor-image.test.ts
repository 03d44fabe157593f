import { describe, expect, it } from "vitest";
import { createImage } from "../core/image";
import { hasTransparency, imageToPlanarRgb, planarRgbToImage } from "./tensor-image";

function sample() {
  const image = createImage(3, 2);
  for (let i = 0; i < 6; i++) image.data.set([i * 10, i * 20, i * 40, 200 + i], i * 4);
  return image;
}

describe("image ↔ planar tensor", () => {
  it("lays RGB out as planes scaled to [0, 1]", () => {
    const planar = imageToPlanarRgb(sample());
    expect(planar.length).toBe(18);
    expect(planar[4] * 255).toBeCloseTo(40); // R of pixel 4
    expect(planar[6 + 4] * 255).toBeCloseTo(80); // G plane
    expect(planar[12 + 5] * 255).toBeCloseTo(200); // B of pixel 5
  });

  it("crops a region", () => {
    const planar = imageToPlanarRgb(sample(), { x: 1, y: 1, width: 2, height: 1 });
    expect(Array.from(planar, (v) => Math.round(v * 255))).toEqual([40, 50, 80, 100, 160, 200]);
    expect(() => imageToPlanarRgb(sample(), { x: 2, y: 0, width: 2, height: 1 })).toThrow(
      /outside/,
    );
  });

  it("round-trips, clamps out-of-range values and takes alpha from a source", () => {
    const src = sample();
    const back = planarRgbToImage(imageToPlanarRgb(src), 3, 2, src);
    expect(back.data).toEqual(src.data);
    const wild = planarRgbToImage(new Float32Array([-0.5, 2, 0.5, 0, 0, 0]), 2, 1);
    // R plane [-0.5, 2], G plane [0.5, 0]: 127.5 rounds to even (128).
    expect(Array.from(wild.data)).toEqual([0, 128, 0, 255, 255, 0, 0, 255]);
    expect(() => planarRgbToImage(new Float32Array(5), 2, 1)).toThrow(/expected 6/);
  });

  it("detects transparency", () => {
    expect(hasTransparency(sample())).toBe(true);
    const opaque = createImage(2, 2);
    opaque.data.fill(255);
    expect(hasTransparency(opaque)).toBe(false);
  });
});
