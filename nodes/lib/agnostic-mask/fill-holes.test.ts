import { describe, expect, it } from "vitest";
import { leffaHoleFill } from "./fill-holes";
import { fromPicture, toPicture } from "./test-raster";

function fill(rows: string[]): string[] {
  const { mask, width, height } = fromPicture(rows);
  const out = leffaHoleFill(mask, width, height);
  expect(new Set(out)).toEqual(new Set(out.some((v) => v) ? [0, 255] : [0]));
  return toPicture(out, width);
}

describe("leffaHoleFill", () => {
  it("fills enclosed background", () => {
    expect(
      fill([".........", ".#####...", ".#...#...", ".#.#.#...", ".#####...", "........."]),
    ).toEqual([".........", ".#####...", ".#####...", ".#####...", ".#####...", "........."]);
  });

  it("treats a diagonal-only gap as closed (the flood is 4-connected)", () => {
    expect(fill([".......", ".###...", ".#..#..", ".#...#.", ".#####.", "......."])).toEqual([
      ".......",
      ".###...",
      ".####..",
      ".#####.",
      ".#####.",
      ".......",
    ]);
  });

  it("leaves a region open to the outside alone", () => {
    const rows = [".......", ".##.##.", ".#...#.", ".#####.", "......."];
    expect(fill(rows)).toEqual(rows);
  });

  it("clears the 1-pixel image frame first, as Leffa does", () => {
    expect(fill(["#####", "#...#", "#...#", "#####"])).toEqual([
      ".....",
      ".....",
      ".....",
      ".....",
    ]);
    expect(fill(["######", "######", "##..##", "######", "######"])).toEqual([
      "......",
      ".####.",
      ".####.",
      ".####.",
      "......",
    ]);
  });

  it("rejects a buffer of the wrong size", () => {
    expect(() => leffaHoleFill(new Uint8Array(3), 2, 2)).toThrow(/expected 4 pixels/);
  });
});
