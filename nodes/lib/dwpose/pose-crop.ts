import type { RgbaImage } from "../../core/image";
import { rgbOf } from "../opencv/rgba";
import { warpAffineU8, type AffineMatrix } from "../opencv/warp-affine";
import type { ChannelOrder } from "./letterbox";

/**
 * The DWPose (RTMPose) input for one person, as controlnet_aux `dw_onnx/cv_ox_pose.py preprocess`
 * builds it: the detector box grown by 1.25 around its centre, widened or heightened to the model's
 * 288:384 aspect, cut out with an affine warp (cv2.warpAffine, bilinear, black outside the photo)
 * and normalised with the ImageNet mean/std in 0..255 units, NCHW [1, 3, 384, 288].
 */

export const POSE_INPUT_WIDTH = 288;
export const POSE_INPUT_HEIGHT = 384;

/** mmpose's ImageNet statistics in 0..255 units, applied by tensor channel index. */
export const POSE_MEAN = [123.675, 116.28, 103.53] as const;
export const POSE_STD = [58.395, 57.12, 57.375] as const;

/** mmpose's default box padding for top-down pose models. */
export const POSE_BOX_PADDING = 1.25;

export interface CornerBox {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/**
 * Where a crop came from: the image region of size scaleWidth × scaleHeight centred on
 * (centerX, centerY) fills the whole model input. This is what SimCC decoding needs to map
 * keypoints back.
 */
export interface PoseCropTransform {
  readonly centerX: number;
  readonly centerY: number;
  readonly scaleWidth: number;
  readonly scaleHeight: number;
  readonly inputWidth: number;
  readonly inputHeight: number;
}

export interface PoseCropOptions {
  readonly inputWidth?: number;
  readonly inputHeight?: number;
  readonly padding?: number;
  /** Default "rgb" (controlnet_aux); see ChannelOrder. */
  readonly channelOrder?: ChannelOrder;
}

export interface PoseCrop {
  /** [1, 3, inputHeight, inputWidth], normalised. */
  readonly tensor: Float32Array;
  readonly transform: PoseCropTransform;
}

/** The whole photo as a box: the reference's fallback when it is given no boxes. */
export function wholeImageBox(width: number, height: number): CornerBox {
  return { x1: 0, y1: 0, x2: width, y2: height };
}

/**
 * Centre and padded size of a box, then widened or heightened (never shrunk) so that
 * width / height equals the model's aspect — mmpose's `bbox_xyxy2cs` + `_fix_aspect_ratio`.
 */
export function poseCropTransform(
  box: CornerBox,
  options: PoseCropOptions = {},
): PoseCropTransform {
  const inputWidth = options.inputWidth ?? POSE_INPUT_WIDTH;
  const inputHeight = options.inputHeight ?? POSE_INPUT_HEIGHT;
  const padding = options.padding ?? POSE_BOX_PADDING;
  const aspect = inputWidth / inputHeight;
  let w = (box.x2 - box.x1) * padding;
  let h = (box.y2 - box.y1) * padding;
  if (w > h * aspect) h = w / aspect;
  else w = h * aspect;
  return {
    centerX: (box.x1 + box.x2) / 2,
    centerY: (box.y1 + box.y2) / 2,
    scaleWidth: w,
    scaleHeight: h,
    inputWidth,
    inputHeight,
  };
}

/**
 * Image point → crop pixel. With no rotation, the reference's three-point `get_warp_matrix` reduces
 * to a uniform scale of inputWidth / scaleWidth about the box centre, which lands on the crop
 * centre (inputWidth/2, inputHeight/2) in cv2's integer-pixel coordinates.
 */
export function imageToCrop(t: PoseCropTransform, x: number, y: number): [number, number] {
  const s = t.inputWidth / t.scaleWidth;
  return [(x - t.centerX) * s + t.inputWidth / 2, (y - t.centerY) * s + t.inputHeight / 2];
}

/**
 * Crop pixel → image point: the inverse of `imageToCrop`. It equals the reference's keypoint
 * rescale `kp / input_size * scale + center - scale / 2`, because the fixed aspect makes
 * scaleHeight / inputHeight = scaleWidth / inputWidth.
 */
export function cropToImage(t: PoseCropTransform, u: number, v: number): [number, number] {
  return [
    (u / t.inputWidth) * t.scaleWidth + t.centerX - t.scaleWidth / 2,
    (v / t.inputHeight) * t.scaleHeight + t.centerY - t.scaleHeight / 2,
  ];
}

/** Builds the normalised pose-model input for one detector box. The image's alpha is ignored. */
export function cropPersonForPose(
  image: RgbaImage,
  box: CornerBox,
  options: PoseCropOptions = {},
): PoseCrop {
  const transform = poseCropTransform(box, options);
  const { inputWidth: w, inputHeight: h } = transform;
  const source = (options.channelOrder ?? "rgb") === "rgb" ? [0, 1, 2] : [2, 1, 0];
  const plane = w * h;
  const tensor = new Float32Array(3 * plane);
  // cv2.warpAffine (INTER_LINEAR, black border), OpenCV-exact on the 3-channel uint8 array:
  // each crop pixel's integer coordinate goes through the inverted matrix, cut to 1/32 pixel,
  // and a neighbour outside the photo counts as 0, so the photo's edge fades into black.
  const s = w / transform.scaleWidth;
  const matrix: AffineMatrix = [
    s,
    0,
    w / 2 - transform.centerX * s,
    0,
    s,
    h / 2 - transform.centerY * s,
  ];
  const crop = warpAffineU8(rgbOf(image), matrix, w, h).data;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      tensor[c * plane + i] = (crop[3 * i + source[c]] - POSE_MEAN[c]) / POSE_STD[c];
    }
  }
  return { tensor, transform };
}
