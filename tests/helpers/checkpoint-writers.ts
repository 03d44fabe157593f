/**
 * Test-side writers of real checkpoint formats, so reader tests need neither Python nor the
 * network: a pickle emitter that writes what CPython's pickler writes for the values torch and
 * numpy save, and on top of it torch.save's zip and legacy formats, safetensors, and detectron2's
 * pickle of numpy arrays.
 */
import { createWriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import yazl from "yazl";
import { BYTES_PER_ELEMENT, type DType } from "../../models/checkpoints/types";

const utf8 = new TextEncoder();

// ---------------------------------------------------------------------------------------------
// Pickle values and the emitter
// ---------------------------------------------------------------------------------------------

export class PyTuple {
  constructor(readonly items: readonly Py[]) {}
}
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
}
/** `callable(*args)` via REDUCE, then dict items (SETITEMS) and state (BUILD), as save_reduce. */
export class PyReduce {
  constructor(
    readonly callable: Py,
    readonly args: PyTuple,
    readonly state?: Py,
    readonly dictItems?: ReadonlyArray<readonly [Py, Py]>,
  ) {}
}
export class PyPersistent {
  constructor(readonly pid: Py) {}
}
/** A float that happens to be integral (1.0), which a bare number would pickle as an int. */
export class PyFloat {
  constructor(readonly value: number) {}
}
/** A Python 2 `str`: bytes pickled with BINSTRING, which Python 3 reads back as latin1 text. */
export class Py2Str {
  constructor(readonly bytes: Uint8Array) {}
}

export type Py =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Py[]
  | PyTuple
  | Map<Py, Py>
  | PyGlobal
  | PyReduce
  | PyPersistent
  | PyFloat
  | Py2Str;

export const tuple = (...items: Py[]) => new PyTuple(items);
export const global = (module: string, name: string) => new PyGlobal(module, name);

/**
 * Writes pickles the way CPython's `pickle.Pickler` does at protocols 2–4 (no framing): every
 * container and global is memoized with BINPUT, and an object met again is written as BINGET.
 */
export class PickleEmitter {
  private out: number[] = [];
  private chunks: Uint8Array[] = [];
  private memo = new Map<object, number>();

  constructor(readonly protocol = 2) {}

  pickle(value: Py): Uint8Array {
    this.op(0x80, this.protocol);
    this.value(value);
    this.op(0x2e); // STOP
    this.flush();
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const result = new Uint8Array(total);
    let at = 0;
    for (const c of this.chunks) {
      result.set(c, at);
      at += c.length;
    }
    this.chunks = [];
    this.memo.clear();
    return result;
  }

  private op(...bytes: number[]): void {
    for (const b of bytes) this.out.push(b);
  }

  private raw(bytes: Uint8Array): void {
    this.flush();
    this.chunks.push(bytes);
  }

  private flush(): void {
    if (this.out.length > 0) this.chunks.push(Uint8Array.from(this.out));
    this.out = [];
  }

