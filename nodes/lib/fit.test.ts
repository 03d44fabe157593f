import { describe, expect, it } from "vitest";
import { planResize, scaleRect } from "./fit";

describe("planResize", () => {
  it("fit keeps proportions and returns the scaled size", () => {
    const plan = planResize(1000, 500, 768, 1024, "fit");
    expect(plan).toMatchObject({ width: 768, height: 384, scaledWidth: 768, scaledHeight: 384 });
    expect(plan.source).toEqual({ x: 0, y: 0, width: 1000, height: 500 });
  });

  it("pad centres the fitted image on the target canvas", () => {
    expect(planResize(1000, 500, 768, 1024, "pad")).toMatchObject({
      width: 768,
      height: 1024,
      scaledWidth: 768,
      scaledHeight: 384,
      offsetX: 0,
      offsetY: 320,
    });
    expect(planResize(563, 855, 768, 1024, "pad")).toMatchObject({
      scaledWidth: 674,
      scaledHeight: 1024,
      offsetX: 47,
      offsetY: 0,
    });
  });

  it("fill covers the target and crops the centre with a fractional source rectangle", () => {
    const plan = planResize(1000, 1000, 768, 1024, "fill");
    expect(plan).toMatchObject({ width: 768, height: 1024, scaledWidth: 768, scaledHeight: 1024 });
    expect(plan.source).toEqual({ x: 125, y: 0, width: 750, height: 1000 });
  });

  it("stretch ignores proportions", () => {
    expect(planResize(10, 10, 30, 5, "stretch")).toMatchObject({ width: 30, height: 5 });
  });

  it("never produces an empty side", () => {
    expect(planResize(10_000, 1, 100, 100, "fit")).toMatchObject({ width: 100, height: 1 });
  });

  it("scaleRect maps a rectangle into another resolution", () => {
    expect(scaleRect({ x: 2, y: 4, width: 6, height: 8 }, 0.5, 2)).toEqual({
      x: 1,
      y: 8,
      width: 3,
      height: 16,
    });
  });
});
