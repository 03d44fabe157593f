import { NodeError, type ModelSession, type ModelTensor, type TensorType } from "../../core/types";
import { floatsToHalfBits, halfBitsToFloats } from "./half";

/**
 * The Leffa graphs come as fp16 (the default conversion) or fp32 (`--dtype fp32`, for GPUs
 * without fp16 shaders); the manifest accepts both. These helpers feed each session in the dtype
 * its model declares and read outputs of either dtype.
 */
export type FloatType = "float16" | "float32";

export type MakeTensor = (
  type: TensorType,
  data: ArrayBufferView,
  dims: readonly number[],
) => ModelTensor;

/** The dtype `session` takes for input `name`: the contract's float16 unless it says float32. */
export function inputFloatType(session: ModelSession, name: string): FloatType {
  return session.inputTypes?.[name] === "float32" ? "float32" : "float16";
}

/** A tensor of `type` holding `values` (converted to half bits for float16). */
export function floatTensor(
  tensor: MakeTensor,
  type: FloatType,
  values: Float32Array,
  dims: readonly number[],
): ModelTensor {
  return type === "float32"
    ? tensor("float32", values, dims)
    : tensor("float16", floatsToHalfBits(values), dims);
}

/**
 * A float16 (or float32) model output as float32: Uint16Array bits, or a Float16Array where the
 * engine has one. Written into `out` when given and of the right length.
 */
export async function readFloats(
  tensor: ModelTensor,
  what: string,
  out?: Float32Array,
): Promise<Float32Array> {
  const data = await tensor.getData();
  if (data instanceof Uint16Array) {
    return halfBitsToFloats(data, out?.length === data.length ? out : undefined);
  }
  if (data instanceof Float32Array) return data;
  // A Float16Array (Chromium has one): the typed-array constructor converts natively, where
  // Float32Array.from would walk an iterator element by element.
  if (ArrayBuffer.isView(data)) return new Float32Array(data as unknown as ArrayLike<number>);
  throw new NodeError(`${what}: the model returned no numeric data`);
}

/** A model output as half bits. */
export async function readHalf(tensor: ModelTensor): Promise<Uint16Array> {
  const data = await tensor.getData();
  if (data instanceof Uint16Array) return data;
  // A Float16Array holds the same half bits: reinterpret its bytes instead of converting 17 M
  // values per step at 512×384 through float32 and back.
  if (
    ArrayBuffer.isView(data) &&
    (data as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT === 2
  ) {
    return new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
  }
  return floatsToHalfBits(new Float32Array(data as ArrayLike<number>));
}

/** A model output's values in `type`: half bits for float16, float32 values for float32. */
export async function readAs(
  tensor: ModelTensor,
  type: FloatType,
  what: string,
): Promise<Uint16Array | Float32Array> {
  return type === "float16" ? readHalf(tensor) : readFloats(tensor, what);
}

/** An output's dtype as a FloatType; anything else is not a feature the loop can pass on. */
export function outputFloatType(tensor: ModelTensor, what: string): FloatType {
  if (tensor.type === "float16" || tensor.type === "float32") return tensor.type;
  throw new NodeError(`${what} is ${tensor.type}, expected float16 or float32`);
}

/** `values` twice, end to end: a batch of two identical items (the CFG pair's shared inputs). */
export function repeatTwice(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length * 2);
  out.set(values);
  out.set(values, values.length);
  return out;
}
