import { createImage, type RgbaImage } from "../../core/image";

/**
 * A cheap live preview of a latent: instead of running the VAE decoder (tens of ms to seconds),
 * each latent pixel's 4 channels are mapped to RGB by a fixed linear map plus bias. The SD VAEs'
 * latent spaces are close to linear in colour at this scale. The coefficients are the
 * least-squares fits of decoded RGB in [-1, 1] against scaled latents that the community's
 * previewers (ComfyUI among them) publish: one for SD1.5 (× 0.18215, no offset worth keeping),
 * one for SDXL (× 0.13025, with an offset). The result is a blurry, 8× smaller image whose colours
 * and layout match the final decode well enough to watch the image take shape.
 */
interface LatentToRgb {
  readonly weights: readonly (readonly [number, number, number])[];
  readonly bias: readonly [number, number, number];
}

const LATENT_TO_RGB: Record<"SD1.5" | "SDXL", LatentToRgb> = {
  "SD1.5": {
    weights: [
      [0.3512, 0.2297, 0.3227],
      [0.325, 0.4974, 0.235],
      [-0.2829, 0.1762, 0.2721],
      [-0.212, -0.2616, -0.7177],
    ],
    bias: [0, 0, 0],
  },
  SDXL: {
    weights: [
      [0.3651, 0.4232, 0.4341],
      [-0.2533, -0.0042, 0.1068],
      [0.1076, 0.1111, -0.0362],
      [-0.3165, -0.2492, -0.2188],
    ],
    bias: [0.1084, -0.0175, -0.0011],
  },
};

/** A [4, h, w] planar latent of `base`'s VAE as an RGBA image of w × h. */
export function latentPreview(
  latent: Float32Array,
  width: number,
  height: number,
  base: "SD1.5" | "SDXL",
): RgbaImage {
  const { weights, bias } = LATENT_TO_RGB[base];
  const plane = width * height;
  if (latent.length !== 4 * plane) {
    throw new Error(`a 4×${height}×${width} latent has ${4 * plane} values, got ${latent.length}`);
  }
  const out = createImage(width, height);
  const d = out.data;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      let v = bias[c];
      for (let k = 0; k < 4; k++) v += latent[k * plane + i] * weights[k][c];
      // [-1, 1] → [0, 255]; Uint8ClampedArray clamps and rounds.
      d[i * 4 + c] = (v + 1) * 127.5;
    }
    d[i * 4 + 3] = 255;
  }
  return out;
}
