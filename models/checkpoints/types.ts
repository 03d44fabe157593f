/**
 * The shape every checkpoint reader hands out: a list of tensors known from metadata alone, each
 * read from disk only when asked, so that converting a multi-gigabyte checkpoint never holds more
 * than one tensor's bytes at a time.
 */

export const DTYPES = [
  "float32",
  "float16",
  "bfloat16",
  "float64",
  "int64",
  "int32",
  "uint8",
  "bool",
] as const;
export type DType = (typeof DTYPES)[number];

export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  uint8: 1,
  bool: 1,
};

export type CheckpointFormat = "pytorch-zip" | "pytorch-legacy" | "safetensors" | "pickle-numpy";

export interface TensorInfo {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Bytes of the tensor itself in `dtype`, C order (not of the storage it may share). */
  readonly byteLength: number;
  /** The values as float32; float16, bfloat16, float64 and integers are converted. */
  readFloat32(): Promise<Float32Array>;
  /** The values in their own dtype, little-endian, C order. */
  readRaw(): Promise<Uint8Array>;
}

export interface Checkpoint {
  readonly format: CheckpointFormat;
  readonly tensors: readonly TensorInfo[];
  get(name: string): TensorInfo | undefined;
  close(): Promise<void>;
}

/** A file that is not what it claims to be, or uses something we do not read. */
export class CheckpointError extends Error {
  constructor(
    readonly format: CheckpointFormat | "checkpoint",
    readonly file: string,
    detail: string,
  ) {
    super(`${format} ${file}: ${detail}`);
    this.name = "CheckpointError";
  }
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** A `Checkpoint` over a fixed list of tensors, with name lookup and duplicate detection. */
export function checkpointOf(
  format: CheckpointFormat,
  file: string,
  tensors: readonly TensorInfo[],
  close: () => Promise<void>,
): Checkpoint {
  const byName = new Map<string, TensorInfo>();
  for (const t of tensors) {
    if (byName.has(t.name))
      throw new CheckpointError(format, file, `tensor "${t.name}" appears twice`);
    byName.set(t.name, t);
  }
  return { format, tensors, get: (name) => byName.get(name), close };
}
