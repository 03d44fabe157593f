import { describe, expect, it } from "vitest";
import { differenceImage } from "./difference";

function solid(width: number, height: number, rgb: [number, number, number]) {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([...rgb, 255], i * 4);
  return { width, height, data };
}

describe("difference image", () => {
  it("is black where the cells agree and |a − b| × gain where they do not", () => {
    const a = solid(2, 1, [10, 20, 30]);
    const b = solid(2, 1, [10, 20, 30]);
    b.data.set([12, 20, 90, 255], 4);
    const d = differenceImage(a, b, 4);
    expect([...d.image.data]).toEqual([0, 0, 0, 255, 8, 0, 240, 255]);
    expect(d.changed).toBe(0.5);
    expect(d.mean).toBeCloseTo((2 + 60) / 6);
  });

  it("compares cells of different sizes over the area they share", () => {
    const d = differenceImage(solid(2, 2, [0, 0, 0]), solid(1, 1, [255, 255, 255]), 1);
    expect([d.image.width, d.image.height]).toEqual([2, 2]);
    expect([...d.image.data.slice(0, 4)]).toEqual([255, 255, 255, 255]);
    expect([...d.image.data.slice(4, 8)]).toEqual([0, 0, 0, 255]);
    expect(d.changed).toBe(1);
    expect(d.mean).toBe(255);
  });
});
