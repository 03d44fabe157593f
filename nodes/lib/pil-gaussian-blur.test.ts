import { describe, expect, it } from "vitest";
import {
  boxBlurLine,
  boxWeights,
  gaussianBoxRadius,
  PIL_GAUSSIAN_PASSES,
  pilBoxBlur,
  pilGaussianBlur,
  type BoxWeights,
} from "./pil-gaussian-blur";

const f = Math.fround;

describe("_gaussian_blur_radius", () => {
  it("gives the float32 values of Pillow's C code", () => {
    // σ = 1: σ² = f(1/3) = 11184811·2⁻²⁵; 3σ² rounds to 1, so the numerator is (1)(0 − 1) = −1.
    // σ² − 1 = −22369621·2⁻²⁵ needs 25 bits and rounds (tie, to even) to −11184810·2⁻²⁴; six
    // times that is −(2²⁶ − 4)·2⁻²⁴, exact. a = −1 / −(4 − 2⁻²²) = 0.25 + 2⁻²⁵ after rounding.
    expect(gaussianBoxRadius(1)).toBe(0.25 + 2 ** -25);
    // σ = 2: σ² = f(4/3), L = √17 = 4.12, l = 1; a = 3·(2 − 4)/(6·(4/3 − 4)) = −6/−16 = 0.375.
    expect(gaussianBoxRadius(2)).toBe(1.375);
    // σ = 5 (repaint at 512 px): L = √101 = 10.05, l = 4; a = 9·(20 − 25)/(6·(25/3 − 25)) = 0.45.
    expect(gaussianBoxRadius(5)).toBe(f(4.45));
    // σ = 11 (repaint at 1024 px): L = √485 = 22.02, l = 10; a = 21·(110 − 121)/(6·(121/3 − 121))
    // = −231/−484 = 0.4772727 (its float32 neighbourhood: the operands round on the way).
    expect(gaussianBoxRadius(11)).toBeCloseTo(10 + 231 / 484, 6);
    expect(Math.fround(gaussianBoxRadius(11))).toBe(gaussianBoxRadius(11));
    // σ = 0.5: σ² = 1/12, L = √2, l = 0; a = (0 − 0.25)/(6·(1/12 − 1)) = 0.25/5.5 = 1/22.
    expect(gaussianBoxRadius(0.5)).toBeCloseTo(1 / 22, 7);
  });

  it("makes a cascade whose variance is σ² (the point of the extended box)", () => {
    for (const sigma of [1, 2, 5, 11, 20]) {
      const r = gaussianBoxRadius(sigma);
      const l = Math.floor(r);
      const a = r - l;
      // Variance of one extended box of radius l + a (Gwosdek et al., eq. 8), times the passes.
      const one = ((2 * l + 1) * l * (l + 1) + 6 * a * (l + 1) ** 2) / (3 * (2 * l + 1 + 2 * a));
      expect(PIL_GAUSSIAN_PASSES * one).toBeCloseTo(sigma * sigma, 3);
    }
  });
});

describe("box weights", () => {
  it("divides 2^24 in float32 and truncates, as ImagingHorizontalBoxBlur does", () => {
    // 2^24 / 1.5 = 11184810.67, whose nearest float32 is 11184811 (spacing 1 there): a double
    // division would give 11184810. fw takes the rest, halved: (2^24 − 11184811) / 2 = 2796202.
    expect(boxWeights(gaussianBoxRadius(1))).toEqual({ radius: 0, ww: 11184811, fw: 2796202 });
    // 4.45 → radius 4; 2^24 / f(9.9) = 1694668.28 → float32 1694668.25 → 1694668;
    // fw = (2^24 − 9 · 1694668) / 2 = 762602.
    expect(boxWeights(gaussianBoxRadius(5))).toEqual({ radius: 4, ww: 1694668, fw: 762602 });
    for (const r of [0.3, 1.375, 4.45, 10.4772]) {
      const { radius, ww, fw } = boxWeights(r);
      const total = (2 * radius + 1) * ww + 2 * fw;
      expect(total).toBeLessThanOrEqual(2 ** 24);
      expect(total).toBeGreaterThanOrEqual(2 ** 24 - 1);
    }
  });
});

