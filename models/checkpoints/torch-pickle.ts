/**
 * What torch.save puts in its pickle, read without torch: the allow-listed globals a state dict
 * uses, storages from persistent ids, tensors from `_rebuild_tensor_v2`, and the walk that turns
 * nested dicts into dotted tensor names. Shared by the zip format and the legacy (pre-1.6) one.
 */
import { namedLeaves } from "./named-leaves";
import { orderedDictFromArgs } from "./pickle";
import { gatherStrided, isContiguous, stridedSpan } from "./strided";
import { toFloat32 } from "./to-float32";
import { BYTES_PER_ELEMENT, elementCount, type DType, type TensorInfo } from "./types";

/** A `torch.*Storage` class named by a persistent id; it is never instantiated. */
export class TorchStorageType {
  constructor(
    readonly qualifiedName: string,
    readonly dtype: DType,
  ) {}
}

/** One storage of the checkpoint: `numel` elements of `dtype`, starting `elementOffset` into the
 * bytes saved under `key` (non-zero only for the legacy format's storage views). */
export class TorchStorage {
  constructor(
    readonly key: string,
    readonly dtype: DType,
    readonly numel: number,
    readonly elementOffset = 0,
  ) {}
}

export class TorchTensor {
  constructor(
    readonly storage: TorchStorage,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {}
}

/** A marker for classes that are referenced by the pickle but only passed around, never built. */
class TorchMarker {
  constructor(readonly qualifiedName: string) {}
}

const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: "float32",
  HalfStorage: "float16",
  BFloat16Storage: "bfloat16",
  DoubleStorage: "float64",
  LongStorage: "int64",
  IntStorage: "int32",
  ByteStorage: "uint8",
  BoolStorage: "bool",
  // Untyped storages count bytes; a tensor on one is read as uint8.
  UntypedStorage: "uint8",
};

function naturals(value: unknown, what: string): number[] {
  if (!Array.isArray(value) || !value.every((v) => Number.isSafeInteger(v) && (v as number) >= 0)) {
    throw new Error(`${what} is not a tuple of non-negative integers`);
  }
  return value as number[];
}

function rebuildTensor(
  storage: unknown,
  offset: unknown,
  size: unknown,
  stride: unknown,
): TorchTensor {
  if (!(storage instanceof TorchStorage)) throw new Error("the first argument is not a storage");
  if (!Number.isSafeInteger(offset) || (offset as number) < 0)
    throw new Error("bad storage offset");
  const shape = naturals(size, "size");
  const strides = naturals(stride, "stride");
  if (shape.length !== strides.length)
    throw new Error(`size has ${shape.length} dims, stride ${strides.length}`);
  const end = (offset as number) + stridedSpan(shape, strides);
  if (end > storage.numel) {
    throw new Error(
      `a tensor of size [${shape}] at offset ${offset as number} reaches element ${end} ` +
        `of storage "${storage.key}", which holds ${storage.numel}`,
    );
  }
  return new TorchTensor(storage, offset as number, shape, strides);
}

export function torchGlobals(): Record<string, unknown> {
  const globals: Record<string, unknown> = {
    "collections.OrderedDict": orderedDictFromArgs,
    "builtins.set": (items: unknown) => new Set(Array.isArray(items) ? items : []),
    "__builtin__.set": (items: unknown) => new Set(Array.isArray(items) ? items : []),
    "torch._utils._rebuild_tensor_v2": rebuildTensor,
    // A Parameter is its data tensor; requires_grad and hooks do not matter for weights.
    "torch._utils._rebuild_parameter": (data: unknown) => data,
    "torch._utils._rebuild_parameter_with_state": (data: unknown) => data,
    "torch._tensor._rebuild_from_type_v2": (fn: unknown, _type: unknown, args: unknown) => {
      if (typeof fn !== "function" || !Array.isArray(args)) throw new Error("bad arguments");
      return fn(...args);
    },
    "torch.nn.parameter.Parameter": new TorchMarker("torch.nn.parameter.Parameter"),
    "torch.Tensor": new TorchMarker("torch.Tensor"),
    "torch.Size": (dims: unknown) => naturals(dims, "torch.Size"),
  };
  for (const [name, dtype] of Object.entries(STORAGE_DTYPES)) {
    globals[`torch.${name}`] = new TorchStorageType(`torch.${name}`, dtype);
    // Legacy checkpoints saved from a GPU name the CUDA storage classes.
    globals[`torch.cuda.${name}`] = new TorchStorageType(`torch.cuda.${name}`, dtype);
  }
  return globals;
}