  private u32(n: number): void {
    this.op(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  }

  private memoize(obj: object): void {
    const index = this.memo.size;
    this.memo.set(obj, index);
    if (index < 256)
      this.op(0x71, index); // BINPUT
    else {
      this.op(0x72); // LONG_BINPUT
      this.u32(index);
    }
  }

  /** True when `obj` was written before and a BINGET was emitted instead. */
  private recall(obj: object): boolean {
    const index = this.memo.get(obj);
    if (index === undefined) return false;
    if (index < 256)
      this.op(0x68, index); // BINGET
    else {
      this.op(0x6a); // LONG_BINGET
      this.u32(index);
    }
    return true;
  }

  private value(v: Py): void {
    if (v === null) return this.op(0x4e);
    if (v === true) return this.op(0x88);
    if (v === false) return this.op(0x89);
    if (typeof v === "number") return Number.isInteger(v) ? this.int(BigInt(v)) : this.float(v);
    if (typeof v === "bigint") return this.int(v);
    if (typeof v === "string") return this.str(v);
    if (v instanceof PyFloat) return this.float(v.value);
    if (this.recall(v)) return;
    if (v instanceof Uint8Array) return this.bytes(v);
    if (v instanceof Py2Str) {
      if (v.bytes.length < 256)
        this.op(0x55, v.bytes.length); // SHORT_BINSTRING
      else {
        this.op(0x54); // BINSTRING
        this.u32(v.bytes.length);
      }
      this.raw(v.bytes);
      return this.memoize(v);
    }
    if (v instanceof PyTuple) return this.tuple(v);
    if (Array.isArray(v)) {
      this.op(0x5d); // EMPTY_LIST
      this.memoize(v);
      return this.batch(v, (item) => this.value(item), 0x61, 0x65); // APPEND / APPENDS
    }
    if (v instanceof Map) {
      this.op(0x7d); // EMPTY_DICT
      this.memoize(v);
      return this.setItems([...v]);
    }
    if (v instanceof PyGlobal) {
      this.op(0x63, ...utf8.encode(`${v.module}\n${v.name}\n`)); // GLOBAL
      return this.memoize(v);
    }
    if (v instanceof PyReduce) {
      this.value(v.callable);
      this.tuple(v.args);
      this.op(0x52); // REDUCE
      this.memoize(v);
      if (v.dictItems) this.setItems(v.dictItems);
      if (v.state !== undefined) {
        this.value(v.state);
        this.op(0x62); // BUILD
      }
      return;
    }
    if (v instanceof PyPersistent) {
      this.value(v.pid);
      return this.op(0x51); // BINPERSID
    }
    throw new Error(`cannot pickle ${String(v)}`);
  }

  /** Like CPython: one item → single opcode, several → MARK … batch opcode, in batches of 1000. */
  private batch<T>(items: readonly T[], write: (item: T) => void, one: number, many: number): void {
    for (let i = 0; i < items.length; i += 1000) {
      const slice = items.slice(i, i + 1000);
      if (slice.length === 1) {
        write(slice[0]);
        this.op(one);
      } else {
        this.op(0x28); // MARK
        slice.forEach(write);
        this.op(many);
      }
    }
  }

  private setItems(items: ReadonlyArray<readonly [Py, Py]>): void {
    const write = ([k, v]: readonly [Py, Py]) => {
      this.value(k);
      this.value(v);
    };
    this.batch(items, write, 0x73, 0x75); // SETITEM / SETITEMS
  }

  private tuple(t: PyTuple): void {
    if (this.recall(t)) return;
    const n = t.items.length;
    if (n === 0) return this.op(0x29); // EMPTY_TUPLE (not memoized, as CPython)
    if (n > 3) this.op(0x28); // MARK
    t.items.forEach((item) => this.value(item));
    this.op(n === 1 ? 0x85 : n === 2 ? 0x86 : n === 3 ? 0x87 : 0x74); // TUPLE1-3 / TUPLE
    this.memoize(t);
  }

  private int(n: bigint): void {
    if (n >= 0n && n < 256n) return this.op(0x4b, Number(n)); // BININT1
    if (n >= 0n && n < 65536n) return this.op(0x4d, Number(n) & 0xff, Number(n) >> 8); // BININT2
    if (n >= -(2n ** 31n) && n < 2n ** 31n) {
      this.op(0x4a); // BININT
      return this.u32(Number(BigInt.asUintN(32, n)));
    }
    // LONG1: minimal little-endian two's complement.
    const bytes: number[] = [];
    let rest = n;
    for (;;) {
      bytes.push(Number(BigInt.asUintN(8, rest)));
      rest >>= 8n;
      const sign = bytes[bytes.length - 1] & 0x80;
      if ((rest === 0n && !sign) || (rest === -1n && sign)) break;
    }
    this.op(0x8a, bytes.length, ...bytes);
  }

  private float(x: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, false);
    this.op(0x47, ...b); // BINFLOAT
  }

  private str(s: string): void {
    const bytes = utf8.encode(s);
    if (this.protocol >= 4 && bytes.length < 256)
      this.op(0x8c, bytes.length); // SHORT_BINUNICODE
    else {
      this.op(0x58); // BINUNICODE
      this.u32(bytes.length);
    }
    this.raw(bytes);
    // CPython memoizes strings too; identical JS strings are not distinct objects, so skip it.
  }

  private bytes(b: Uint8Array): void {
    if (this.protocol < 3) {
      // Protocol 2 has no bytes opcode: Python 3 writes _codecs.encode(latin1 text, "latin1").
      const callable = global("_codecs", "encode");
      if (b.length === 0) return this.value(new PyReduce(global("__builtin__", "bytes"), tuple()));
      return this.value(new PyReduce(callable, tuple(Buffer.from(b).toString("latin1"), "latin1")));
    }
    if (b.length < 256)
      this.op(0x43, b.length); // SHORT_BINBYTES
    else {
      this.op(0x42); // BINBYTES
      this.u32(b.length);
    }
    this.raw(b);
    this.memoize(b);
  }
}

