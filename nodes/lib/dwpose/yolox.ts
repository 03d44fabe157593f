/**
 * Decoding of the raw YOLOX output into person boxes, following controlnet_aux
 * `dw_onnx/cv_ox_det.py` (`demo_postprocess`, `multiclass_nms`, `inference_detector`).
 *
 * The model emits one row per anchor: [cx, cy, w, h, objectness, 80 class scores], with the
 * anchors of the stride-8, 16 and 32 grids concatenated in that order and each grid row-major.
 */

/** An axis-aligned box in image pixels (corners), with its detection score. */
export interface DetectionBox {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  readonly score: number;
}

export interface YoloxDecodeOptions {
  /** Side of the square detector input; default 640. */
  readonly inputSize?: number;
  /** Default [8, 16, 32] (YOLOX without the P6 level). */
  readonly strides?: readonly number[];
  /** Values per anchor: 4 box + objectness + classes; default 85 (COCO's 80 classes). */
  readonly valuesPerAnchor?: number;
  /** Class to keep; default 0 (COCO "person"). */
  readonly classId?: number;
  /** Candidates must score above this before NMS; default 0.1 as in the reference. */
  readonly candidateThreshold?: number;
  /** Boxes kept after NMS must score above this; default 0.3 as in the reference. */
  readonly keepThreshold?: number;
  /** Overlap (IoU) above which the lower-scored box is suppressed; default 0.45. */
  readonly iouThreshold?: number;
}

/** Number of anchors the grids produce: (size/s)² summed over the strides (8400 for 640). */
export function yoloxAnchorCount(
  inputSize = 640,
  strides: readonly number[] = [8, 16, 32],
): number {
  return strides.reduce((sum, s) => sum + Math.floor(inputSize / s) ** 2, 0);
}

/**
 * Intersection over union with the reference's inclusive-pixel convention (width = x2 − x1 + 1),
 * which the NMS threshold of 0.45 was tuned with.
 */
export function boxIou(a: DetectionBox, b: DetectionBox): number {
  const areaA = (a.x2 - a.x1 + 1) * (a.y2 - a.y1 + 1);
  const areaB = (b.x2 - b.x1 + 1) * (b.y2 - b.y1 + 1);
  const w = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1) + 1);
  const h = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1) + 1);
  const inter = w * h;
  return inter / (areaA + areaB - inter);
}

/**
 * Greedy single-class NMS: visit boxes by falling score, keep one, drop every remaining box that
 * overlaps it by more than `iouThreshold`. Ties keep their input order (the reference's numpy
 * argsort leaves that unspecified). Returns the kept boxes, best first.
 */
export function nonMaximumSuppression(
  boxes: readonly DetectionBox[],
  iouThreshold: number,
): DetectionBox[] {
  const order = boxes.map((_, i) => i).sort((i, j) => boxes[j].score - boxes[i].score || i - j);
  const suppressed = new Uint8Array(boxes.length);
  const kept: DetectionBox[] = [];
  for (let a = 0; a < order.length; a++) {
    const i = order[a];
    if (suppressed[i]) continue;
    kept.push(boxes[i]);
    for (let b = a + 1; b < order.length; b++) {
      const j = order[b];
      if (!suppressed[j] && boxIou(boxes[i], boxes[j]) > iouThreshold) suppressed[j] = 1;
    }
  }
  return kept;
}

/**
 * Person boxes in the original image from the detector's output[0] ([1, anchors, 85], flat).
 * `ratio` is the letterbox ratio; boxes are divided by it before NMS, as the reference does (so
 * the +1 pixel terms of the IoU apply at image scale). Boxes are not clipped to the image.
 */
export function decodeYoloxPersons(
  output: Float32Array,
  ratio: number,
  options: YoloxDecodeOptions = {},
): DetectionBox[] {
  const inputSize = options.inputSize ?? 640;
  const strides = options.strides ?? [8, 16, 32];
  const valuesPerAnchor = options.valuesPerAnchor ?? 85;
  const classId = options.classId ?? 0;
  const candidateThreshold = options.candidateThreshold ?? 0.1;
  const keepThreshold = options.keepThreshold ?? 0.3;
  const iouThreshold = options.iouThreshold ?? 0.45;
  const anchors = yoloxAnchorCount(inputSize, strides);
  if (output.length !== anchors * valuesPerAnchor) {
    throw new Error(
      `YOLOX output has ${output.length} values, expected ${anchors} anchors × ${valuesPerAnchor}`,
    );
  }
  if (classId < 0 || classId >= valuesPerAnchor - 5) throw new Error(`no class ${classId}`);
  if (!(ratio > 0)) throw new Error(`invalid letterbox ratio ${ratio}`);

  const candidates: DetectionBox[] = [];
  let anchor = 0;
  for (const stride of strides) {
    const cells = Math.floor(inputSize / stride);
    for (let gy = 0; gy < cells; gy++) {
      for (let gx = 0; gx < cells; gx++, anchor++) {
        const o = anchor * valuesPerAnchor;
        // Score first: exp() of the size is only worth computing for real candidates.
        const score = output[o + 4] * output[o + 5 + classId];
        if (!(score > candidateThreshold)) continue;
        const cx = (output[o] + gx) * stride;
        const cy = (output[o + 1] + gy) * stride;
        const w = Math.exp(output[o + 2]) * stride;
        const h = Math.exp(output[o + 3]) * stride;
        candidates.push({
          x1: (cx - w / 2) / ratio,
          y1: (cy - h / 2) / ratio,
          x2: (cx + w / 2) / ratio,
          y2: (cy + h / 2) / ratio,
          score,
        });
      }
    }
  }
  return nonMaximumSuppression(candidates, iouThreshold).filter((b) => b.score > keepThreshold);
}
