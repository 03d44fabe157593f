/**
 * Pickles of numpy arrays, as detectron2 saves its model-zoo checkpoints (`model_final_*.pkl`:
 * {"model": {name: ndarray}, "__author__": …, "matching_heuristics": …}), written by Python 2 or 3
 * at protocol 2 (protocols 3–5 read too). An array is `_reconstruct(ndarray, (0,), b"b")` followed by BUILD with
 * (version, shape, dtype, is_fortran, raw bytes); a dtype is `dtype("f4", False, True)` followed
 * by BUILD with (3, "<", …). Raw bytes come as bytes, as `_codecs.encode(text, "latin1")` (Python 3
 * at protocol 2) or as a latin1 `str` (Python 2).
 *
 * The whole file is read into memory at open (a 255 MB DensePose checkpoint costs about that much,
 * plus one tensor at a time); the pickle format has no index to read arrays lazily from.
 */
import { readFile } from "node:fs/promises";
import { namedLeaves } from "./named-leaves";
import { unpickle, orderedDictFromArgs, type PickleStateful } from "./pickle";
import { contiguousStrides, gatherStrided } from "./strided";
import { toFloat32 } from "./to-float32";
import {
  BYTES_PER_ELEMENT,
  CheckpointError,
  checkpointOf,
  elementCount,
  type Checkpoint,
  type DType,
  type TensorInfo,
} from "./types";

const NUMPY_DTYPES: Readonly<Record<string, DType>> = {
  f4: "float32",
  f2: "float16",
  f8: "float64",
  i8: "int64",
  i4: "int32",
  u1: "uint8",
  b1: "bool",
};

class NumpyDtype implements PickleStateful {
  byteOrder = "=";
  constructor(readonly code: string) {}
  setState(state: unknown): void {
    if (Array.isArray(state) && typeof state[1] === "string") this.byteOrder = state[1];
  }
}

class NumpyArray implements PickleStateful {
  shape: number[] = [];
  dtype: DType | undefined;
  fortran = false;
  data: Uint8Array = new Uint8Array(0);
  /** Why this array cannot be read, reported with its name once names are known. */
  problem: string | undefined = "it was never given its state (no BUILD)";

  setState(state: unknown): void {
    if (!Array.isArray(state) || (state.length !== 5 && state.length !== 4)) {
      throw new Error("ndarray state is not (version, shape, dtype, is_fortran, data)");
    }
    const [shape, dtype, fortran, raw] = state.length === 5 ? state.slice(1) : state;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new Error("ndarray shape is not a tuple of non-negative integers");
    }
    if (!(dtype instanceof NumpyDtype)) throw new Error("ndarray dtype is not a numpy.dtype");
    this.shape = shape;
    this.fortran = Boolean(fortran);
    this.problem = undefined;
    this.dtype = NUMPY_DTYPES[dtype.code];
    if (!this.dtype) {
      this.problem = `numpy dtype "${dtype.code}" is not supported`;
      return;
    }
    if (dtype.byteOrder === ">" && BYTES_PER_ELEMENT[this.dtype] > 1) {
      this.problem = "it is big-endian";
      return;
    }
    if (typeof raw === "string") this.data = latin1Bytes(raw);
    else if (raw instanceof Uint8Array) this.data = raw;
    else throw new Error("ndarray data is neither bytes nor a latin1 string (an object array?)");
    const expected = elementCount(shape) * BYTES_PER_ELEMENT[this.dtype];
    if (this.data.length !== expected) {
      this.problem = `it holds ${this.data.length} bytes, but ${dtype.code} [${shape}] needs ${expected}`;
    }
  }
}

/** Python 2 `str` and Python 3's latin1 round trip both carry one byte per character. */
function latin1Bytes(text: string): Uint8Array {
  return Buffer.from(text, "latin1");
}

/** Protocol 5 arrays: `_frombuffer(buffer, dtype, shape, order)` with the buffer in-band. */
function fromBuffer(buffer: unknown, dtype: unknown, shape: unknown, order: unknown): NumpyArray {
  const array = new NumpyArray();
  array.setState([shape, dtype, order === "F", buffer]);
  return array;
}

