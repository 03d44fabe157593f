import { describe, expect, it } from "vitest";
import { createImage, type RgbaImage } from "../core/image";
import {
  alphaBox,
  centreFitBox,
  centreGarment,
  cropPadded,
  fitOnWhite,
  garmentSquare,
} from "./garment-prep";

/** A transparent width × height image with opaque `rgb` rectangles [x, y, w, h]. */
function cutOut(
  width: number,
  height: number,
  rects: readonly (readonly [number, number, number, number])[],
  rgb: readonly [number, number, number] = [200, 0, 0],
): RgbaImage {
  const image = createImage(width, height);
  for (const [rx, ry, rw, rh] of rects) {
    for (let y = ry; y < ry + rh; y++) {
      for (let x = rx; x < rx + rw; x++) image.data.set([...rgb, 255], (y * width + x) * 4);
    }
  }
  return image;
}

const pixel = (image: RgbaImage, x: number, y: number) =>
  Array.from(image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));

describe("alphaBox", () => {
  it("bounds every pixel with non-zero alpha", () => {
    const image = cutOut(10, 8, [
      [2, 3, 1, 1],
      [6, 5, 1, 1],
    ]);
    expect(alphaBox(image)).toEqual({ x: 2, y: 3, width: 5, height: 3 });
  });

  it("counts faint alpha and returns null for a fully transparent image", () => {
    const image = createImage(4, 4);
    expect(alphaBox(image)).toBeNull();
    image.data[(3 * 4 + 0) * 4 + 3] = 1;
    expect(alphaBox(image)).toEqual({ x: 0, y: 3, width: 1, height: 1 });
  });
});

describe("garmentSquare", () => {
  it("centres a square of the longer side on the box, with integer halves", () => {
    // side 50; centre x = 10 + 15 = 25 → 0; centre y = 20 + 25 = 45 → 20.
    expect(garmentSquare({ x: 10, y: 20, width: 30, height: 50 }, 100, 100)).toEqual({
      x: 0,
      y: 20,
      width: 50,
      height: 50,
    });
    // side 11: centre x = 3 + 5 = 8 → 8 − 5 = 3; centre y = 40 + 2 = 42 → 37.
    expect(garmentSquare({ x: 3, y: 40, width: 11, height: 5 }, 100, 100)).toEqual({
      x: 3,
      y: 37,
      width: 11,
      height: 11,
    });
  });

  it("pushes the square back inside the image", () => {
    // side 30; centre x = 95 → 80, past the right edge → 70. Centre y = 55 → 40.
    expect(garmentSquare({ x: 90, y: 40, width: 10, height: 30 }, 100, 100)).toEqual({
      x: 70,
      y: 40,
      width: 30,
      height: 30,
    });
    expect(garmentSquare({ x: 0, y: 0, width: 30, height: 10 }, 100, 100)).toEqual({
      x: 0,
      y: 0,
      width: 30,
      height: 30,
    });
  });

  it("lets a square wider than the image overhang on the left, as Leffa's order of checks does", () => {
    expect(garmentSquare({ x: 0, y: 0, width: 10, height: 40 }, 20, 40)).toEqual({
      x: -20,
      y: 0,
      width: 40,
      height: 40,
    });
  });
});

describe("cropPadded", () => {
  it("copies the box and leaves the overhang transparent", () => {
    const image = cutOut(3, 2, [[0, 0, 3, 2]], [9, 9, 9]);
    image.data.set([1, 2, 3, 255], 0);
    const out = cropPadded(image, { x: -1, y: 0, width: 3, height: 3 });
    expect([out.width, out.height]).toEqual([3, 3]);
    expect(pixel(out, 0, 0)).toEqual([0, 0, 0, 0]);
    expect(pixel(out, 1, 0)).toEqual([1, 2, 3, 255]);
    expect(pixel(out, 2, 1)).toEqual([9, 9, 9, 255]);
    expect(pixel(out, 1, 2)).toEqual([0, 0, 0, 0]);
  });
});

