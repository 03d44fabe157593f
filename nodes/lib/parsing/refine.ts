import { contourArea } from "../opencv/contour-area";
import { fillPoly } from "../opencv/fill-poly";
import { findContours, type FindContoursOptions } from "../opencv/find-contours";

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

/** Upper clothes plus arms: what encloses the holes Leffa fills (`upper_cloth_mask`). */
function clothOrArm(l: number): boolean {
  return l === ATR_UPPER_CLOTHES || l === ATR_LEFT_ARM || l === ATR_RIGHT_ARM;
}

function isArm(l: number): boolean {
  return l === ATR_LEFT_ARM || l === ATR_RIGHT_ARM;
}

/**
 * Leffa's hole filling (`hole_fill` + `refine_hole` in `parsing_api.py`), OpenCV-exact: regions
 * enclosed by upper clothes and arms (not 4-connected to the border) become upper clothes, and
 * so do the arms — except inside what `refine_hole` draws back: every contour of the holes
 * (`cv2.findContours(…, RETR_CCOMP, CHAIN_APPROX_TC89_L1)`, outer borders and holes alike) whose
 * |contourArea| exceeds `KEPT_HOLE_AREA` is filled with `drawContours`, and pixels where that
 * drawing and the arm mask are not both set keep their label. Both set wraps to 0 in Leffa's
 * uint8 sum (255 + 1), so an arm inside a kept hole's polygon becomes upper clothes there.
 * Returns a new label map.
 */
export function fillClothHoles(
  labels: Uint8Array,
  width: number,
  height: number,
  options: FindContoursOptions = {},
): Uint8Array {
  if (labels.length !== width * height) {
    throw new Error(`expected ${width}×${height} labels, got ${labels.length}`);
  }
  const outsideCloth = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) outsideCloth[i] = clothOrArm(labels[i]) ? 0 : 1;
  const holes = enclosed(outsideCloth, width, height);
  const drawn = new Uint8Array(labels.length);
  for (const c of findContours(holes, width, height, "ccomp", "tc89-l1", options)) {
    // One drawContours call per contour: each is filled on its own, not even-odd with the rest.
    if (Math.abs(contourArea(c.points, true)) > KEPT_HOLE_AREA) {
      fillPoly(drawn, width, height, [c.points], 255);
    }
  }
  const out = Uint8Array.from(labels);
  for (let i = 0; i < out.length; i++) {
    const filled = holes[i] !== 0 || clothOrArm(labels[i]);
    const keep = (drawn[i] !== 0) !== isArm(labels[i]);
    if (filled && !keep) out[i] = ATR_UPPER_CLOTHES;
  }
  return out;
}

/**
 * The studio's earlier stand-in, kept as `bench:preprocess`'s baseline: holes filled exactly,
 * sized by `components`' Pick estimate, arms always kept.
 */
export function fillClothHolesPick(labels: Uint8Array, width: number, height: number): Uint8Array {
  if (labels.length !== width * height) {
    throw new Error(`expected ${width}×${height} labels, got ${labels.length}`);
  }
  const outsideCloth = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) outsideCloth[i] = clothOrArm(labels[i]) ? 0 : 1;
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