/**
 * persistent_load for torch's ('storage', storage_type, key, location, numel[, view_metadata])
 * ids; one TorchStorage per key, as torch's loader caches them.
 */
export function storageLoader(
  loaded = new Map<string, TorchStorage>(),
): (pid: unknown) => TorchStorage {
  return (pid) => {
    if (!Array.isArray(pid) || pid[0] !== "storage") {
      const kind = Array.isArray(pid) ? String(pid[0]) : typeof pid;
      throw new Error(
        `persistent id of kind "${kind}" (only tensor storages are read; was a whole module saved?)`,
      );
    }
    const [, type, key, , numel, view] = pid as unknown[];
    if (!(type instanceof TorchStorageType))
      throw new Error("persistent id without a storage type");
    if (typeof key !== "string") throw new Error("persistent id without a storage key");
    if (!Number.isSafeInteger(numel) || (numel as number) < 0)
      throw new Error(`storage "${key}" has a bad size`);
    let root = loaded.get(key);
    if (!root) {
      root = new TorchStorage(key, type.dtype, numel as number);
      loaded.set(key, root);
    }
    if (view === undefined || view === null) return root;
    // Legacy storage views: (view_key, element offset, element count) into the root storage.
    const [viewKey, offset, size] = naturalsView(view);
    const cached = loaded.get(viewKey);
    if (cached) return cached;
    if (offset + size > root.numel)
      throw new Error(`storage view "${viewKey}" lies outside "${key}"`);
    const slice = new TorchStorage(key, type.dtype, size, offset);
    loaded.set(viewKey, slice);
    return slice;
  };
}

function naturalsView(view: unknown): [string, number, number] {
  if (!Array.isArray(view) || typeof view[0] !== "string")
    throw new Error("bad storage view metadata");
  const [offset, size] = naturals(view.slice(1), "storage view");
  return [view[0], offset, size];
}

/** Every tensor of the unpickled root, named by its dotted path of keys (see namedLeaves). */
export function findTensors(root: unknown): Array<[string, TorchTensor]> {
  return namedLeaves(root, (v): v is TorchTensor => v instanceof TorchTensor);
}

/** Reads `length` bytes starting `offset` bytes into the data saved under a storage key. */
export type StorageReader = (key: string, offset: number, length: number) => Promise<Uint8Array>;

export function torchTensorInfo(
  name: string,
  tensor: TorchTensor,
  read: StorageReader,
): TensorInfo {
  const { storage, shape, stride } = tensor;
  const elementBytes = BYTES_PER_ELEMENT[storage.dtype];
  const byteLength = elementCount(shape) * elementBytes;
  const start = (storage.elementOffset + tensor.offset) * elementBytes;
  const readRaw = async () => {
    if (isContiguous(shape, stride)) return read(storage.key, start, byteLength);
    // A strided view: read the storage it spans once, then gather into C order.
    const span = await read(storage.key, start, stridedSpan(shape, stride) * elementBytes);
    return gatherStrided(span, elementBytes, shape, stride);
  };
  return {
    name,
    dtype: storage.dtype,
    shape,
    byteLength,
    readRaw,
    readFloat32: async () => toFloat32(await readRaw(), storage.dtype),
  };
}

/** The bytes each storage must hold for its declared element count. */
export function storageByteLengths(
  tensors: ReadonlyArray<[string, TorchTensor]>,
): Map<string, number> {
  const needed = new Map<string, number>();
  for (const [, { storage }] of tensors) {
    const bytes = (storage.elementOffset + storage.numel) * BYTES_PER_ELEMENT[storage.dtype];
    needed.set(storage.key, Math.max(needed.get(storage.key) ?? 0, bytes));
  }
  return needed;
}
