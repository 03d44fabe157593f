import { describe, expect, it } from "vitest";
import { createImage, createMask } from "../core/image";
import { CancelledError } from "../core/types";
import { fitMask, resizeImage, resizeMask, resizeMaskNearest } from "./resample";

function grey(width: number, height: number, f: (x: number, y: number) => number) {
  const image = createImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++)
      image.data.set([f(x, y), f(x, y), f(x, y), 255], (y * width + x) * 4);
  }
  return image;
}

const red = (image: ReturnType<typeof createImage>, x: number, y: number) =>
  image.data[(y * image.width + x) * 4];

describe("resizeImage", () => {
  it("returns the same pixels at the same size", () => {
    const src = grey(7, 5, (x, y) => x * 30 + y);
    expect(resizeImage(src, 7, 5).data).toEqual(src.data);
  });

  it("averages whole blocks when shrinking by an integer factor", () => {
    const src = grey(4, 2, (x) => [0, 100, 200, 255][x]);
    const out = resizeImage(src, 2, 1);
    expect([red(out, 0, 0), red(out, 1, 0)]).toEqual([50, 228]); // (0+100)/2, (200+255)/2 = 227.5 → 228
  });

  it("weights partial overlaps when shrinking by a fraction (3 → 2)", () => {
    const src = grey(3, 1, (x) => [0, 90, 180][x]);
    const out = resizeImage(src, 2, 1);
    // Output 0 covers [0, 1.5): (0·1 + 90·0.5)/1.5 = 30; output 1 covers [1.5, 3): 150.
    expect([red(out, 0, 0), red(out, 1, 0)]).toEqual([30, 150]);
  });

  it("interpolates a gradient bilinearly when enlarging, clamping at the edges", () => {
    const src = grey(2, 1, (x) => [0, 200][x]);
    const out = resizeImage(src, 4, 1);
    // Output centres map to source x = -0.25, 0.25, 0.75, 1.25 → clamped to 0 … 1.
    expect([0, 1, 2, 3].map((x) => red(out, x, 0))).toEqual([0, 50, 150, 200]);
  });

  it("keeps a horizontal gradient monotonic and within range after a large downscale", () => {
    const src = grey(1000, 10, (x) => Math.floor((x / 999) * 255));
    const out = resizeImage(src, 37, 3);
    for (let x = 1; x < 37; x++) expect(red(out, x, 1)).toBeGreaterThanOrEqual(red(out, x - 1, 1));
    expect(red(out, 0, 0)).toBeLessThan(8);
    expect(red(out, 36, 2)).toBeGreaterThan(247);
  });

  it("never bleeds the colour of transparent pixels into visible ones", () => {
    // Left half: transparent but stored as pure red; right half: opaque blue.
    const src = createImage(4, 1);
    src.data.set([255, 0, 0, 0, 255, 0, 0, 0, 0, 0, 255, 255, 0, 0, 255, 255]);
    const down = resizeImage(src, 1, 1);
    expect(Array.from(down.data)).toEqual([0, 0, 255, 128]);
    const up = resizeImage(src, 8, 1);
    for (let x = 0; x < 8; x++) {
      const [r, , , a] = up.data.subarray(x * 4, x * 4 + 4);
      if (a > 0) expect(r).toBe(0);
    }
  });

  it("resamples only the given source rectangle", () => {
    const src = grey(4, 4, (x, y) => y * 4 + x);
    const out = resizeImage(src, 2, 2, { rect: { x: 1, y: 1, width: 2, height: 2 } });
    expect([red(out, 0, 0), red(out, 1, 0), red(out, 0, 1), red(out, 1, 1)]).toEqual([5, 6, 9, 10]);
  });

  it("reports progress and stops when the signal is aborted", () => {
    const calls: number[] = [];
    resizeImage(
      grey(10, 10, () => 1),
      5,
      200,
      { onProgress: (done) => calls.push(done) },
    );
    expect(calls[0]).toBe(0);
    expect(calls.at(-1)).toBe(200);
    const controller = new AbortController();
    controller.abort();
    expect(() =>
      resizeImage(
        grey(10, 10, () => 1),
        5,
        5,
        { signal: controller.signal },
      ),
    ).toThrow(CancelledError);
  });
});

describe("mask resizing", () => {
  it("averages a mask with the same filters", () => {
    const mask = createMask(4, 1, Float32Array.from([0, 1, 1, 1]));
    expect(Array.from(resizeMask(mask, 2, 1).data)).toEqual([0.5, 1]);
    expect(Array.from(resizeMask(createMask(2, 1, Float32Array.from([0, 1])), 4, 1).data)).toEqual([
      0, 0.25, 0.75, 1,
    ]);
  });

  it("nearest keeps values hard", () => {
    const mask = createMask(2, 2, Float32Array.from([1, 0, 0, 1]));
    const out = resizeMaskNearest(mask, 4, 4);
    expect(Array.from(out.data)).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]);
    expect(resizeMaskNearest(mask, 2, 2)).toBe(mask);
  });

  it("fitMask leaves a mask of the right size alone", () => {
    const mask = createMask(3, 3);
    expect(fitMask(mask, 3, 3)).toBe(mask);
    expect(fitMask(mask, 6, 2).width).toBe(6);
  });
});

describe("resizeImage with the Lanczos-3 filter", () => {
  const lanczos = { filter: "lanczos3" } as const;

  it("keeps a flat image exactly flat, up and down", () => {
    const flat = grey(9, 7, () => 137);
    for (const [w, h] of [
      [36, 28],
      [4, 3],
    ]) {
      const out = resizeImage(flat, w, h, lanczos);
      for (let i = 0; i < out.data.length; i += 4) expect(out.data[i]).toBe(137);
    }
  });

  it("reproduces a linear ramp inside the image when enlarging", () => {
    const ramp = grey(16, 1, (x) => x * 10);
    const out = resizeImage(ramp, 64, 1, lanczos);
    // Output centre i sits at source x = (i + 0.5) / 4 - 0.5; away from the clamped edges the
    // kernel interpolates a line exactly.
    for (let i = 16; i < 48; i++)
      expect(red(out, i, 0)).toBeCloseTo(((i + 0.5) / 4 - 0.5) * 10, -0.5);
  });

  it("is sharper than bilinear at an edge: a narrower 10–90 % rise", () => {
    const edge = grey(8, 1, (x) => (x < 4 ? 0 : 200));
    const riseWidth = (img: ReturnType<typeof createImage>) => {
      let n = 0;
      for (let x = 0; x < img.width; x++) if (red(img, x, 0) > 20 && red(img, x, 0) < 180) n++;
      return n;
    };
    expect(riseWidth(resizeImage(edge, 32, 1, lanczos))).toBeLessThan(
      riseWidth(resizeImage(edge, 32, 1)),
    );
  });

  it("low-passes when shrinking: a one-pixel checkerboard becomes flat grey", () => {
    const checker = grey(32, 32, (x, y) => ((x + y) % 2 ? 255 : 0));
    const out = resizeImage(checker, 8, 8, lanczos);
    for (let y = 2; y < 6; y++) {
      for (let x = 2; x < 6; x++) expect(Math.abs(red(out, x, y) - 127.5)).toBeLessThan(8);
    }
  });
});
