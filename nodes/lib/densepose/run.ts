import type { RgbaImage } from "../../core/image";
import {
  CancelledError,
  NodeError,
  type ModelSession,
  type ModelTensor,
  type NodeContext,
} from "../../core/types";
import { pilResampleU8 } from "../pil-resample";
import { resizeImage } from "../resample";
import {
  intBox,
  pasteBox,
  renderDressCode,
  renderPoseTransferIuv,
  renderVitonHd,
  type DensePoseBox,
  type DensePoseEncoding,
} from "./encodings";

/**
 * DensePose for detector boxes with the studio's `densepose-r50-fpn` export, which runs
 * detectron2's DensePose R-CNN on an image and pools one RoI, its `box` input. As detectron2 runs
 * it: the whole photo as DefaultPredictor sees it (ResizeShortestEdge: shorter side 800, longer at
 * most 1333, Pillow bilinear on uint8), the person's box pooled from the whole-image features. Where
 * the device cannot run the whole photo, the person's region of it is cut out and run alone (the
 * crop path; the backbone then sees less context, so labels near the box differ a little). The
 * head's outputs are resampled onto the person's whole-pixel box in the photo and decoded as
 * detectron2's `densepose_chart_predictor_output_to_result` does
 * (converters/chart_output_to_chart_result.py).
 */

export const DENSEPOSE_INPUT = "image";
export const DENSEPOSE_BOX_INPUT = "box";
export const DENSEPOSE_OUTPUTS = ["fine_segm", "u", "v", "coarse_segm"] as const;

/** detectron2's INPUT.MIN_SIZE_TEST and INPUT.MAX_SIZE_TEST for the DensePose configs. */
export const TEST_SHORT_SIDE = 800;
export const TEST_MAX_SIDE = 1333;

/** Fine labels 0 (background) … 24; the head has one channel per label. */
const FINE_CHANNELS = 25;

/**
 * The size detectron2's ResizeShortestEdge gives a width × height photo, as its
 * get_output_shape computes it: the shorter side set to 800 and the longer scaled with it; if
 * that passes 1333, both scaled down again; then each rounded as int(x + 0.5).
 */
export function testResolution(
  width: number,
  height: number,
  shortSide = TEST_SHORT_SIDE,
  maxSide = TEST_MAX_SIDE,
): { width: number; height: number } {
  const scale = shortSide / Math.min(width, height);
  let [newHeight, newWidth] =
    height < width ? [shortSide, scale * width] : [scale * height, shortSide];
  if (Math.max(newHeight, newWidth) > maxSide) {
    const down = maxSide / Math.max(newHeight, newWidth);
    newHeight *= down;
    newWidth *= down;
  }
  return {
    width: Math.max(1, Math.floor(newWidth + 0.5)),
    height: Math.max(1, Math.floor(newHeight + 0.5)),
  };
}

/** A detector box (corners, photo pixels, maybe partly outside) → detectron2's whole-pixel box. */
export function personBox(
  box: { x1: number; y1: number; x2: number; y2: number },
  width: number,
  height: number,
): DensePoseBox | null {
  // detectron2 clips its boxes to the photo before make_int_box truncates x, y, w and h.
  const x1 = Math.min(Math.max(box.x1, 0), width);
  const y1 = Math.min(Math.max(box.y1, 0), height);
  const x2 = Math.min(Math.max(box.x2, 0), width);
  const y2 = Math.min(Math.max(box.y2, 0), height);
  if (!(x2 > x1 && y2 > y1)) return null;
  const b = intBox(x1, y1, x2 - x1, y2 - y1);
  // A box under a pixel wide at the right or bottom edge is still one pixel, inside the photo.
  return {
    x: Math.min(b.x, width - b.width),
    y: Math.min(b.y, height - b.height),
    width: b.width,
    height: b.height,
  };
}

/** The network input for one person and the photo region (fractional pixels) it covers. */
export interface DensePoseCrop {
  /** [1, 3, height, width], 0..255 in `channelOrder` order. */
  readonly tensor: Float32Array;
  readonly width: number;
  readonly height: number;
  /** The covered region of the photo; the head's outputs span exactly this region. */
  readonly region: {
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
  };
}