const NDARRAY_CLASS = { qualifiedName: "numpy.ndarray" };

function reconstruct(subtype: unknown): NumpyArray {
  if (subtype !== NDARRAY_CLASS) throw new Error("only plain numpy.ndarray is reconstructed");
  return new NumpyArray();
}

/** numpy scalars (`scalar(dtype, bytes)`) become numbers; they are metadata, not tensors. */
function scalar(dtype: unknown, raw: unknown): number | null {
  if (!(dtype instanceof NumpyDtype)) throw new Error("scalar without a numpy.dtype");
  const bytes = typeof raw === "string" ? latin1Bytes(raw) : raw instanceof Uint8Array ? raw : null;
  const kind = NUMPY_DTYPES[dtype.code];
  if (!bytes || !kind || bytes.length !== BYTES_PER_ELEMENT[kind]) return null;
  return toFloat32(new Uint8Array(bytes), kind)[0];
}

function codecsEncode(text: unknown, encoding: unknown): Uint8Array {
  if (typeof text !== "string") throw new Error("_codecs.encode of a non-string");
  const name = String(encoding).toLowerCase().replace(/[-_]/g, "");
  if (name !== "latin1" && name !== "iso88591")
    throw new Error(`_codecs.encode to "${String(encoding)}"`);
  return latin1Bytes(text);
}

function numpyGlobals(): Record<string, unknown> {
  const globals: Record<string, unknown> = {
    "numpy.ndarray": NDARRAY_CLASS,
    "numpy.dtype": (code: unknown) => {
      if (typeof code !== "string") throw new Error("numpy.dtype of a non-string");
      return new NumpyDtype(code);
    },
    "_codecs.encode": codecsEncode,
    "collections.OrderedDict": orderedDictFromArgs,
  };
  // numpy 2 renamed numpy.core to numpy._core; pickles name whichever wrote them.
  for (const core of ["numpy.core", "numpy._core"]) {
    globals[`${core}.multiarray._reconstruct`] = reconstruct;
    globals[`${core}.multiarray.scalar`] = scalar;
    globals[`${core}.numeric._frombuffer`] = fromBuffer;
  }
  // Python 3 writing protocol 2 names builtins the Python 2 way.
  for (const builtins of ["builtins", "__builtin__"]) {
    globals[`${builtins}.bytes`] = () => new Uint8Array(0);
    globals[`${builtins}.set`] = (items: unknown) => new Set(Array.isArray(items) ? items : []);
  }
  return globals;
}

export async function openPickleNumpy(file: string): Promise<Checkpoint> {
  const fail = (detail: string) => new CheckpointError("pickle-numpy", file, detail);
  let root: unknown;
  try {
    root = unpickle(await readFile(file), { globals: numpyGlobals() }).value;
  } catch (err) {
    throw fail((err as Error).message);
  }
  const arrays = namedLeaves(root, (v): v is NumpyArray => v instanceof NumpyArray);
  for (const [name, array] of arrays) {
    if (array.problem) throw fail(`array "${name}" cannot be read: ${array.problem}`);
  }
  const tensors = arrays.map(([name, array]) => arrayInfo(name, array));
  return checkpointOf("pickle-numpy", file, tensors, async () => {
    // Let the file's bytes go once the caller is done.
    for (const [, array] of arrays) array.data = new Uint8Array(0);
  });
}

function arrayInfo(name: string, array: NumpyArray): TensorInfo {
  const dtype = array.dtype!;
  const shape = array.shape;
  const readRaw = async () => {
    if (!array.fortran || shape.length < 2) return new Uint8Array(array.data);
    // Fortran order is C order of the reversed shape: gather with the reversed strides.
    const strides = contiguousStrides([...shape].reverse()).reverse();
    return gatherStrided(array.data, BYTES_PER_ELEMENT[dtype], shape, strides);
  };
  return {
    name,
    dtype,
    shape,
    byteLength: array.data.length,
    readRaw,
    readFloat32: async () => toFloat32(await readRaw(), dtype),
  };
}