describe("centreGarment (preprocess_garment_image)", () => {
  it("scales a square garment to 768² and pastes it at y = 128 on white", () => {
    const { image, box, square } = centreGarment(cutOut(60, 80, [[10, 30, 20, 20]]));
    expect(box).toEqual({ x: 10, y: 30, width: 20, height: 20 });
    expect(square).toEqual(box);
    expect([image.width, image.height]).toEqual([768, 1024]);
    expect(pixel(image, 0, 127)).toEqual([255, 255, 255, 255]);
    expect(pixel(image, 0, 128)).toEqual([200, 0, 0, 255]);
    expect(pixel(image, 767, 895)).toEqual([200, 0, 0, 255]);
    expect(pixel(image, 767, 896)).toEqual([255, 255, 255, 255]);
  });

  it("keeps a wide garment's proportions inside the square, centred", () => {
    // Box 20×10 at (5, 5) → square (5, 0, 20, 20): the garment fills rows 5..14 of it, which at
    // 38.4× land on canvas rows 128 + 192 = 320 to 128 + 576 = 704.
    const { image, square } = centreGarment(cutOut(40, 40, [[5, 5, 20, 10]]));
    expect(square).toEqual({ x: 5, y: 0, width: 20, height: 20 });
    // Lanczos reaches 3 source pixels (115 canvas rows) beyond the edge: white outside that.
    expect(pixel(image, 384, 275)).toEqual([255, 255, 255, 255]);
    expect(pixel(image, 384, 749)).toEqual([255, 255, 255, 255]);
    // The edge row blends the red with white, through Pillow's paste.
    const [r, g, b] = pixel(image, 384, 312);
    expect(g).toBe(b);
    expect(r).toBeGreaterThan(g);
    expect(g).toBeGreaterThan(0);
    expect(g).toBeLessThan(255);
    // Just inside, Lanczos overshoots: the alpha clips at 255 but the premultiplied red does
    // not, so Pillow's un-premultiply gives a red above the garment's 200, as Leffa's does.
    for (const y of [365, 659]) {
      const [rr, gg, bb, aa] = pixel(image, 384, y);
      expect([gg, bb, aa]).toEqual([0, 0, 255]);
      expect(rr).toBeGreaterThan(200);
    }
    // Opaque everywhere.
    for (let i = 3; i < image.data.length; i += 4 * 997) expect(image.data[i]).toBe(255);
  });

  it("pastes a 768² square unresized and blends its soft outline as Pillow's paste does", () => {
    // A garment 768 wide: the square is the whole 768² image, which Image.resize copies.
    const image = cutOut(768, 768, [[0, 100, 768, 400]], [30, 60, 90]);
    image.data.set([0, 0, 0, 128], (100 * 768 + 10) * 4); // half-transparent black on the edge
    const { square, image: out } = centreGarment(image);
    expect(square).toEqual({ x: 0, y: 0, width: 768, height: 768 });
    expect(pixel(out, 11, 228)).toEqual([30, 60, 90, 255]);
    // Black at alpha 128 over white: DIV255(255 · 127) = 127; the alpha Pillow leaves (191) is
    // dropped as resize_and_center's RGBA → RGB drops it.
    expect(pixel(out, 10, 228)).toEqual([127, 127, 127, 255]);
    expect(pixel(out, 10, 227)).toEqual([255, 255, 255, 255]);
  });

  it("refuses a fully transparent image", () => {
    expect(() => centreGarment(createImage(8, 8))).toThrow(/fully transparent/);
  });
});

describe("centreFitBox and fitOnWhite (resize_and_center)", () => {
  const canvas = { x: 0, y: 0, width: 768, height: 1024 };

  it("fits with Python's int() sizes and // offsets", () => {
    expect(centreFitBox(1000, 1000, canvas)).toEqual({ x: 0, y: 128, width: 768, height: 768 });
    // scale = min(1024 / 500, 768 / 300) = 2.048 → 614.4 → 614 wide; (768 − 614) // 2 = 77.
    expect(centreFitBox(300, 500, canvas)).toEqual({ x: 77, y: 0, width: 614, height: 1024 });
    expect(centreFitBox(384, 512, { x: 0, y: 0, width: 384, height: 512 })).toEqual({
      x: 0,
      y: 0,
      width: 384,
      height: 512,
    });
  });

  it("centres the resized image on white and makes it opaque", () => {
    const source = cutOut(30, 50, [[0, 0, 30, 50]], [0, 0, 250]);
    source.data[3] = 0; // one transparent corner pixel becomes white
    const { image, placed } = fitOnWhite(source);
    expect(placed).toEqual({ x: 77, y: 0, width: 614, height: 1024 });
    expect(pixel(image, 76, 500)).toEqual([255, 255, 255, 255]);
    expect(pixel(image, 77, 500)).toEqual([0, 0, 250, 255]);
    expect(pixel(image, 690, 500)).toEqual([0, 0, 250, 255]);
    expect(pixel(image, 691, 500)).toEqual([255, 255, 255, 255]);
    expect(pixel(image, 77, 0)).toEqual([255, 255, 255, 255]);
  });

  it("resizes with cv2's INTER_CUBIC, overshoot clamped (opaque images come out as Leffa's)", () => {
    // A 2×1 black-to-white ramp doubled: outputs sample −0.25, 0.25, 0.75, 1.25; with A = −0.75
    // the inner two are 255·464/2048 = 57.8 → 58 and 255·1584/2048 = 197.2 → 197.
    const ramp = createImage(2, 1, Uint8ClampedArray.from([0, 0, 0, 255, 255, 255, 255, 255]));
    const { image } = fitOnWhite(ramp, 4, 2);
    expect([0, 1, 2, 3].map((x) => pixel(image, x, 1)[0])).toEqual([0, 58, 197, 255]);
  });
});