/**
 * Cuts `box` out of the photo as detectron2 would see it at test resolution: the whole-pixel
 * span of the scaled photo that contains the box (so whole scaled pixels, as a crop of the
 * resized photo would give), resampled straight from the photo. `channelOrder` "bgr" is the
 * contract (detectron2's INPUT.FORMAT); "rgb" reproduces Leffa's app, which hands detectron2 the
 * RGB array.
 */
export function cropForDensePose(
  image: RgbaImage,
  box: DensePoseBox,
  channelOrder: "bgr" | "rgb" = "bgr",
): DensePoseCrop {
  const scaled = testResolution(image.width, image.height);
  const sx = scaled.width / image.width;
  const sy = scaled.height / image.height;
  const left = Math.floor(box.x * sx);
  const top = Math.floor(box.y * sy);
  const right = Math.min(scaled.width, Math.max(left + 1, Math.ceil((box.x + box.width) * sx)));
  const bottom = Math.min(scaled.height, Math.max(top + 1, Math.ceil((box.y + box.height) * sy)));
  const width = right - left;
  const height = bottom - top;
  const region = { x: left / sx, y: top / sy, width: width / sx, height: height / sy };
  const pixels = resizeImage(image, width, height, { rect: region }).data;
  return { tensor: toPlanes(pixels, width * height, channelOrder), width, height, region };
}

/** Interleaved RGBA bytes → [1, 3, h, w] float planes in `channelOrder` order. */
function toPlanes(pixels: ArrayLike<number>, plane: number, channelOrder: "bgr" | "rgb") {
  const tensor = new Float32Array(3 * plane);
  const source = channelOrder === "bgr" ? [2, 1, 0] : [0, 1, 2];
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) tensor[c * plane + p] = pixels[p * 4 + source[c]];
  }
  return tensor;
}

/** The whole photo as detectron2's DefaultPredictor feeds it to the network. */
export interface DensePoseWholePhoto {
  /** [1, 3, height, width], 0..255 in `channelOrder` order. */
  readonly tensor: Float32Array;
  readonly width: number;
  readonly height: number;
}

/**
 * detectron2's ResizeShortestEdge on the photo: ResizeTransform.apply_image hands a uint8 array to
 * Pillow, `Image.fromarray(img).resize((w, h), Image.BILINEAR)`, whose resample widens the filter
 * when shrinking (antialiased). Pillow resamples each band alone, so the RGBA bytes give the same
 * colour bands as the 3-band array detectron2 has.
 */
export function wholePhotoForDensePose(
  image: RgbaImage,
  channelOrder: "bgr" | "rgb" = "bgr",
  signal?: AbortSignal,
): DensePoseWholePhoto {
  const { width, height } = testResolution(image.width, image.height);
  const pixels = pilResampleU8(
    image.data,
    image.width,
    image.height,
    4,
    width,
    height,
    "bilinear",
    signal,
  );
  return { tensor: toPlanes(pixels, width * height, channelOrder), width, height };
}

/**
 * The RoI detectron2 pools for a detector box: its box in the resized photo's pixels, clipped to
 * the image (fast_rcnn_inference clips before the DensePose head runs). Null when it misses.
 */
export function scaledRoi(
  box: { x1: number; y1: number; x2: number; y2: number },
  photoWidth: number,
  photoHeight: number,
  inputWidth: number,
  inputHeight: number,
): Float32Array | null {
  const sx = inputWidth / photoWidth;
  const sy = inputHeight / photoHeight;
  const clip = (v: number, max: number) => Math.min(Math.max(v, 0), max);
  const x1 = clip(box.x1 * sx, inputWidth);
  const y1 = clip(box.y1 * sy, inputHeight);
  const x2 = clip(box.x2 * sx, inputWidth);
  const y2 = clip(box.y2 * sy, inputHeight);
  return x2 > x1 && y2 > y1 ? new Float32Array([x1, y1, x2, y2]) : null;
}

