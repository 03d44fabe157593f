/**
 * Leffa's clean-up of the ATR label map (`parsing_api.py onnx_inference`): small holes inside the
 * upper clothes and arms become upper clothes, and the LIP map adds the neck label.
 */

export const ATR_UPPER_CLOTHES = 4;
export const ATR_FACE = 11;
export const ATR_LEFT_ARM = 14;
export const ATR_RIGHT_ARM = 15;
export const LIP_FACE = 13;
/** Leffa's extra label: skin ATR calls face but LIP does not. */
export const NECK = 18;

/** Holes larger than this (OpenCV contour area, px at 384×512) are real: they keep their label. */
export const KEPT_HOLE_AREA = 2000;

/** Marks the pixels of `inside` that are not 4-connected to the border through `inside`. */
function enclosed(inside: Uint8Array, width: number, height: number): Uint8Array {
  const reached = new Uint8Array(width * height);
  const stack: number[] = [];
  const visit = (i: number) => {
    if (inside[i] && !reached[i]) {
      reached[i] = 1;
      stack.push(i);
    }
  };
  for (let x = 0; x < width; x++) {
    visit(x);
    visit((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    visit(y * width);
    visit(y * width + width - 1);
  }
  while (stack.length) {
    const i = stack.pop()!;
    const x = i % width;
    if (x > 0) visit(i - 1);
    if (x < width - 1) visit(i + 1);
    if (i >= width) visit(i - width);
    if (i < (height - 1) * width) visit(i + width);
  }
  const out = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = inside[i] && !reached[i] ? 1 : 0;
  return out;
}

/**
 * The 8-connected components of `mask`, each as its pixel indices and the area OpenCV's
 * `contourArea` gives its outer contour. That contour runs through the centres of the border
 * pixels (those with a 4-neighbour outside the component), so by Pick's theorem its area is
 * pixels − border / 2 − 1; exact for solid shapes, close for ragged ones.
 */
export function components(
  mask: Uint8Array,
  width: number,
  height: number,
): { pixels: number[]; area: number }[] {
  const label = new Int32Array(width * height).fill(-1);
  const result: { pixels: number[]; area: number }[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || label[start] >= 0) continue;
    const id = result.length;
    const pixels: number[] = [];
    const stack = [start];
    label[start] = id;
    while (stack.length) {
      const i = stack.pop()!;
      pixels.push(i);
      const x = i % width;
      const y = (i - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const n = ny * width + nx;
          if (mask[n] && label[n] < 0) {
            label[n] = id;
            stack.push(n);
          }
        }
      }
    }
    let border = 0;
    for (const i of pixels) {
      const x = i % width;
      const outside = (n: number, ok: boolean) => !ok || label[n] !== id;
      if (
        outside(i - 1, x > 0) ||
        outside(i + 1, x < width - 1) ||
        outside(i - width, i >= width) ||
        outside(i + width, i < (height - 1) * width)
      ) {
        border++;
      }
    }
    result.push({ pixels, area: Math.max(0, pixels.length - border / 2 - 1) });
  }
  return result;
}

/**
 * Leffa's hole filling: regions enclosed by upper clothes and arms (not reachable from the image
 * border) become upper clothes unless their contour area exceeds `KEPT_HOLE_AREA`; arms keep
 * their labels. Returns a new label map.
 */
export function fillClothHoles(labels: Uint8Array, width: number, height: number): Uint8Array {
  if (labels.length !== width * height) {
    throw new Error(`expected ${width}×${height} labels, got ${labels.length}`);
  }
  const outsideCloth = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    outsideCloth[i] = l === ATR_UPPER_CLOTHES || l === ATR_LEFT_ARM || l === ATR_RIGHT_ARM ? 0 : 1;
  }
  const holes = enclosed(outsideCloth, width, height);
  const out = Uint8Array.from(labels);
  for (const hole of components(holes, width, height)) {
    if (hole.area > KEPT_HOLE_AREA) continue;
    for (const i of hole.pixels) out[i] = ATR_UPPER_CLOTHES;
  }
  return out;
}

/** Leffa's neck rule: where ATR says face (11) and LIP does not (13), the label becomes 18. */
export function addNeck(atr: Uint8Array, lip: Uint8Array): Uint8Array {
  if (atr.length !== lip.length) {
    throw new Error(`ATR and LIP label maps differ in size (${atr.length} vs ${lip.length})`);
  }
  const out = Uint8Array.from(atr);
  for (let i = 0; i < out.length; i++) {
    if (atr[i] === ATR_FACE && lip[i] !== LIP_FACE) out[i] = NECK;
  }
  return out;
}
