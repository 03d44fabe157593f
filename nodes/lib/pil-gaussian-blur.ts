import { CancelledError } from "../core/types";

/**
 * Pillow's `ImageFilter.GaussianBlur(radius)` on 8-bit data, bit for bit (src/libImaging/
 * BoxBlur.c): the standard deviation becomes an extended box radius (`_gaussian_blur_radius`,
 * Gwosdek et al. 2011) and the image is box-blurred three times horizontally, then three times
 * vertically (Pillow transposes and runs the same line blur), each pass rounding back to uint8
 * with 24-bit fixed-point weights. Pixels beyond the border repeat the edge pixel.
 *
 * Leffa's repaint blurs its mask with it (`do_repaint` in leffa/pipeline.py), so the blend edge
 * only matches Leffa's where the blur's rounding does too. Float arithmetic follows the C code's
 * types: `float` values are rounded with Math.fround after each operation, `double` ones are not
 * (x86-64 builds, no fused multiply-add).
 */

/** Passes Pillow's `Image.gaussian_blur` makes by default (_imaging.c `_gaussian_blur`). */
export const PIL_GAUSSIAN_PASSES = 3;

const f = Math.fround;

/** `_gaussian_blur_radius(radius, passes)`: the extended box radius whose cascade has variance σ². */
export function gaussianBoxRadius(radius: number, passes = PIL_GAUSSIAN_PASSES): number {
  const r = f(radius);
  const sigma2 = f(f(r * r) / passes);
  // sqrt(12.0 * sigma2 + 1.0) and floor((L - 1.0) / 2.0) are double expressions stored in floats.
  const L = f(Math.sqrt(12.0 * sigma2 + 1.0));
  const l = f(Math.floor((L - 1.0) / 2.0));
  let a = f(f(f(2 * l) + 1) * f(f(l * f(l + 1)) - f(3 * sigma2)));
  a = f(a / f(6 * f(sigma2 - f(f(l + 1) * f(l + 1)))));
  return f(l + a);
}

/** The fixed-point weights of one box pass (`ImagingHorizontalBoxBlur`). */
export interface BoxWeights {
  /** Whole pixels on each side of the centre. */
  readonly radius: number;
  /** Weight of each whole pixel of the box, out of 2^24. */
  readonly ww: number;
  /** Weight of each of the two partly covered pixels just outside it. */
  readonly fw: number;
}

export function boxWeights(floatRadius: number): BoxWeights {
  const fr = f(floatRadius);
  const radius = Math.trunc(fr);
  // (UINT32)(1 << 24) / (floatRadius * 2 + 1): a float division, truncated to UINT32.
  const ww = Math.trunc(f(16777216 / f(f(fr * 2) + 1)));
  // ((1 << 24) - (radius * 2 + 1) * ww) / 2 in unsigned arithmetic.
  const fw = Math.floor((16777216 - (radius * 2 + 1) * ww) / 2);
  return { radius, ww, fw };
}

/**
 * `ImagingLineBoxBlur8`: one line of `n` pixels read from `input` into `output` (distinct
 * buffers). `(bulk + 2^23) >> 24` rounds the weighted sum half up.
 */
