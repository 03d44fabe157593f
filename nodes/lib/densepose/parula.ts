/**
 * OpenCV's COLORMAP_PARULA, rebuilt bit-for-bit the way OpenCV builds it, because Leffa's
 * VITON-HD DensePose condition is `cv2.applyColorMap(..., cv2.COLORMAP_PARULA)` output and the
 * model was trained on exactly those colours.
 *
 * How OpenCV does it (modules/imgproc/src/colormap.cpp, `colormap::Parula::init(256)` →
 * `ColorMap::linear_colormap` → `interp1_<float>` → `Mat::convertTo(CV_8U, 255.)`):
 * - nine float RGB control points at X = linspace(0, 1, 9) (so X[k] = k / 8 exactly);
 * - 256 sample positions xi = linspace(0, 1, 256): step = 1.0f / 255 in float32, xi[i] = i * step
 *   in float32 (xi[255] happens to round to exactly 1);
 * - each channel linearly interpolated in float32 between the bracketing control points found by
 *   OpenCV's binary search, evaluated as y[lo] + ((xi - x[lo]) * (y[hi] - y[lo])) / (x[hi] - x[lo]);
 * - scaled by 255 in float32 and rounded to the nearest integer, ties to even (`cvRound`),
 *   saturated to 0..255;
 * - `applyColorMap` on an 8-bit image is a plain `LUT`: pixel value v → entry v.
 * OpenCV stores the entries as BGR; this module stores RGB (Leffa flips the visualiser's BGR
 * output with `[:, :, ::-1]`, so RGB is what the model sees).
 */

export type Rgb = readonly [number, number, number];

/**
 * The nine Parula control points from OpenCV's colormap.cpp (`static const float r[]`, `g[]`,
 * `b[]` in class Parula), regrouped per point as [r, g, b]. OpenCV's comment calls it "similar to
 * MATLAB's parula": it is a 9-point approximation, not MATLAB's 64-entry table.
 */
export const PARULA_CONTROL_RGB: readonly Rgb[] = [
  [0.2078, 0.1647, 0.5294],
  [0.0118, 0.3882, 0.8824],
  [0.0784, 0.5216, 0.8314],
  [0.0235, 0.6549, 0.7765],
  [0.2196, 0.7255, 0.6196],
  [0.5725, 0.749, 0.451],
  [0.851, 0.7294, 0.3373],
  [0.9882, 0.8078, 0.1804],
  [0.9765, 0.9843, 0.0549],
];

const f32 = Math.fround;

/** OpenCV's `linspace(x0, x1, n)`: float32 step, float32 `x0 + i * step`. */
function linspace(x0: number, x1: number, n: number): number[] {
  const step = f32(f32(x1 - x0) / (n - 1));
  return Array.from({ length: n }, (_, i) => f32(x0 + f32(i * step)));
}

/** OpenCV's `interp1_<float>` for one sample (x sorted ascending), in float32 arithmetic. */
function interp1(x: readonly number[], y: readonly number[], xi: number): number {
  let low = 0;
  let high = x.length - 1;
  // OpenCV's bounds for out-of-range samples (linear extrapolation from the end segments).
  if (xi < x[low]) high = 1;
  if (xi > x[high]) low = high - 1;
  while (high - low > 1) {
    const c = low + ((high - low) >> 1);
    if (xi > x[c]) low = c;
    else high = c;
  }
  const slope = f32(f32(f32(xi - x[low]) * f32(y[high] - y[low])) / f32(x[high] - x[low]));
  return f32(y[low] + slope);
}

/** `cvRound` + `saturate_cast<uchar>`: nearest integer, ties to even, clamped to 0..255. */
function toByte(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  let rounded = diff > 0.5 ? floor + 1 : diff < 0.5 ? floor : floor % 2 === 0 ? floor : floor + 1;
  if (rounded < 0) rounded = 0;
  if (rounded > 255) rounded = 255;
  return rounded;
}

/**
 * OpenCV's `ColorMap::linear_colormap(X = linspace(0, 1, k), r, g, b, n)` for k evenly spaced
 * float control points: returns n RGB triplets (length 3n). Kept general so other OpenCV
 * colormaps defined the same way can reuse it.
 */
export function linearColormap(control: readonly Rgb[], n = 256): Uint8Array {
  if (control.length < 2) throw new Error("a linear colormap needs at least two control points");
  if (!Number.isInteger(n) || n < 2) throw new Error(`invalid colormap size ${n}`);
  const x = linspace(0, 1, control.length);
  const xi = linspace(0, 1, n);
  const lut = new Uint8Array(n * 3);
  for (let channel = 0; channel < 3; channel++) {
    // OpenCV's tables are `static const float` literals: round each to float32 first.
    const y = control.map((point) => f32(point[channel]));
    for (let i = 0; i < n; i++) {
      lut[i * 3 + channel] = toByte(f32(interp1(x, y, xi[i]) * 255));
    }
  }
  return lut;
}

const PARULA_LUT = linearColormap(PARULA_CONTROL_RGB, 256);

/** A copy of the 256-entry Parula table as RGB triplets (entry v at bytes 3v..3v+2). */
export function parulaLut(): Uint8Array {
  return PARULA_LUT.slice();
}

/** The RGB colour `cv2.applyColorMap` gives an 8-bit value v (after Leffa's BGR→RGB flip). */
export function parulaRgb(value: number): Rgb {
  if (!Number.isInteger(value) || value < 0 || value > 255) {
    throw new RangeError(`parula index ${value} is not an integer in 0..255`);
  }
  const o = value * 3;
  return [PARULA_LUT[o], PARULA_LUT[o + 1], PARULA_LUT[o + 2]];
}
