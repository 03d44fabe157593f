// Float64 tensors and weight look-up for the plain-loop reference of Leffa's UNets and VAE.
// Images are NCHW, token sequences are [B, N, C], everything row-major like torch.

export interface F64Tensor {
  shape: number[];
  data: Float64Array;
}

/** Diffusers state-dict keys without the `vae.` / `unet.` / `unet_encoder.` prefix. */
export type Weights = ReadonlyMap<string, { shape: readonly number[]; data: Float64Array }>;

export interface Param {
  shape: readonly number[];
  data: Float64Array;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

export function zeros(shape: number[]): F64Tensor {
  return { shape: [...shape], data: new Float64Array(numel(shape)) };
}

export function fromArray(shape: number[], values: ArrayLike<number>): F64Tensor {
  if (values.length !== numel(shape)) {
    throw new Error(`${values.length} values do not fill shape [${shape.join(", ")}]`);
  }
  return { shape: [...shape], data: Float64Array.from(values) };
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** A weight by key, with its shape checked when `expected` is given (-1 matches any size). */
export function param(w: Weights, key: string, expected?: readonly number[]): Param {
  const p = w.get(key);
  if (!p) throw new Error(`missing weight "${key}"`);
  if (p.data.length !== numel(p.shape)) {
    throw new Error(`weight "${key}": ${p.data.length} values for shape [${p.shape.join(", ")}]`);
  }
  if (
    expected &&
    (p.shape.length !== expected.length || expected.some((d, i) => d !== -1 && d !== p.shape[i]))
  ) {
    throw new Error(
      `weight "${key}" has shape [${p.shape.join(", ")}], expected [${expected.join(", ")}]`,
    );
  }
  return p;
}

export function assertShape(x: F64Tensor, expected: readonly number[], what: string): void {
  if (!sameShape(x.shape, expected)) {
    throw new Error(`${what}: shape [${x.shape.join(", ")}], expected [${expected.join(", ")}]`);
  }
}

export function map(x: F64Tensor, f: (v: number) => number): F64Tensor {
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(x.data[i]);
  return { shape: [...x.shape], data: out };
}

/** Element-wise a + b for tensors of identical shape (residual connections). */
export function add(a: F64Tensor, b: F64Tensor): F64Tensor {
  assertShape(b, a.shape, "add");
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = a.data[i] + b.data[i];
  return { shape: [...a.shape], data: out };
}

/** Concatenation along axis 1: channels of NCHW tensors, or tokens of [B, N, C] sequences. */
export function concatAxis1(parts: F64Tensor[]): F64Tensor {
  const [first] = parts;
  const rank = first.shape.length;
  const inner = numel(first.shape.slice(2));
  for (const p of parts) {
    if (
      p.shape.length !== rank ||
      p.shape[0] !== first.shape[0] ||
      numel(p.shape.slice(2)) !== inner
    )
      throw new Error(
        `cannot concatenate [${p.shape.join(", ")}] with [${first.shape.join(", ")}] on axis 1`,
      );
  }
  const batch = first.shape[0];
  const total = parts.reduce((n, p) => n + p.shape[1], 0);
  const out = zeros([batch, total, ...first.shape.slice(2)]);
  let offset = 0;
  for (const p of parts) {
    const block = p.shape[1] * inner;
    for (let b = 0; b < batch; b++) {
      out.data.set(p.data.subarray(b * block, (b + 1) * block), (b * total + offset) * inner);
    }
    offset += p.shape[1];
  }
  return out;
}

/** Rows [start, end) of axis 1 (the first latent channels, the first N tokens). */
export function sliceAxis1(x: F64Tensor, start: number, end: number): F64Tensor {
  const inner = numel(x.shape.slice(2));
  const [batch, size] = x.shape;
  const out = zeros([batch, end - start, ...x.shape.slice(2)]);
  for (let b = 0; b < batch; b++) {
    out.data.set(
      x.data.subarray((b * size + start) * inner, (b * size + end) * inner),
      b * (end - start) * inner,
    );
  }
  return out;
}

/** Batch element `b` of x, kept as a batch of one ([1, …]). */
export function batchElement(x: F64Tensor, b: number): F64Tensor {
  const [batch, ...rest] = x.shape;
  if (!Number.isInteger(b) || b < 0 || b >= batch) {
    throw new Error(`batch element ${b} of a batch of ${batch}`);
  }
  const size = numel(rest);
  return { shape: [1, ...rest], data: x.data.slice(b * size, (b + 1) * size) };
}

/** NCHW → [B, H·W, C]: tokens run over rows, then columns, as torch's permute + reshape. */
export function toTokens(x: F64Tensor): F64Tensor {
  const [batch, channels, height, width] = x.shape;
  const hw = height * width;
  const out = zeros([batch, hw, channels]);
  for (let b = 0; b < batch; b++)
    for (let c = 0; c < channels; c++)
      for (let p = 0; p < hw; p++)
        out.data[(b * hw + p) * channels + c] = x.data[(b * channels + c) * hw + p];
  return out;
}

/** [B, H·W, C] → NCHW, the inverse of `toTokens`. */
export function fromTokens(x: F64Tensor, height: number, width: number): F64Tensor {
  const [batch, hw, channels] = x.shape;
  if (hw !== height * width) throw new Error(`${hw} tokens do not form a ${height}×${width} map`);
  const out = zeros([batch, channels, height, width]);
  for (let b = 0; b < batch; b++)
    for (let c = 0; c < channels; c++)
      for (let p = 0; p < hw; p++)
        out.data[(b * channels + c) * hw + p] = x.data[(b * hw + p) * channels + c];
  return out;
}