export function pickle(value: Py, protocol = 2): Uint8Array {
  return new PickleEmitter(protocol).pickle(value);
}

// ---------------------------------------------------------------------------------------------
// Tensor data
// ---------------------------------------------------------------------------------------------

/** Raw little-endian bytes, given directly or produced on demand (for files too big to hold). */
export type ByteSource = ArrayBufferView | (() => ArrayBufferView);

function bytesOf(data: ArrayBufferView): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function resolve(data: ByteSource): Uint8Array {
  return bytesOf(typeof data === "function" ? data() : data);
}

export interface TensorSpec {
  dtype: DType;
  shape: number[];
  data: ByteSource;
}

const numel = (shape: number[]) => shape.reduce((n, d) => n * d, 1);

// ---------------------------------------------------------------------------------------------
// torch.save
// ---------------------------------------------------------------------------------------------

/** A view into a storage declared in `TorchZipOptions.storages`, with its own offset and strides. */
export interface TorchViewSpec {
  storage: string;
  offset: number;
  shape: number[];
  stride: number[];
}

export interface TorchStorageSpec {
  dtype: DType;
  data: ByteSource;
}

/** A tensor with its own contiguous storage, a view into a shared one, or a nested dict. */
export type TorchEntry = TensorSpec | TorchViewSpec | { [key: string]: TorchEntry };

export interface TorchZipOptions {
  /** Storages that views refer to by key (shared storages, strided views). */
  storages?: Record<string, TorchStorageSpec>;
  /** The zip's top folder: torch uses the file's stem when saving to a path, "archive" otherwise. */
  archiveName?: string;
  /** Deflate the storages (torch never does; the reader must still cope). */
  compress?: boolean;
  /** Zip64 records for every entry, as torch writes for checkpoints over 4 GB. */
  zip64?: boolean;
}

const STORAGE_TYPES: Record<DType, string> = {
  float32: "FloatStorage",
  float16: "HalfStorage",
  bfloat16: "BFloat16Storage",
  float64: "DoubleStorage",
  int64: "LongStorage",
  int32: "IntStorage",
  uint8: "ByteStorage",
  bool: "BoolStorage",
};

const contiguous = (shape: number[]) => {
  const strides: number[] = [];
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = step;
    step *= shape[i];
  }
  return strides;
};

interface PlannedStorage {
  key: string;
  dtype: DType;
  numel: number;
  data: ByteSource;
}

/**
 * The object torch.save pickles for a state dict: OrderedDicts (with the `_metadata` attribute
 * torch's state_dict carries, set by BUILD) of `_rebuild_tensor_v2` calls on persistent storages.
 * `pidOf` turns a storage into its persistent id, which differs between the zip and legacy formats.
 */
function planStateDict(
  entries: Record<string, TorchEntry>,
  options: TorchZipOptions,
  keyOf: (index: number) => string,
  pidOf: (storage: PlannedStorage) => PyTuple,
): { root: Py; storages: PlannedStorage[] } {
  const storages: PlannedStorage[] = [];
  const named = new Map<string, PlannedStorage>();
  const add = (dtype: DType, data: ByteSource, count: number) => {
    const storage = { key: keyOf(storages.length), dtype, numel: count, data };
    storages.push(storage);
    return storage;
  };
  const storageFor = (name: string) => {
    let storage = named.get(name);
    if (!storage) {
      const spec = options.storages?.[name];
      if (!spec) throw new Error(`no storage "${name}" in options.storages`);
      const bytes = typeof spec.data === "function" ? undefined : bytesOf(spec.data).length;
      if (bytes === undefined) throw new Error("shared storages need their data up front");
      storage = add(spec.dtype, spec.data, bytes / BYTES_PER_ELEMENT[spec.dtype]);
      named.set(name, storage);
    }
    return storage;
  };
  const rebuild = global("torch._utils", "_rebuild_tensor_v2");
  const ordered = global("collections", "OrderedDict");
  const tensor = (storage: PlannedStorage, offset: number, shape: number[], stride: number[]) => {
    // torch builds a fresh persistent id per tensor, so a shared storage is pickled once per
    // tensor (equal ids, not a memo reference) and its loader caches storages by key.
    return new PyReduce(
      rebuild,
      tuple(
        new PyPersistent(pidOf(storage)),
        offset,
        tuple(...shape),
        tuple(...stride),
        false,
        new PyReduce(ordered, tuple()),
      ),
    );
  };
  const dict = (record: Record<string, TorchEntry>): Py => {
    const items: Array<[Py, Py]> = Object.entries(record).map(([key, entry]) => {
      if ("storage" in entry && typeof entry.storage === "string") {
        const view = entry as TorchViewSpec;
        return [key, tensor(storageFor(view.storage), view.offset, view.shape, view.stride)];
      }
      if ("dtype" in entry && "data" in entry) {
        const spec = entry as TensorSpec;
        const storage = add(spec.dtype, spec.data, numel(spec.shape));
        return [key, tensor(storage, 0, spec.shape, contiguous(spec.shape))];
      }
      return [key, dict(entry as Record<string, TorchEntry>)];
    });
    const metadata = new Map<Py, Py>([["_metadata", new PyReduce(ordered, tuple())]]);
    return new PyReduce(ordered, tuple(), metadata, items);
  };
  return { root: dict(entries), storages };
}