/** The head's outputs for one person: [channels, outHeight, outWidth] planes, row-major. */
export interface DensePoseHeadOutput {
  readonly fineSegm: Float32Array;
  readonly u: Float32Array;
  readonly v: Float32Array;
  readonly coarseSegm: Float32Array;
  readonly outWidth: number;
  readonly outHeight: number;
}

/** One person's DensePose on its whole-pixel box: part index I and chart coordinates U, V. */
export interface DensePoseInstance {
  readonly box: DensePoseBox;
  /** Fine part index 0..24 per box pixel (0 where the coarse head says background). */
  readonly labels: Uint8Array;
  /** U and V at each pixel's part (0 on background). */
  readonly u: Float32Array;
  readonly v: Float32Array;
}

/**
 * Bilinear taps along one axis from box pixels to head-grid cells, as torch's
 * F.interpolate(align_corners=False) computes them when resizing the head output to the box:
 * the box pixel's centre, placed in the photo region the head covers, clamped to the grid.
 */
function axisTaps(
  boxStart: number,
  boxLength: number,
  regionStart: number,
  regionLength: number,
  cells: number,
): { lo: Int32Array; hi: Int32Array; f: Float32Array } {
  const lo = new Int32Array(boxLength);
  const hi = new Int32Array(boxLength);
  const f = new Float32Array(boxLength);
  for (let i = 0; i < boxLength; i++) {
    const centre = boxStart + i + 0.5;
    const c = Math.min(
      cells - 1,
      Math.max(0, ((centre - regionStart) / regionLength) * cells - 0.5),
    );
    lo[i] = Math.floor(c);
    hi[i] = Math.min(lo[i] + 1, cells - 1);
    f[i] = c - lo[i];
  }
  return { lo, hi, f };
}

/**
 * Decodes the head outputs onto the box, as detectron2 does: each channel of fine_segm and
 * coarse_segm resized bilinearly to the box, I = argmax(fine) where argmax(coarse) is the person
 * class (the first maximum on ties, like torch), and U, V resized and read in channel I.
 */
export function decodeDensePose(
  head: DensePoseHeadOutput,
  region: DensePoseCrop["region"],
  box: DensePoseBox,
): DensePoseInstance {
  const { outWidth: ow, outHeight: oh } = head;
  const plane = ow * oh;
  const tx = axisTaps(box.x, box.width, region.x, region.width, ow);
  const ty = axisTaps(box.y, box.height, region.y, region.height, oh);
  const n = box.width * box.height;
  const labels = new Uint8Array(n);
  const u = new Float32Array(n);
  const v = new Float32Array(n);
  for (let row = 0; row < box.height; row++) {
    const r0 = ty.lo[row] * ow;
    const r1 = ty.hi[row] * ow;
    const fy = ty.f[row];
    for (let col = 0; col < box.width; col++) {
      const c0 = tx.lo[col];
      const c1 = tx.hi[col];
      const fx = tx.f[col];
      const w00 = (1 - fy) * (1 - fx);
      const w01 = (1 - fy) * fx;
      const w10 = fy * (1 - fx);
      const w11 = fy * fx;
      const o00 = r0 + c0;
      const o01 = r0 + c1;
      const o10 = r1 + c0;
      const o11 = r1 + c1;
      // A channel of a head output at this pixel, written out: this runs 27 times per box pixel.
      const cs = head.coarseSegm;
      const background = w00 * cs[o00] + w01 * cs[o01] + w10 * cs[o10] + w11 * cs[o11];
      const q = plane;
      const body = w00 * cs[q + o00] + w01 * cs[q + o01] + w10 * cs[q + o10] + w11 * cs[q + o11];
      if (!(body > background)) continue;
      const fs = head.fineSegm;
      let part = 0;
      let best = w00 * fs[o00] + w01 * fs[o01] + w10 * fs[o10] + w11 * fs[o11];
      for (let k = 1, o = plane; k < FINE_CHANNELS; k++, o += plane) {
        const score = w00 * fs[o + o00] + w01 * fs[o + o01] + w10 * fs[o + o10] + w11 * fs[o + o11];
        if (score > best) {
          best = score;
          part = k;
        }
      }
      if (part === 0) continue;
      const p = row * box.width + col;
      const o = part * plane;
      labels[p] = part;
      u[p] =
        w00 * head.u[o + o00] +
        w01 * head.u[o + o01] +
        w10 * head.u[o + o10] +
        w11 * head.u[o + o11];
      v[p] =
        w00 * head.v[o + o00] +
        w01 * head.v[o + o01] +
        w10 * head.v[o + o10] +
        w11 * head.v[o + o11];
    }
  }
  return { box, labels, u, v };
}

