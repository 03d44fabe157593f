import { createImage, type RgbaImage } from "../../core/image";

/**
 * Colour codes for the flow field (leffa.md §3.2 display b). The flow is an absolute position in
 * the garment, so the colour encodes that position, not a motion: the Middlebury / Baker et al.
 * flow wheel applied to (x, y) around the garment's centre. Hue is the direction from the centre
 * (right = red, down = yellow, left = cyan, up = blue/violet, y pointing down as in images),
 * saturation the distance: white at the centre, full colour at radius √2, the corners of the
 * [−1, 1]² square, so every in-range coordinate stays distinguishable. Beyond the wheel (a flow
 * outside the garment) the colour is darkened to 75 %, as Middlebury marks out-of-range flow.
 * `flowLegend` draws the same mapping so a colour can be read back as a place in the garment.
 */

/** Segment lengths of the 55-colour Middlebury wheel: R→Y, Y→G, G→C, C→B, B→M, M→R. */
const SEGMENTS = [15, 6, 4, 11, 13, 6] as const;

function buildWheel(): Float32Array {
  const total = SEGMENTS.reduce((a, b) => a + b, 0);
  const wheel = new Float32Array(total * 3);
  // Each segment ramps one channel up or down while the others stay put, around the hue circle.
  const ramps: [number, boolean, number][] = [
    // [channel that changes, rising or falling, channel held at 255]; the third stays 0.
    [1, true, 0],
    [0, false, 1],
    [2, true, 1],
    [1, false, 2],
    [0, true, 2],
    [2, false, 0],
  ];
  let k = 0;
  SEGMENTS.forEach((length, s) => {
    const [changing, rising, full] = ramps[s];
    for (let i = 0; i < length; i++, k++) {
      const ramp = Math.floor((255 * i) / length);
      wheel[k * 3 + full] = 255;
      wheel[k * 3 + changing] = rising ? ramp : 255 - ramp;
    }
  });
  return wheel;
}

const WHEEL = buildWheel();
const WHEEL_SIZE = WHEEL.length / 3;

/** The radius, in flow units, that maps to full saturation: the corners of [−1, 1]². */
export const FULL_SATURATION_RADIUS = Math.SQRT2;

/** Writes the wheel colour of coordinate (x, y) as RGB bytes at `out[offset…offset+2]`. */
function writeFlowColour(x: number, y: number, out: Uint8ClampedArray, offset: number): void {
  const radius = Math.sqrt(x * x + y * y) / FULL_SATURATION_RADIUS;
  const angle = Math.atan2(-y, -x) / Math.PI;
  // All 55 intervals around the circle, the last closing magenta back to red, so the hue has no
  // seam pointing right (the reference code stops one interval short).
  const fk = ((angle + 1) / 2) * WHEEL_SIZE;
  const f = fk - Math.floor(fk);
  const k0 = Math.floor(fk) % WHEEL_SIZE;
  const k1 = (k0 + 1) % WHEEL_SIZE;
  for (let c = 0; c < 3; c++) {
    const col = ((1 - f) * WHEEL[k0 * 3 + c] + f * WHEEL[k1 * 3 + c]) / 255;
    out[offset + c] = 255 * (radius <= 1 ? 1 - radius * (1 - col) : col * 0.75);
  }
}

/** The wheel colour of one flow coordinate, as RGB bytes. */
export function flowColour(x: number, y: number): [number, number, number] {
  const out = new Uint8ClampedArray(3);
  writeFlowColour(x, y, out, 0);
  return [out[0], out[1], out[2]];
}

/** [height · width · 2] flow → an opaque image; undefined (NaN) coordinates are transparent. */
export function colouriseFlow(flowUp: Float32Array, width: number, height: number): RgbaImage {
  if (flowUp.length !== width * height * 2) {
    throw new Error(
      `colouriseFlow: the flow has ${flowUp.length} values, expected ${width}×${height}×2`,
    );
  }
  const image = createImage(width, height);
  const d = image.data;
  for (let i = 0; i < width * height; i++) {
    const x = flowUp[2 * i];
    const y = flowUp[2 * i + 1];
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    writeFlowColour(x, y, d, i * 4);
    d[i * 4 + 3] = 255;
  }
  return image;
}

/** Legend alpha outside the garment square but inside the wheel: reachable colours, no flow. */
const OUTSIDE_GARMENT_ALPHA = 96;

/**
 * The colour wheel as a size × size picture, oriented like the garment (top = y −1, left = x −1).
 * The disc spans radius √2; the inscribed [−1, 1]² square (the garment, the only place a flow can
 * point to) is opaque, the rest of the disc faded, outside the disc transparent.
 */
export function flowLegend(size: number): RgbaImage {
  const image = createImage(size, size);
  const d = image.data;
  for (let row = 0; row < size; row++) {
    const y = ((2 * (row + 0.5)) / size - 1) * FULL_SATURATION_RADIUS;
    for (let col = 0; col < size; col++) {
      const x = ((2 * (col + 0.5)) / size - 1) * FULL_SATURATION_RADIUS;
      if (Math.sqrt(x * x + y * y) > FULL_SATURATION_RADIUS) continue;
      const o = (row * size + col) * 4;
      writeFlowColour(x, y, d, o);
      d[o + 3] = Math.abs(x) <= 1 && Math.abs(y) <= 1 ? 255 : OUTSIDE_GARMENT_ALPHA;
    }
  }
  return image;
}

/**
 * Viridis (matplotlib's perceptually uniform map) at 9 even stops, interpolated linearly between
 * them: dark violet at 0 (the token copies from itself), yellow at 1 (it copies the garment).
 */
const VIRIDIS = [
  [68, 1, 84],
  [71, 45, 123],
  [59, 82, 139],
  [44, 114, 142],
  [33, 145, 140],
  [40, 174, 128],
  [94, 201, 98],
  [173, 220, 48],
  [253, 231, 37],
] as const;

/** The viridis colour of a value in [0, 1] (clamped), as RGB bytes. */
export function viridis(value: number): [number, number, number] {
  const t = Math.min(1, Math.max(0, value)) * (VIRIDIS.length - 1);
  const k = Math.min(Math.floor(t), VIRIDIS.length - 2);
  const f = t - k;
  const a = VIRIDIS[k];
  const b = VIRIDIS[k + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + f * (b[c] - a[c]))) as [number, number, number];
}

/** [height · width] confidence in [0, 1] → viridis image; NaN is transparent. */
export function colouriseConfidence(
  confidence: Float32Array,
  width: number,
  height: number,
): RgbaImage {
  if (confidence.length !== width * height) {
    throw new Error(
      `colouriseConfidence: got ${confidence.length} values, expected ${width}×${height}`,
    );
  }
  // 256 precomputed levels: the map is smooth, and this keeps a 1024×768 map fast.
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) lut.set(viridis(i / 255), i * 3);
  const image = createImage(width, height);
  const d = image.data;
  for (let i = 0; i < confidence.length; i++) {
    const v = confidence[i];
    if (Number.isNaN(v)) continue;
    const level = Math.round(Math.min(1, Math.max(0, v)) * 255) * 3;
    d[i * 4] = lut[level];
    d[i * 4 + 1] = lut[level + 1];
    d[i * 4 + 2] = lut[level + 2];
    d[i * 4 + 3] = 255;
  }
  return image;
}