/** What `torch.save(state_dict, path)` writes (zip format, pickle protocol 2). */
export async function writeTorchZip(
  file: string,
  tensors: Record<string, TorchEntry>,
  options: TorchZipOptions = {},
): Promise<void> {
  const archive = options.archiveName ?? "archive";
  const { root, storages } = planStateDict(
    tensors,
    options,
    (i) => String(i),
    (s) => tuple("storage", global("torch", STORAGE_TYPES[s.dtype]), s.key, "cpu", s.numel),
  );
  const zip = new yazl.ZipFile();
  const text = (s: string) => Buffer.from(s);
  const stored = { compress: false, mtime: new Date(0), forceZip64Format: options.zip64 ?? false };
  zip.addBuffer(Buffer.from(pickle(root)), `${archive}/data.pkl`, stored);
  zip.addBuffer(text("1"), `${archive}/.format_version`, stored);
  zip.addBuffer(text("64"), `${archive}/.storage_alignment`, stored);
  zip.addBuffer(text("little"), `${archive}/byteorder`, stored);
  for (const storage of storages) {
    const size = storage.numel * BYTES_PER_ELEMENT[storage.dtype];
    // Produced when yazl reaches the entry, so only one storage is in memory at a time.
    zip.addReadStreamLazy(
      `${archive}/data/${storage.key}`,
      { ...stored, compress: options.compress ?? false, size },
      (callback) => {
        const bytes = resolve(storage.data);
        if (bytes.length !== size)
          throw new Error(`storage ${storage.key}: ${bytes.length} bytes, expected ${size}`);
        callback(null, Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)]));
      },
    );
  }
  zip.addBuffer(text("3\n"), `${archive}/version`, stored);
  zip.addBuffer(text("0123456789012345"), `${archive}/.data/serialization_id`, stored);
  zip.end({ forceZip64Format: options.zip64 ?? false, comment: "" });
  await pipeline(zip.outputStream, createWriteStream(file));
}

/** What `torch.save(state_dict, path, _use_new_zipfile_serialization=False)` writes. */
export async function writeTorchLegacy(
  file: string,
  tensors: Record<string, TorchEntry>,
  options: Pick<TorchZipOptions, "storages"> = {},
): Promise<void> {
  const { root, storages } = planStateDict(
    tensors,
    options,
    // Legacy keys are the storages' Python ids.
    (i) => String(140230000000000 + i * 64),
    (s) => tuple("storage", global("torch", STORAGE_TYPES[s.dtype]), s.key, "cpu", s.numel, null),
  );
  const sysInfo = new Map<Py, Py>([
    ["protocol_version", 1001],
    ["little_endian", true],
    [
      "type_sizes",
      new Map<Py, Py>([
        ["short", 2],
        ["int", 4],
        ["long", 4],
      ]),
    ],
  ]);
  const parts: Uint8Array[] = [
    pickle(0x1950a86a20f9469cfc6cn),
    pickle(1001),
    pickle(sysInfo),
    pickle(root),
    pickle(storages.map((s) => s.key)),
  ];
  for (const storage of storages) {
    const count = new Uint8Array(8);
    new DataView(count.buffer).setBigInt64(0, BigInt(storage.numel), true);
    parts.push(count, resolve(storage.data));
  }
  await writeFile(file, Buffer.concat(parts));
}

