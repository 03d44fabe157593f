/**
 * SCHP's whole-image affine fit: the image is scaled uniformly so its longer side spans the S×S
 * input exactly and centred on the other axis (SCHP's `_box2cs` on the box [0, 0, w − 1, h − 1]
 * with aspect 1, then `get_affine_transform` with no rotation). Coordinates are pixel centres, so
 * the first and last pixels of the long side land on 0 and S − 1.
 */

/** A 2×3 affine matrix [a, b, c, d, e, f]: x' = a·x + b·y + c, y' = d·x + e·y + f. */
export type Affine = readonly [number, number, number, number, number, number];

/** The matrix taking image pixel coordinates (width × height) into the size × size input. */
export function schpFitMatrix(width: number, height: number, size: number): Affine {
  if (width < 2 || height < 2 || size < 2) {
    throw new Error(`SCHP needs images of at least 2×2 px, got ${width}×${height} into ${size}`);
  }
  // The box is widened or heightened to a square around the centre; only its width matters.
  const box = Math.max(width - 1, height - 1);
  const k = (size - 1) / box;
  const half = (size - 1) / 2;
  return [k, 0, half - k * ((width - 1) / 2), 0, k, half - k * ((height - 1) / 2)];
}

export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (det === 0) throw new Error("the affine matrix is singular");
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

export function applyAffine(m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}
