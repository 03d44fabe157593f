import { createImage, type RgbaImage } from "../../core/image";
import { parulaRgb, type Rgb } from "./parula";

/**
 * Leffa's three DensePose conditioning images, rendered from DensePose's per-pixel fine part
 * index I (0 = background, 1..24 = body parts) and, for pose transfer, its U/V chart coordinates.
 * References: Leffa `app.py` + `leffa_utils/densepose_predictor.py`, and the detectron2 DensePose
 * copy Leffa vendors in `3rdparty/densepose/vis/` (`DensePoseResultsFineSegmentationVisualizer`,
 * `MatrixVisualizer`).
 */

/** detectron2's `DensePoseDataRelative.N_PART_LABELS`: fine labels are 0 (background) … 24. */
export const DENSEPOSE_PART_LABELS = 24;

export type DensePoseEncoding = "viton_hd" | "dress_code" | "pose_transfer";

export const DENSEPOSE_ENCODINGS: readonly DensePoseEncoding[] = [
  "viton_hd",
  "dress_code",
  "pose_transfer",
];

/** A person box in whole pixels, as detectron2's `make_int_box` / Leffa's `int(x)` give it. */
export interface DensePoseBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * detectron2 XYWH float box → the integer box its DensePose result is sampled on. Each of x, y,
 * w, h is truncated on its own (`box.long()` in `make_int_box`, `int(x)` in Leffa's paste), and
 * the label map is at least 1 × 1 (`max(int(w), 1)` in `resample_uv_tensors_to_bbox`).
 */
export function intBox(x: number, y: number, width: number, height: number): DensePoseBox {
  return {
    x: Math.trunc(x),
    y: Math.trunc(y),
    width: Math.max(Math.trunc(width), 1),
    height: Math.max(Math.trunc(height), 1),
  };
}

/**
 * The 8-bit value the VITON-HD visualiser feeds to the colormap for part index I:
 * `(I.astype(float32) * (255.0 / 24)).clip(0, 255).astype(uint8)` in `MatrixVisualizer`. The
 * scale 255/24 = 10.625 is exact in binary and I × 10.625 is exact in float32, so the result is
 * floor(I × 10.625) — truncation, not rounding: I = 1 → 10, 2 → 21, 3 → 31, 23 → 244, 24 → 255.
 */
export function vitonHdLevel(part: number): number {
  assertPart(part);
  return Math.trunc(part * 10.625);
}

/** RGB colour of part index I in the VITON-HD image; background (I = 0) is black. */
export function vitonHdColor(part: number): Rgb {
  assertPart(part);
  return part === 0 ? [0, 0, 0] : parulaRgb(vitonHdLevel(part));
}

/**
 * Leffa's VITON-HD condition (`predict_seg`, then `[:, :, ::-1]` in app.py): a black canvas,
 * PARULA(floor(I × 255/24)) where I > 0 (the visualiser masks `segm > 0` and blends with
 * alpha = 1, so background stays exactly black), OpenCV's BGR flipped to RGB. Opaque output.
 *
 * `parts` is the full-frame label map. With several people, note that Leffa's vendored
 * `MatrixVisualizer` (inplace=False) zeroes the whole canvas before drawing each instance, so
 * only the last detected instance (the lowest score above 0.5) survives; `renderDensePose` in
 * run.ts pastes that one alone.
 */
export function renderVitonHd(parts: Uint8Array, width: number, height: number): RgbaImage {
  checkParts(parts, width, height);
  const palette = VITON_HD_PALETTE;
  const image = createImage(width, height);
  const out = image.data;
  for (let p = 0; p < parts.length; p++) {
    const c = parts[p] * 3;
    const o = p * 4;
    out[o] = palette[c];
    out[o + 1] = palette[c + 1];
    out[o + 2] = palette[c + 2];
    out[o + 3] = 255;
  }
  return image;
}

/**
 * Leffa's DressCode condition: channel 0 of `predict_iuv` (the raw part index I, 0..24, of the
 * first instance pasted in its box) repeated into three channels by app.py. Not rescaled, so the
 * image looks almost black; that is what the DressCode model was trained on.
 */
export function renderDressCode(parts: Uint8Array, width: number, height: number): RgbaImage {
  checkParts(parts, width, height);
  const image = createImage(width, height);
  const out = image.data;
  for (let p = 0; p < parts.length; p++) {
    const o = p * 4;
    out[o] = out[o + 1] = out[o + 2] = parts[p];
    out[o + 3] = 255;
  }
  return image;
}

/**
 * Leffa's pose-transfer condition (`predict_iuv`, then `[:, :, ::-1]` in app.py):
 * - I and UV of the first instance, on its box (`labels` [h, w], `uv` [2, h, w]);
 * - UV min-max normalised jointly — one min and one max over both channels and every pixel of
 *   the box, background included — then × 255, all in float32 (torch), and truncated to uint8
 *   when numpy assigns the float array into the uint8 canvas;
 * - stacked [I, U, V], reordered `[0, 2, 1]` → [I, V, U], then reversed by app.py → [U, V, I].
 * So R = U′, G = V′, B = I, black outside the box. (This is leffa.md's "[U·255, V·255, I]" and
 * models.md's "[0,2,1] then reversed": the two descriptions agree once both steps are applied.)
 *
 * `i`, `u`, `v` are box-sized (box.width × box.height, row-major). U and V are taken as 0 where
 * I = 0, as detectron2's `resample_uv_tensors_to_bbox` leaves them, so a raw per-part gather
 * normalises the same way. If max = min, torch would give NaN (0/0); we write 0 there.
 * The box must lie inside the canvas (detectron2 clips boxes to the image; Leffa's slice
 * assignment would fail otherwise).
 */
export function renderPoseTransferIuv(
  i: Uint8Array,
  u: ArrayLike<number>,
  v: ArrayLike<number>,
  box: DensePoseBox,
  width: number,
  height: number,
): RgbaImage {
  checkBox(box, width, height);
  const n = box.width * box.height;
  if (i.length !== n || u.length !== n || v.length !== n) {
    throw new Error(
      `I/U/V have ${i.length}/${u.length}/${v.length} values, expected ${n} for a ` +
        `${box.width}×${box.height} box`,
    );
  }
  for (let p = 0; p < n; p++) assertPart(i[p]);

  const f32 = Math.fround;
  const us = new Float32Array(n);
  const vs = new Float32Array(n);
  let min = Infinity;
  let max = -Infinity;
  for (let p = 0; p < n; p++) {
    us[p] = i[p] === 0 ? 0 : u[p];
    vs[p] = i[p] === 0 ? 0 : v[p];
    min = Math.min(min, us[p], vs[p]);
    max = Math.max(max, us[p], vs[p]);
  }
  const range = f32(max - min);
  // float32 (x − min) / range × 255, then the C cast numpy uses for float → uint8 (truncation).
  const toByte = (x: number): number =>
    range > 0 ? Math.trunc(f32(f32(f32(x - min) / range) * 255)) : 0;

  const image = createImage(width, height);
  const out = image.data;
  for (let k = 3; k < out.length; k += 4) out[k] = 255;
  for (let row = 0; row < box.height; row++) {
    for (let col = 0; col < box.width; col++) {
      const p = row * box.width + col;
      const o = ((box.y + row) * width + box.x + col) * 4;
      out[o] = toByte(us[p]);
      out[o + 1] = toByte(vs[p]);
      out[o + 2] = i[p];
    }
  }
  return image;
}

/**
 * Places a box-sized label map on a width × height canvas of background (0), as Leffa pastes
 * `image_iuv[y1:y2, x1:x2] = img_iuv` and the visualiser draws into `image[y:y+h, x:x+w]`.
 */
export function pasteBox(
  labels: Uint8Array,
  box: DensePoseBox,
  width: number,
  height: number,
): Uint8Array {
  checkBox(box, width, height);
  if (labels.length !== box.width * box.height) {
    throw new Error(
      `labels have ${labels.length} values, expected ${box.width * box.height} for the box`,
    );
  }
  const parts = new Uint8Array(width * height);
  for (let row = 0; row < box.height; row++) {
    const from = row * box.width;
    parts.set(labels.subarray(from, from + box.width), (box.y + row) * width + box.x);
  }
  return parts;
}

/** The 25 VITON-HD colours, RGB, indexed by part: entry 0 is the black background. */
export function vitonHdPalette(): Uint8Array {
  return VITON_HD_PALETTE.slice();
}

const VITON_HD_PALETTE = (() => {
  const palette = new Uint8Array((DENSEPOSE_PART_LABELS + 1) * 3);
  for (let part = 0; part <= DENSEPOSE_PART_LABELS; part++) {
    palette.set(vitonHdColor(part), part * 3);
  }
  return palette;
})();

function assertPart(part: number): void {
  if (!Number.isInteger(part) || part < 0 || part > DENSEPOSE_PART_LABELS) {
    throw new RangeError(`DensePose part index ${part} is not an integer in 0..24`);
  }
}

function checkParts(parts: Uint8Array, width: number, height: number): void {
  if (parts.length !== width * height) {
    throw new Error(`part map has ${parts.length} values, expected ${width * height}`);
  }
  for (let p = 0; p < parts.length; p++) {
    if (parts[p] > DENSEPOSE_PART_LABELS) {
      throw new RangeError(`DensePose part index ${parts[p]} at pixel ${p} is not in 0..24`);
    }
  }
}

function checkBox(box: DensePoseBox, width: number, height: number): void {
  const { x, y, width: w, height: h } = box;
  if (![x, y, w, h].every(Number.isInteger) || w < 1 || h < 1) {
    throw new RangeError(`DensePose box ${x},${y} ${w}×${h} is not a whole-pixel box`);
  }
  if (x < 0 || y < 0 || x + w > width || y + h > height) {
    throw new RangeError(`DensePose box ${x},${y} ${w}×${h} leaves the ${width}×${height} image`);
  }
}