// ---------------------------------------------------------------------------------------------
// safetensors
// ---------------------------------------------------------------------------------------------

const SAFETENSORS_CODES: Record<DType, string> = {
  float32: "F32",
  float16: "F16",
  bfloat16: "BF16",
  float64: "F64",
  int64: "I64",
  int32: "I32",
  uint8: "U8",
  bool: "BOOL",
};

/** What the `safetensors` library writes: header padded with spaces to a multiple of 8. */
export async function writeSafetensors(
  file: string,
  tensors: Record<string, TensorSpec>,
  metadata?: Record<string, string>,
): Promise<void> {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, spec] of Object.entries(tensors)) {
    const bytes = resolve(spec.data);
    header[name] = {
      dtype: SAFETENSORS_CODES[spec.dtype],
      shape: spec.shape,
      data_offsets: [offset, offset + bytes.length],
    };
    blobs.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(Buffer.byteLength(json)), true);
  await writeFile(file, Buffer.concat([length, Buffer.from(json), ...blobs]));
}

// ---------------------------------------------------------------------------------------------
// detectron2 .pkl
// ---------------------------------------------------------------------------------------------

const NUMPY_CODES: Partial<Record<DType, string>> = {
  float32: "f4",
  float16: "f2",
  float64: "f8",
  int64: "i8",
  int32: "i4",
  uint8: "u1",
  bool: "b1",
};

export interface NumpyArraySpec extends TensorSpec {
  /** The bytes are in Fortran (column-major) order. */
  fortran?: boolean;
}

export interface Detectron2Options {
  /** "python3": raw data as _codecs.encode(latin1, "latin1"); "python2": as a py2 str. */
  writer?: "python3" | "python2";
  /** Override a dtype code (e.g. "O" or ">f4") to test refusals. */
  dtypeCode?: string;
}

/** What detectron2's Checkpointer / the model zoo pickles: {"model": {name: ndarray}, ...}. */
export async function writeDetectron2Pkl(
  file: string,
  arrays: Record<string, NumpyArraySpec>,
  options: Detectron2Options = {},
): Promise<void> {
  const py2 = options.writer === "python2";
  // Python 2 strings are bytes (BINSTRING); Python 3 text is unicode (BINUNICODE).
  const s = (text: string): Py => (py2 ? new Py2Str(Buffer.from(text, "latin1")) : text);
  const rawBytes = (b: Uint8Array): Py => (py2 ? new Py2Str(b) : b);
  const ndarray = global("numpy", "ndarray");
  const reconstruct = global("numpy.core.multiarray", "_reconstruct");
  const dtypeGlobal = global("numpy", "dtype");
  const model = new Map<Py, Py>();
  // numpy dtypes are singletons, so the second array of a dtype refers back to the first (BINGET).
  const dtypes = new Map<string, PyReduce>();
  for (const [name, spec] of Object.entries(arrays)) {
    let code = options.dtypeCode ?? NUMPY_CODES[spec.dtype]!;
    let order = spec.dtype === "uint8" || spec.dtype === "bool" ? "|" : "<";
    if (code.startsWith(">")) [order, code] = [">", code.slice(1)];
    // numpy's dtype.__reduce__: dtype(code, False, True) + BUILD (3, order, None, None, None, -1, -1, 0)
    const dtype =
      dtypes.get(order + code) ??
      new PyReduce(
        dtypeGlobal,
        py2 ? tuple(s(code), 0, 1) : tuple(s(code), false, true),
        tuple(3, s(order), null, null, null, -1, -1, 0),
      );
    dtypes.set(order + code, dtype);
    const state = tuple(
      1,
      tuple(...spec.shape),
      dtype,
      Boolean(spec.fortran),
      rawBytes(resolve(spec.data)),
    );
    model.set(
      s(name),
      new PyReduce(reconstruct, tuple(ndarray, tuple(0), rawBytes(Buffer.from("b"))), state),
    );
  }
  const root = new Map<Py, Py>([
    [s("model"), model],
    [s("__author__"), s("Detectron2 Model Zoo")],
    [s("matching_heuristics"), true],
  ]);
  await writeFile(file, pickle(root, 2));
}