export function boxBlurLine(
  output: Uint8Array,
  input: Uint8Array,
  n: number,
  { radius, ww, fw }: BoxWeights,
): void {
  const last = n - 1;
  const edgeA = Math.min(radius + 1, n);
  const edgeB = Math.max(n - radius - 1, 0);
  // The window sum for the pixel before the first: r + 1 copies of the edge pixel, then the
  // first r pixels, the missing ones (a line shorter than the box) repeating the last pixel.
  let acc = input[0] * (radius + 1);
  for (let x = 0; x < edgeA - 1; x++) acc += input[x];
  acc += input[last] * (radius - edgeA + 1);
  const save = (x: number, left: number, right: number) => {
    const bulk = acc * ww + (input[left] + input[right]) * fw;
    output[x] = Math.floor((bulk + 8388608) / 16777216);
  };
  if (edgeA <= edgeB) {
    for (let x = 0; x < edgeA; x++) {
      acc += input[x + radius] - input[0];
      save(x, 0, x + radius + 1);
    }
    for (let x = edgeA; x < edgeB; x++) {
      acc += input[x + radius] - input[x - radius - 1];
      save(x, x - radius - 1, x + radius + 1);
    }
    for (let x = edgeB; x <= last; x++) {
      acc += input[last] - input[x - radius - 1];
      save(x, x - radius - 1, last);
    }
  } else {
    // The box is wider than the line: both ends are clamped over the middle stretch.
    for (let x = 0; x < edgeB; x++) {
      acc += input[x + radius] - input[0];
      save(x, 0, x + radius + 1);
    }
    for (let x = edgeB; x < edgeA; x++) {
      acc += input[last] - input[0];
      save(x, 0, last);
    }
    for (let x = edgeA; x <= last; x++) {
      acc += input[last] - input[x - radius - 1];
      save(x, x - radius - 1, last);
    }
  }
}

function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}

/**
 * `ImagingBoxBlur(xradius, yradius, passes)` on a single-channel 8-bit image (row-major,
 * `width × height`): every row `passes` times, then every column `passes` times. A radius of 0
 * skips that direction. Returns a new array.
 */
export function pilBoxBlur(
  data: Uint8Array,
  width: number,
  height: number,
  xradius: number,
  yradius: number,
  passes: number,
  signal?: AbortSignal,
): Uint8Array {
  if (data.length !== width * height) {
    throw new Error(`a ${width}×${height} image has ${width * height} pixels, got ${data.length}`);
  }
  if (!Number.isInteger(passes) || passes < 1) {
    throw new Error("number of passes must be greater than zero");
  }
  if (!(xradius >= 0 && yradius >= 0)) throw new Error("radius must be >= 0");
  const out = Uint8Array.from(data);
  if (width === 0 || height === 0) return out;
  const longest = Math.max(width, height);
  const lineIn = new Uint8Array(longest);
  const lineOut = new Uint8Array(longest);
  const blurLines = (
    lines: number,
    length: number,
    index: (line: number, i: number) => number,
    weights: BoxWeights,
  ) => {
    for (let line = 0; line < lines; line++) {
      if ((line & 63) === 0) checkAborted(signal);
      for (let i = 0; i < length; i++) lineIn[i] = out[index(line, i)];
      for (let pass = 0; pass < passes; pass++) {
        boxBlurLine(lineOut, lineIn, length, weights);
        lineIn.set(lineOut.subarray(0, length));
      }
      for (let i = 0; i < length; i++) out[index(line, i)] = lineIn[i];
    }
  };
  // Each line's passes run back to back: rows do not mix within a direction, so this is the
  // order Pillow's whole-image passes give.
  if (xradius !== 0) blurLines(height, width, (y, x) => y * width + x, boxWeights(xradius));
  if (yradius !== 0) blurLines(width, height, (x, y) => y * width + x, boxWeights(yradius));
  return out;
}

/**
 * `image.filter(ImageFilter.GaussianBlur(radius))` on an 8-bit single-channel image (an "L"
 * image, or any one band of an RGB one: Pillow blurs the bands alike and independently).
 * Radius 0 returns a copy, as the filter does.
 */
export function pilGaussianBlur(
  data: Uint8Array,
  width: number,
  height: number,
  radius: number,
  signal?: AbortSignal,
): Uint8Array {
  if (!(radius >= 0)) throw new Error(`the blur radius must be ≥ 0, got ${radius}`);
  if (radius === 0) return Uint8Array.from(data);
  const box = gaussianBoxRadius(radius, PIL_GAUSSIAN_PASSES);
  return pilBoxBlur(data, width, height, box, box, PIL_GAUSSIAN_PASSES, signal);
}
