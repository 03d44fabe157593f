/**
 * Strided views: a torch tensor is (storage, offset, shape, stride). Most checkpoint tensors are
 * C-contiguous and read straight from disk; the rest (a saved transpose, an expanded view) are
 * gathered into C order from the span of storage they cover.
 */

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = step;
    step *= shape[i];
  }
  return strides;
}

/** Row-major with no gaps; a dimension of size 1 may carry any stride (torch leaves them loose). */
export function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  if (shape.some((d) => d === 0)) return true;
  const expected = contiguousStrides(shape);
  return shape.every((d, i) => d === 1 || stride[i] === expected[i]);
}

/** Elements of storage from the view's first element to its last, inclusive; 0 for an empty view. */
export function stridedSpan(shape: readonly number[], stride: readonly number[]): number {
  if (shape.some((d) => d === 0)) return 0;
  return 1 + shape.reduce((last, d, i) => last + (d - 1) * stride[i], 0);
}

/** Copies the view's elements out of `span` (which starts at the view's offset) in C order. */
export function gatherStrided(
  span: Uint8Array,
  elementBytes: number,
  shape: readonly number[],
  stride: readonly number[],
): Uint8Array {
  const count = shape.reduce((n, d) => n * d, 1);
  const out = new Uint8Array(count * elementBytes);
  if (count === 0) return out;
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let source = 0;
  for (let k = 0; k < count; k++) {
    out.set(span.subarray(source * elementBytes, (source + 1) * elementBytes), k * elementBytes);
    // Odometer increment over the index, moving `source` by the strides as digits roll over.
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]++;
      source += stride[axis];
      if (index[axis] < shape[axis]) break;
      source -= stride[axis] * shape[axis];
      index[axis] = 0;
    }
  }
  return out;
}
