/**
 * Where large initializers go in an ONNX external data file. Offsets are aligned (a page by
 * default) so a runtime may map the file and hand out each tensor in place; tensors keep their
 * graph order so the same graph always gives the same file.
 */
export interface ExternalPlacement {
  readonly offset: number;
  readonly length: number;
}

export interface ExternalDataLayout {
  /** Per initializer, in graph order: its place in the data file, or null when kept inline. */
  readonly placements: readonly (ExternalPlacement | null)[];
  /** The data file's size: the end of the last placed tensor (no trailing padding). */
  readonly byteLength: number;
}

export function layoutExternalData(
  sizes: readonly number[],
  threshold: number,
  alignment: number,
): ExternalDataLayout {
  if (!Number.isInteger(alignment) || alignment < 1) {
    throw new Error(`external data alignment must be a positive integer, got ${alignment}`);
  }
  if (!(threshold >= 0)) throw new Error(`external data threshold must be ≥ 0, got ${threshold}`);
  let end = 0;
  const placements = sizes.map((length) => {
    // Empty tensors stay inline: there is nothing to point at.
    if (length === 0 || length < threshold) return null;
    const offset = Math.ceil(end / alignment) * alignment;
    end = offset + length;
    return { offset, length };
  });
  return { placements, byteLength: end };
}
