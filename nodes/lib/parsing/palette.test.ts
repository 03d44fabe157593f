import { describe, expect, it } from "vitest";
import { labelColour, labelsToImage } from "./palette";

describe("labelColour", () => {
  it("gives the VOC palette SCHP saves label maps with", () => {
    expect(labelColour(0)).toEqual([0, 0, 0]);
    expect(labelColour(1)).toEqual([128, 0, 0]);
    expect(labelColour(4)).toEqual([0, 0, 128]);
    expect(labelColour(11)).toEqual([192, 128, 0]);
    expect(labelColour(18)).toEqual([0, 192, 0]);
  });

  it("gives the 19 Leffa labels 19 different colours", () => {
    const colours = new Set(Array.from({ length: 19 }, (_, l) => labelColour(l).join(",")));
    expect(colours.size).toBe(19);
  });
});

describe("labelsToImage", () => {
  it("paints each label, opaque", () => {
    const image = labelsToImage(Uint8Array.from([0, 1, 4]), 3, 1);
    expect(Array.from(image.data)).toEqual([0, 0, 0, 255, 128, 0, 0, 255, 0, 0, 128, 255]);
  });

  it("checks the size", () => {
    expect(() => labelsToImage(new Uint8Array(5), 2, 2)).toThrow(/2×2 labels, got 5/);
  });
});