describe("one box pass on a line", () => {
  const W1 = boxWeights(gaussianBoxRadius(1));
  const pass = (input: number[], weights: BoxWeights) => {
    const out = new Uint8Array(input.length);
    boxBlurLine(out, Uint8Array.from(input), input.length, weights);
    return Array.from(out);
  };

  it("spreads a single bright pixel with the fixed-point rounding", () => {
    // Centre: 255·ww / 2^24 = 170.0000051 → (+0.5, floor) 170. Neighbours: 255·fw / 2^24 =
    // 42.49998 → 42. The box loses a level to rounding (42 + 170 + 42 = 254).
    expect(pass([0, 0, 255, 0, 0], W1)).toEqual([0, 42, 170, 42, 0]);
  });

  it("blurs a step edge and repeats the border pixels", () => {
    // At x = 3: 255·(ww + fw) / 2^24 = 212.49999 → 212; at x = 2 only the far pixel: 42.
    expect(pass([0, 0, 0, 255, 255, 255], W1)).toEqual([0, 0, 42, 212, 255, 255]);
    // Constant lines stay constant (the edges repeat their pixel): 255·(ww + 2fw) = 255·(2^24 − 1).
    expect(pass([255, 255, 255], W1)).toEqual([255, 255, 255]);
    expect(pass([7, 7, 7, 7], boxWeights(6.4))).toEqual([7, 7, 7, 7]);
  });

  it("handles a line narrower than the box (the clamped branch)", () => {
    const w5 = boxWeights(gaussianBoxRadius(5)); // radius 4: 9 whole pixels + 2 partial ones
    // x = 0: the window −4…4 holds 5 copies of 0 and 4 of 255 (1020), the far pixels are 0 and
    // 255: (1020·1694668 + 255·762602 + 2^23) / 2^24 = 115.12 → 115. x = 1: 1275 and 0, 255 →
    // 140.88 → 140.
    expect(pass([0, 255], w5)).toEqual([115, 140]);
    expect(pass([200], w5)).toEqual([200]);
  });
});

/**
 * The box pass from its definition, pixel by pixel (no running sum, no edge cases): the 2r + 1
 * pixels of the box at weight ww and the two beyond at fw, indices clamped to the line.
 */
function referencePass(line: Uint8Array, { radius, ww, fw }: BoxWeights): Uint8Array {
  const n = line.length;
  const at = (i: number) => line[Math.min(n - 1, Math.max(0, i))];
  return line.map((_, x) => {
    let sum = 0;
    for (let k = -radius; k <= radius; k++) sum += at(x + k);
    const bulk = sum * ww + (at(x - radius - 1) + at(x + radius + 1)) * fw;
    return Math.floor((bulk + 2 ** 23) / 2 ** 24);
  });
}

/** ImagingBoxBlur from its definition: every row `passes` times, then every column. */
function referenceBoxBlur(
  data: Uint8Array,
  width: number,
  height: number,
  radius: number,
  passes: number,
): Uint8Array {
  const img = Uint8Array.from(data);
  const weights = boxWeights(radius);
  for (let p = 0; p < passes; p++) {
    for (let y = 0; y < height; y++) {
      img.set(referencePass(img.slice(y * width, (y + 1) * width), weights), y * width);
    }
  }
  for (let p = 0; p < passes; p++) {
    for (let x = 0; x < width; x++) {
      const column = Uint8Array.from({ length: height }, (_, y) => img[y * width + x]);
      referencePass(column, weights).forEach((v, y) => (img[y * width + x] = v));
    }
  }
  return img;
}

/** A seeded pseudo-random 8-bit image (mulberry32). */
function randomImage(width: number, height: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  return Uint8Array.from({ length: width * height }, () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) & 255;
  });
}

