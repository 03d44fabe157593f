import { describe, expect, it } from "vitest";
import { createImage } from "../../core/image";
import { decodeDensePoseImage } from "./decode";
import {
  DENSEPOSE_ENCODINGS,
  renderDressCode,
  renderPoseTransferIuv,
  renderVitonHd,
  vitonHdColor,
} from "./encodings";

const ALL_PARTS = Uint8Array.from({ length: 25 }, (_, p) => p);

function imageOf(pixels: number[][]): ReturnType<typeof createImage> {
  return createImage(pixels.length, 1, Uint8ClampedArray.from(pixels.flat()));
}

describe("decodeDensePoseImage", () => {
  it("round-trips all 25 part indices through the VITON-HD colours", () => {
    const decoded = decodeDensePoseImage(renderVitonHd(ALL_PARTS, 5, 5), "viton_hd");
    expect([...decoded.parts]).toEqual([...ALL_PARTS]);
    expect(decoded.mismatched).toBe(0);
  });

  it("round-trips all 25 part indices through the DressCode image", () => {
    const decoded = decodeDensePoseImage(renderDressCode(ALL_PARTS, 25, 1), "dress_code");
    expect([...decoded.parts]).toEqual([...ALL_PARTS]);
    expect(decoded.mismatched).toBe(0);
  });

  it("recovers the part map (B channel) of a pose-transfer image", () => {
    const u = Float32Array.from(ALL_PARTS, (p) => p / 24);
    const v = Float32Array.from(ALL_PARTS, (p) => 1 - p / 24);
    const image = renderPoseTransferIuv(ALL_PARTS, u, v, { x: 0, y: 0, width: 5, height: 5 }, 5, 5);
    const decoded = decodeDensePoseImage(image, "pose_transfer");
    expect([...decoded.parts]).toEqual([...ALL_PARTS]);
    expect(decoded.mismatched).toBe(0);
  });

  it("snaps slightly altered VITON-HD colours (JPEG, resizing) to the nearest part", () => {
    // Part 12 is RGB (55, 185, 159) and part 13 (86, 187, 144) in OpenCV's table.
    const pixels = [
      [58, 182, 161, 255], // 12 nudged by ±3 → still 12
      [84, 188, 146, 255], // 13 nudged by ±2 → still 13
      [6, 4, 3, 255], // near-black → background
      [...vitonHdColor(24), 255], // exact → not counted as mismatched
    ];
    const decoded = decodeDensePoseImage(imageOf(pixels), "viton_hd");
    expect([...decoded.parts]).toEqual([12, 13, 0, 24]);
    expect(decoded.mismatched).toBe(3);
  });

  it("counts pixels a DressCode image cannot contain", () => {
    const pixels = [
      [5, 5, 5, 255], // valid
      [4, 5, 6, 0], // not grey: mean 5, alpha ignored
      [200, 200, 200, 255], // grey but above 24 → capped
    ];
    const decoded = decodeDensePoseImage(imageOf(pixels), "dress_code");
    expect([...decoded.parts]).toEqual([5, 5, 24]);
    expect(decoded.mismatched).toBe(2);
  });

  it("flags a pose-transfer B channel above 24", () => {
    const decoded = decodeDensePoseImage(imageOf([[10, 20, 30, 255]]), "pose_transfer");
    expect([...decoded.parts]).toEqual([24]);
    expect(decoded.mismatched).toBe(1);
  });

  it("tells the encodings apart: a VITON-HD image read as DressCode is mostly mismatched", () => {
    const image = renderVitonHd(ALL_PARTS, 5, 5);
    expect(decodeDensePoseImage(image, "dress_code").mismatched).toBe(24);
    for (const encoding of DENSEPOSE_ENCODINGS) {
      expect(decodeDensePoseImage(image, encoding).parts).toHaveLength(25);
    }
  });
});