async function headOutput(
  session: ModelSession,
  outputs: Record<string, ModelTensor>,
): Promise<DensePoseHeadOutput> {
  const planes: Float32Array[] = [];
  let outHeight = 0;
  let outWidth = 0;
  for (const name of DENSEPOSE_OUTPUTS) {
    const tensor = outputs[name];
    if (!tensor) throw new NodeError(`${session.modelId} returned no "${name}" output`);
    const data = await tensor.getData();
    const dims = tensor.dims;
    tensor.dispose();
    const channels = name === "coarse_segm" ? 2 : FINE_CHANNELS;
    outHeight ||= dims[2];
    outWidth ||= dims[3];
    const ok =
      data instanceof Float32Array &&
      dims.length === 4 &&
      dims[0] === 1 &&
      dims[1] === channels &&
      dims[2] === outHeight &&
      dims[3] === outWidth &&
      outHeight > 0 &&
      outWidth > 0;
    if (!ok) {
      throw new NodeError(
        `${session.modelId} returned "${name}" as ${tensor.type} [${dims.join(", ")}]; expected float32 [1, ${channels}, ${outHeight}, ${outWidth}]`,
      );
    }
    planes.push(data);
  }
  const [fineSegm, u, v, coarseSegm] = planes;
  return { fineSegm, u, v, coarseSegm, outWidth, outHeight };
}

export interface DensePoseRunOptions {
  readonly signal: AbortSignal;
  readonly tensor: NodeContext["tensor"];
  /** Called before each person with its index and the count. */
  readonly onPerson?: (index: number, count: number) => void;
  /** Default "bgr" (the contract); see cropForDensePose. */
  readonly channelOrder?: "bgr" | "rgb";
}

/** Where the backbone ran: on the whole photo as detectron2 does, or on the person's crop. */
export type DensePosePath = "whole photo" | "crop";

export interface DensePoseRun {
  readonly instances: DensePoseInstance[];
  /** Null when no box met the photo (nothing ran). */
  readonly path: DensePosePath | null;
  /** Why the crop path ran: the whole photo's run failed with this message. */
  readonly fallback?: string;
}

/**
 * Runs DensePose on each box, in order, on the whole photo at test scale with the box pooled from
 * its features; boxes that miss the photo are skipped. When the whole photo's run fails (a device
 * that cannot hold it), that box and the rest run on their crops, and the reason is returned.
 */
