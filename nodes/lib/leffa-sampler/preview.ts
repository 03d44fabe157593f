import { createImage, type RgbaImage } from "../../core/image";

/**
 * A cheap live preview of a latent: instead of running the VAE decoder (tens of ms to seconds),
 * each latent pixel's 4 channels are mapped to RGB by a fixed linear map plus bias. SD1.5's VAE
 * latent space is close to linear in colour at this scale: channel 0 tracks luminance, channels 1–3
 * chroma. The coefficients are the least-squares fit of decoded RGB in [-1, 1] against scaled
 * latents (× 0.18215) that the community's previewers (ComfyUI among them) publish for SD1.5; the
 * result is a blurry, 8× smaller image whose colours and layout match the final decode well
 * enough to watch the garment take shape.
 */
const LATENT_TO_RGB: readonly (readonly [number, number, number])[] = [
  [0.3512, 0.2297, 0.3227],
  [0.325, 0.4974, 0.235],
  [-0.2829, 0.1762, 0.2721],
  [-0.212, -0.2616, -0.7177],
];
/** The fit has no offset worth keeping: a zero latent decodes to mid-grey. */
const BIAS: readonly [number, number, number] = [0, 0, 0];

/** A [4, h, w] planar latent as an RGBA image of w × h. */
export function latentPreview(latent: Float32Array, width: number, height: number): RgbaImage {
  const plane = width * height;
  if (latent.length !== 4 * plane) {
    throw new Error(`a 4×${height}×${width} latent has ${4 * plane} values, got ${latent.length}`);
  }
  const out = createImage(width, height);
  const d = out.data;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      let v = BIAS[c];
      for (let k = 0; k < 4; k++) v += latent[k * plane + i] * LATENT_TO_RGB[k][c];
      // [-1, 1] → [0, 255]; Uint8ClampedArray clamps and rounds.
      d[i * 4 + c] = (v + 1) * 127.5;
    }
    d[i * 4 + 3] = 255;
  }
  return out;
}
