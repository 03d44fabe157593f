/** Small 0/1 mask helpers shared by the HD and DC rules (nonzero input = set). */

export function orInto(target: Uint8Array, other: Uint8Array): void {
  for (let i = 0; i < target.length; i++) if (other[i] !== 0) target[i] = 1;
}

export function andNot(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] !== 0 && b[i] === 0 ? 1 : 0;
  return out;
}

/**
 * The last step both rules share: keep = (changeable ∧ ¬garment) ∨ fixed; the inpainting mask
 * is its complement, as 0/255.
 */
export function inpaintMask(
  changeable: Uint8Array,
  garment: Uint8Array,
  fixed: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(changeable.length);
  for (let i = 0; i < out.length; i++) {
    const keep = (changeable[i] !== 0 && garment[i] === 0) || fixed[i] !== 0;
    out[i] = keep ? 0 : 255;
  }
  return out;
}
