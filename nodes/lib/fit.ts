import type { SourceRect } from "./resample";

/**
 * Geometry of the Resize modes, separate from the pixels so the image and its mask follow
 * exactly the same plan.
 */
export type ResizeMode = "fit" | "fill" | "pad" | "stretch";

export const RESIZE_MODES: readonly ResizeMode[] = ["fit", "fill", "pad", "stretch"];

export interface ResizePlan {
  /** Size of the output. */
  readonly width: number;
  readonly height: number;
  /** The source region that is resampled… */
  readonly source: SourceRect;
  /** …to this size… */
  readonly scaledWidth: number;
  readonly scaledHeight: number;
  /** …and placed with its top-left here (non-zero only for "pad"). */
  readonly offsetX: number;
  readonly offsetY: number;
}

/**
 * fit: scale to fit inside width × height keeping the aspect ratio; the output is the scaled size.
 * fill: scale to cover width × height and crop the centre (sub-pixel exact: the source region is
 * fractional, so there is one resampling and no rounding of an intermediate size).
 * pad: fit, then centre on a width × height canvas (Leffa's 768 × 1024 white canvas).
 * stretch: width × height, ignoring the aspect ratio.
 */
export function planResize(
  srcWidth: number,
  srcHeight: number,
  width: number,
  height: number,
  mode: ResizeMode,
): ResizePlan {
  const whole = { x: 0, y: 0, width: srcWidth, height: srcHeight };
  switch (mode) {
    case "stretch":
      return plan(width, height, whole, width, height, 0, 0);
    case "fill": {
      const scale = Math.max(width / srcWidth, height / srcHeight);
      const w = Math.min(srcWidth, width / scale);
      const h = Math.min(srcHeight, height / scale);
      const source = { x: (srcWidth - w) / 2, y: (srcHeight - h) / 2, width: w, height: h };
      return plan(width, height, source, width, height, 0, 0);
    }
    case "fit":
    case "pad": {
      const scale = Math.min(width / srcWidth, height / srcHeight);
      // The limiting side lands exactly on the target; the other is rounded, at least 1 px.
      const w = Math.min(width, Math.max(1, Math.round(srcWidth * scale)));
      const h = Math.min(height, Math.max(1, Math.round(srcHeight * scale)));
      if (mode === "fit") return plan(w, h, whole, w, h, 0, 0);
      return plan(
        width,
        height,
        whole,
        w,
        h,
        Math.floor((width - w) / 2),
        Math.floor((height - h) / 2),
      );
    }
  }
}

function plan(
  width: number,
  height: number,
  source: SourceRect,
  scaledWidth: number,
  scaledHeight: number,
  offsetX: number,
  offsetY: number,
): ResizePlan {
  return { width, height, source, scaledWidth, scaledHeight, offsetX, offsetY };
}

/** The same region in the coordinates of a mask whose size differs from its image's. */
export function scaleRect(rect: SourceRect, sx: number, sy: number): SourceRect {
  return { x: rect.x * sx, y: rect.y * sy, width: rect.width * sx, height: rect.height * sy };
}
