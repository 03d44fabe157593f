/**
 * A no-reference sharpness measure: the variance of the 4-neighbour Laplacian of the luma.
 *
 * Why this one: the Laplacian is a second derivative, so it responds to exactly the fine detail an
 * interpolating resize (bicubic) smooths away and a super-resolution network tries to restore; it
 * has no threshold or window to tune, it is the standard "focus measure" (Pech-Pacheco et al.,
 * 2000), and its scale is that of the pixel values, so two images of the same size and range
 * compare directly. Its weakness is that noise also scores as "sharp": callers pair it with a
 * closeness check against a plain resize so a noisy result cannot pass as a sharp one.
 */

/** A single-channel image, row-major. */
export interface Gray {
  readonly width: number;
  readonly height: number;
  readonly data: ArrayLike<number>;
}

/** Rec. 601 luma of a planar RGB image (R plane, then G, then B), as in an NCHW tensor. */
export function lumaFromPlanarRgb(planar: ArrayLike<number>, width: number, height: number): Gray {
  const plane = width * height;
  if (planar.length !== 3 * plane) {
    throw new Error(`lumaFromPlanarRgb: ${planar.length} values for 3×${height}×${width}`);
  }
  const data = new Float64Array(plane);
  for (let i = 0; i < plane; i++) {
    data[i] = 0.299 * planar[i] + 0.587 * planar[plane + i] + 0.114 * planar[2 * plane + i];
  }
  return { width, height, data };
}

/** Variance of the Laplacian over the interior pixels (borders have no full neighbourhood). */
export function laplacianVariance(image: Gray): number {
  const { width, height, data } = image;
  if (width < 3 || height < 3)
    throw new Error(`laplacianVariance: ${width}×${height} is below 3×3`);
  let sum = 0;
  let sumSquares = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const lap = data[i - 1] + data[i + 1] + data[i - width] + data[i + width] - 4 * data[i];
      sum += lap;
      sumSquares += lap * lap;
    }
  }
  const n = (width - 2) * (height - 2);
  const mean = sum / n;
  return sumSquares / n - mean * mean;
}
