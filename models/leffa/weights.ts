import type { Checkpoint } from "../checkpoints";

/**
 * Where the graph builders get their weights: diffusers state-dict keys without the `vae.` /
 * `unet.` / `unet_encoder.` prefix, torch layouts (Linear [out, in], Conv2d [out, in, kh, kw]).
 * The builders only ask for shapes while building; values are read when the model is written
 * (lazy initializers), one tensor at a time, through `readAsync` when the source has it.
 */
export interface WeightSource {
  shape(key: string): readonly number[];
  read(key: string): Float32Array;
  /** Asynchronous read (a checkpoint on disk); preferred over `read` when present. */
  readAsync?(key: string): Promise<Float32Array>;
  /**
   * The raw IEEE half bits when the tensor is stored as float16 (undefined otherwise): lets an
   * fp16 conversion of an fp16 checkpoint copy bits instead of converting twice.
   */
  readFloat16Bits?(key: string): Promise<Uint16Array | undefined>;
}

/** A missing key: the message names it so a wrong checkpoint is easy to diagnose. */
export class MissingWeightError extends Error {
  constructor(readonly key: string) {
    super(`weight "${key}" is missing`);
    this.name = "MissingWeightError";
  }
}

/** Weights held in memory, e.g. random test weights or the float64 reference's map. */
export function weightsFromMap(
  map: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array | Float64Array }>,
): WeightSource {
  const get = (key: string) => {
    const entry = map.get(key);
    if (!entry) throw new MissingWeightError(key);
    return entry;
  };
  return {
    shape: (key) => get(key).shape,
    read: (key) => {
      const { data } = get(key);
      return data instanceof Float32Array ? data : Float32Array.from(data);
    },
  };
}

/**
 * The tensors of an open checkpoint under `prefix` (e.g. "unet."), read from disk on demand.
 * Only asynchronous reads are possible: `read` throws.
 */
export function weightsFromCheckpoint(checkpoint: Checkpoint, prefix: string): WeightSource {
  const get = (key: string) => {
    const info = checkpoint.get(prefix + key);
    if (!info) throw new MissingWeightError(prefix + key);
    return info;
  };
  return {
    shape: (key) => get(key).shape,
    read: (key) => {
      throw new Error(`weight "${prefix}${key}" lives on disk: read it with readAsync`);
    },
    readAsync: (key) => get(key).readFloat32(),
    readFloat16Bits: async (key) => {
      const info = get(key);
      if (info.dtype !== "float16") return undefined;
      const raw = await info.readRaw();
      // Copy when misaligned: a Uint16Array view needs an even byte offset.
      const bytes = raw.byteOffset % 2 === 0 ? raw : new Uint8Array(raw);
      return new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
    },
  };
}