describe("Gaussian blur of an image", () => {
  it("agrees with the pass-by-definition port on random images, tiny ones included", () => {
    const sizes: [number, number][] = [
      [1, 1],
      [2, 3],
      [5, 1],
      [7, 9],
      [24, 17],
      [40, 33],
    ];
    for (const sigma of [0.5, 1, 2, 5, 11]) {
      for (const [w, h] of sizes) {
        const img = randomImage(w, h, w * 131 + h * 7 + sigma * 1000);
        const ours = pilGaussianBlur(img, w, h, sigma);
        const ref = referenceBoxBlur(img, w, h, gaussianBoxRadius(sigma), PIL_GAUSSIAN_PASSES);
        expect(Array.from(ours), `σ=${sigma} ${w}×${h}`).toEqual(Array.from(ref));
      }
    }
  });

  it("spreads a single bright pixel: rows first, then columns, each pass rounded", () => {
    const size = 9;
    const img = new Uint8Array(size * size);
    img[4 * size + 4] = 255;
    const out = pilGaussianBlur(img, size, size, 1);
    // Three horizontal passes on the centre row, by hand (ww = 11184811, fw = 2796202):
    // 255 → [42, 170, 42] → [7, 56, 127, 56, 7] ((170ww + 84fw)/2^24 = 127.33) →
    // [1, 14, 60, 103, 60, 14, 1] ((127ww + 112fw)/2^24 = 103.33, (56ww + 134fw)/2^24 = 59.67).
    const w1 = boxWeights(gaussianBoxRadius(1));
    let row: Uint8Array = new Uint8Array(size);
    row[4] = 255;
    for (let p = 0; p < 3; p++) row = referencePass(row, w1);
    expect(Array.from(row)).toEqual([0, 1, 14, 60, 103, 60, 14, 1, 0]);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        // Mirror-symmetric both ways; not under transposition, since the rows are rounded to
        // 8 bits before the columns are blurred (Pillow's order).
        expect(out[y * size + x]).toBe(out[y * size + (size - 1 - x)]);
        expect(out[y * size + x]).toBe(out[(size - 1 - y) * size + x]);
      }
    }
    // Only the centre row is lit after the rows: the centre column is its centre value blurred.
    let column: Uint8Array = Uint8Array.from({ length: size }, (_, y) => (y === 4 ? row[4] : 0));
    for (let p = 0; p < 3; p++) column = referencePass(column, w1);
    expect(Array.from({ length: size }, (_, y) => out[y * size + 4])).toEqual(Array.from(column));
  });

  it("returns a copy for radius 0 and blurs one direction when the other radius is 0", () => {
    const img = randomImage(6, 4, 3);
    expect(Array.from(pilGaussianBlur(img, 6, 4, 0))).toEqual(Array.from(img));
    const onlyX = pilBoxBlur(img, 6, 4, 1.375, 0, 3);
    for (let y = 0; y < 4; y++) {
      let line: Uint8Array = img.slice(y * 6, y * 6 + 6);
      for (let p = 0; p < 3; p++) line = referencePass(line, boxWeights(1.375));
      expect(Array.from(onlyX.subarray(y * 6, y * 6 + 6))).toEqual(Array.from(line));
    }
    expect(Array.from(pilBoxBlur(img, 6, 4, 0, 0, 3))).toEqual(Array.from(img));
  });

  it("refuses what Pillow refuses", () => {
    const img = new Uint8Array(4);
    expect(() => pilBoxBlur(img, 2, 2, 1, 1, 0)).toThrow(/passes/);
    expect(() => pilBoxBlur(img, 2, 2, -1, 1, 3)).toThrow(/radius/);
    expect(() => pilGaussianBlur(img, 3, 2, 1)).toThrow(/6 pixels/);
    expect(() => pilGaussianBlur(img, 2, 2, -1)).toThrow(/≥ 0/);
  });

  it("stops when cancelled", () => {
    const controller = new AbortController();
    controller.abort();
    expect(() => pilGaussianBlur(new Uint8Array(16), 4, 4, 2, controller.signal)).toThrow(
      /cancelled/,
    );
  });
});