export async function runDensePose(
  image: RgbaImage,
  boxes: readonly { x1: number; y1: number; x2: number; y2: number }[],
  session: ModelSession,
  options: DensePoseRunOptions,
): Promise<DensePoseRun> {
  const instances: DensePoseInstance[] = [];
  let whole: DensePoseWholePhoto | null = null;
  let fallback: string | undefined;
  let path: DensePosePath | null = null;
  const run = async (tensor: Float32Array, width: number, height: number, roi: Float32Array) => {
    const feeds = {
      [DENSEPOSE_INPUT]: options.tensor("float32", tensor, [1, 3, height, width]),
      [DENSEPOSE_BOX_INPUT]: options.tensor("float32", roi, [1, 4]),
    };
    return session.run(feeds);
  };
  for (const [i, detection] of boxes.entries()) {
    if (options.signal.aborted) throw new CancelledError();
    options.onPerson?.(i, boxes.length);
    const box = personBox(detection, image.width, image.height);
    if (!box) continue;
    let outputs: Record<string, ModelTensor> | null = null;
    if (fallback === undefined) {
      whole ??= wholePhotoForDensePose(image, options.channelOrder, options.signal);
      const roi = scaledRoi(detection, image.width, image.height, whole.width, whole.height);
      if (roi) {
        try {
          outputs = await run(whole.tensor, whole.width, whole.height, roi);
          path = "whole photo";
        } catch (err) {
          if (err instanceof CancelledError || options.signal.aborted) throw err;
          fallback = err instanceof Error ? err.message : String(err);
        }
      }
    }
    if (outputs) {
      // detectron2's converter resizes the head's output onto the whole-pixel box itself.
      instances.push(decodeDensePose(await headOutput(session, outputs), box, box));
      continue;
    }
    const crop = cropForDensePose(image, box, options.channelOrder);
    const roi = new Float32Array([0, 0, crop.width, crop.height]);
    outputs = await run(crop.tensor, crop.width, crop.height, roi);
    path = "crop";
    instances.push(decodeDensePose(await headOutput(session, outputs), crop.region, box));
  }
  if (options.signal.aborted) throw new CancelledError();
  return { instances, path, ...(fallback === undefined ? {} : { fallback }) };
}

/**
 * Which instance (in detection order, best score first) Leffa's image in `encoding` shows, or -1
 * with none. Leffa draws one person per image (leffa_utils/densepose_predictor.py):
 * - VITON-HD (`predict_seg`): the visualiser it uses, DensePoseResultsFineSegmentationVisualizer,
 *   has inplace=False, and its MatrixVisualizer then runs `image_target_bgr *= 0` on the canvas
 *   itself before each instance, so only the last instance drawn survives (the lowest score);
 * - DressCode and pose transfer (`predict_iuv`): `outputs[0][0]`, the first instance.
 */
export function keptInstance(count: number, encoding: DensePoseEncoding): number {
  if (count <= 0) return -1;
  return encoding === "viton_hd" ? count - 1 : 0;
}

/**
 * The detector box whose DensePose Leffa's image in `encoding` would show, with its index in
 * `boxes`, among the boxes that meet the photo (detectron2's boxes always do); null with none.
 * Only this box needs the network.
 */
export function keptBox<B extends { x1: number; y1: number; x2: number; y2: number }>(
  boxes: readonly B[],
  width: number,
  height: number,
  encoding: DensePoseEncoding,
): { index: number; box: B } | null {
  const meeting = boxes.flatMap((box, index) =>
    personBox(box, width, height) ? [{ index, box }] : [],
  );
  return meeting[keptInstance(meeting.length, encoding)] ?? null;
}

/** For the node's text: which person Leffa's image in `encoding` keeps, and why. */
export function keptInstanceRule(encoding: DensePoseEncoding): string {
  return encoding === "viton_hd"
    ? "the last (lowest score): Leffa's visualiser clears the canvas before each person"
    : "the first (best score): Leffa reads outputs[0][0]";
}

/**
 * The DensePose image in one of Leffa's encodings, holding the one instance Leffa keeps (see
 * keptInstance) on a black background. No instance gives an all-background image.
 */
export function renderDensePose(
  instances: readonly DensePoseInstance[],
  width: number,
  height: number,
  encoding: DensePoseEncoding,
): RgbaImage {
  const kept = instances[keptInstance(instances.length, encoding)];
  if (encoding === "pose_transfer") {
    if (!kept) return renderDressCode(new Uint8Array(width * height), width, height);
    return renderPoseTransferIuv(kept.labels, kept.u, kept.v, kept.box, width, height);
  }
  const parts = kept
    ? pasteBox(kept.labels, kept.box, width, height)
    : new Uint8Array(width * height);
  return encoding === "viton_hd"
    ? renderVitonHd(parts, width, height)
    : renderDressCode(parts, width, height);
}
