import onnxProto from "onnx-proto";
import { layoutExternalData, type ExternalDataLayout } from "./external-data";
import { toFloat16Bits } from "./float16";

const { onnx } = onnxProto;

/**
 * A small ONNX graph builder: inputs and outputs with named symbolic dimensions, named
 * initializers (fp32, fp16, int64, int32, uint8, bool), and nodes op by op. It writes a ModelProto
 * (IR 8) that onnxruntime loads, either as one buffer (`toBytes`) or as a small `.onnx` plus an
 * external `.onnx_data` file (`toFiles`, for graphs over protobuf's 2 GB limit). The converters and
 * the tiny contract models for tests are built with it. The same graph always gives the same bytes.
 */
export type ElementType = "float32" | "float16" | "int64" | "int32" | "uint8" | "bool";

/** A dimension: a fixed size, or a name such as "batch" or "height". */
export type Dim = number | string;

export type AttributeValue =
  | number
  | string
  | readonly number[]
  | { readonly float: number }
  | { readonly floats: readonly number[] };

export const ONNX_DATA_TYPE: Record<ElementType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float16: onnx.TensorProto.DataType.FLOAT16,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  uint8: onnx.TensorProto.DataType.UINT8,
  bool: onnx.TensorProto.DataType.BOOL,
};

/** The data an initializer may be given; see `initializer` for how each is stored. */
export type InitializerData = Float32Array | Uint16Array | BigInt64Array | Int32Array | Uint8Array;

export interface InitializerOptions {
  /**
   * Store as another type: "float16" converts Float32Array values to IEEE half (or takes a
   * Uint16Array as half bit patterns already); "bool" stores a Uint8Array of 0/1 as bool.
   */
  readonly as?: "float16" | "bool";
}

/**
 * Produces an initializer's stored bytes (little-endian, in its element type) when the model is
 * written, so that a multi-GB model never holds all its weights at once: each tensor is produced,
 * written and dropped in turn. See `GraphBuilder.lazyInitializer`.
 */
export type LazyBytes = () => Uint8Array | Promise<Uint8Array>;

const BYTES_PER_ELEMENT: Record<ElementType, number> = {
  float32: 4,
  float16: 2,
  int64: 8,
  int32: 4,
  uint8: 1,
  bool: 1,
};

/** The external data file of `toStreamingFiles`: its chunks are produced one by one on demand. */
export interface StreamingModelFiles {
  readonly onnx: Uint8Array;
  readonly data?: {
    readonly name: string;
    readonly byteLength: number;
    /** The data file's bytes in order (tensors and zero padding), each produced when asked. */
    chunks(): AsyncGenerator<Uint8Array>;
  };
}

interface PendingInitializer {
  readonly produce: LazyBytes;
  readonly byteLength: number;
}

/** Above this many bytes of inline tensor data protobuf cannot encode the model: use `toFiles`. */
const PROTOBUF_LIMIT = 2 ** 31 - 1;

export interface ModelFiles {
  /** The `.onnx` bytes: the graph, with large initializers pointing into `data`. */
  readonly onnx: Uint8Array;
  /**
   * The external data file (`<base>.onnx_data`), as the chunks to write one after another (the
   * initializers' own bytes and zero padding): never joined into one buffer, so it can exceed what
   * one ArrayBuffer holds. Absent when no initializer crossed the threshold.
   */
  readonly data?: {
    readonly name: string;
    readonly bytes: readonly Uint8Array[];
    readonly byteLength: number;
  };
}

export interface ToFilesOptions {
  /** Initializers of at least this many bytes go to the data file (default 1024). */
  readonly externalThreshold?: number;
  /** Offsets in the data file are multiples of this (default 4096, a page: lets runtimes mmap). */
  readonly alignment?: number;
  readonly opset?: number;
}

type TensorProto = ReturnType<typeof onnx.TensorProto.create>;

function valueInfo(name: string, type: ElementType, shape: readonly Dim[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: ONNX_DATA_TYPE[type],
        shape: {
          dim: shape.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  });
}

function attribute(name: string, value: AttributeValue) {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === "string") {
    return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(value) });
  }
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: use { float } for ${value}`);
    return onnx.AttributeProto.create({ name, type: T.INT, i: value });
  }
  if ("float" in value) return onnx.AttributeProto.create({ name, type: T.FLOAT, f: value.float });
  if ("floats" in value) {
    return onnx.AttributeProto.create({ name, type: T.FLOATS, floats: [...value.floats] });
  }
  return onnx.AttributeProto.create({ name, type: T.INTS, ints: [...value] });
}

/** The element type and little-endian bytes an initializer is stored as. */
function storedBytes(
  name: string,
  data: InitializerData,
  as: InitializerOptions["as"],
): { type: ElementType; bytes: Uint8Array } {
  const view = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (as === "float16") {
    if (data instanceof Float32Array) return { type: "float16", bytes: view(toFloat16Bits(data)) };
    if (data instanceof Uint16Array) return { type: "float16", bytes: view(data) };
    throw new Error(
      `initializer ${name}: float16 needs a Float32Array or Uint16Array of half bits`,
    );
  }
  if (as === "bool") {
    if (!(data instanceof Uint8Array))
      throw new Error(`initializer ${name}: bool needs a Uint8Array`);
    if (data.some((v) => v > 1)) throw new Error(`initializer ${name}: bool values must be 0 or 1`);
    return { type: "bool", bytes: view(data) };
  }
  if (data instanceof Float32Array) return { type: "float32", bytes: view(data) };
  if (data instanceof BigInt64Array) return { type: "int64", bytes: view(data) };
  if (data instanceof Int32Array) return { type: "int32", bytes: view(data) };
  if (data instanceof Uint8Array) return { type: "uint8", bytes: view(data) };
  throw new Error(
    `initializer ${name}: a Uint16Array is only taken as half bits, with as: "float16"`,
  );
}

export class GraphBuilder {
  private readonly nodes: ReturnType<typeof onnx.NodeProto.create>[] = [];
  private readonly inputs: ReturnType<typeof onnx.ValueInfoProto.create>[] = [];
  private readonly outputs: ReturnType<typeof onnx.ValueInfoProto.create>[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly names = new Set<string>();
  /** Lazy initializers whose bytes have not been produced yet. */
  private readonly pending = new Map<TensorProto, PendingInitializer>();
  /** Operator domains other than the default one that nodes use, with their opset version. */
  private readonly domains = new Map<string, number>();
  private readonly metadata = new Map<string, string>();
  private counter = 0;

  constructor(private readonly name: string) {}

  input(name: string, type: ElementType, shape: readonly Dim[]): string {
    this.claim(name);
    this.inputs.push(valueInfo(name, type, shape));
    return name;
  }

  output(name: string, type: ElementType, shape: readonly Dim[]): string {
    this.outputs.push(valueInfo(name, type, shape));
    return name;
  }

  /**
   * A named constant tensor. Float32Array → float32, BigInt64Array → int64, Int32Array → int32,
   * Uint8Array → uint8; `{ as: "float16" }` stores fp32 values as half (or takes half bits from a
   * Uint16Array), `{ as: "bool" }` stores a 0/1 Uint8Array as bool. The bytes are referenced, not
   * copied: don't change the array afterwards.
   */
  initializer(
    name: string,
    data: InitializerData,
    dims: readonly number[],
    options: InitializerOptions = {},
  ): string {
    this.claim(name);
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) {
      throw new Error(`initializer ${name}: ${data.length} values for shape [${dims.join(", ")}]`);
    }
    const { type, bytes } = storedBytes(name, data, options.as);
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dims: [...dims],
        dataType: ONNX_DATA_TYPE[type],
        rawData: bytes,
      }),
    );
    return name;
  }

  /**
   * A named constant tensor whose bytes are produced only when the model is written (by
   * `writeModelFiles`, `toStreamingFiles` or `materialize`), e.g. read from a checkpoint and
   * converted. `produce` must return exactly `elements × bytes per element` bytes of `type`.
   */
  lazyInitializer(
    name: string,
    type: ElementType,
    dims: readonly number[],
    produce: LazyBytes,
  ): string {
    this.claim(name);
    const byteLength = dims.reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT[type];
    const tensor = onnx.TensorProto.create({
      name,
      dims: [...dims],
      dataType: ONNX_DATA_TYPE[type],
    });
    this.initializers.push(tensor);
    this.pending.set(tensor, { produce, byteLength });
    return name;
  }

  /** How many lazy initializers have not been produced yet. */
  get pendingInitializers(): number {
    return this.pending.size;
  }

  /**
   * Produces the lazy initializers of fewer than `belowBytes` bytes now and keeps them in the
   * graph (all of them by default): needed before `toBytes`, and for those that stay inline.
   */
  async materialize(belowBytes = Infinity): Promise<void> {
    for (const tensor of this.initializers) {
      const lazy = this.pending.get(tensor);
      if (!lazy || lazy.byteLength >= belowBytes) continue;
      tensor.rawData = await produceChecked(tensor.name, lazy);
      this.pending.delete(tensor);
    }
  }

  /** Adds a node; returns its output names (fresh ones unless given). */
  node(
    op: string,
    inputs: readonly string[],
    attrs: Record<string, AttributeValue> = {},
    outputs: readonly string[] | number = 1,
  ): string[] {
    return this.addNode("", op, inputs, attrs, outputs);
  }

  /**
   * Adds a node of another operator domain (e.g. onnxruntime's "com.microsoft" contrib ops); the
   * model then imports that domain at `version`. Returns its output names like `node`.
   */
  domainNode(
    domain: { readonly name: string; readonly version: number },
    op: string,
    inputs: readonly string[],
    attrs: Record<string, AttributeValue> = {},
    outputs: readonly string[] | number = 1,
  ): string[] {
    const known = this.domains.get(domain.name);
    if (known !== undefined && known !== domain.version) {
      throw new Error(
        `domain ${domain.name} is imported at version ${known}, not ${domain.version}`,
      );
    }
    this.domains.set(domain.name, domain.version);
    return this.addNode(domain.name, op, inputs, attrs, outputs);
  }

  /** How many nodes the graph has so far. */
  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Each node's op type, in order (for node statistics). */
  opTypes(): string[] {
    return this.nodes.map((n) => n.opType ?? "");
  }

  /** A model metadata entry (ModelProto.metadata_props), readable from a session's metadata. */
  setMetadata(key: string, value: string): void {
    this.metadata.set(key, value);
  }

  private addNode(
    domain: string,
    op: string,
    inputs: readonly string[],
    attrs: Record<string, AttributeValue>,
    outputs: readonly string[] | number,
  ): string[] {
    const outs =
      typeof outputs === "number"
        ? Array.from({ length: outputs }, () => this.fresh(op))
        : [...outputs];
    this.nodes.push(
      onnx.NodeProto.create({
        opType: op,
        ...(domain ? { domain } : {}),
        input: [...inputs],
        output: outs,
        name: `${op}_${this.nodes.length}`,
        attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      }),
    );
    return outs;
  }

  /** A Cast node to `to`; returns its output (or `output` when named). */
  cast(input: string, to: ElementType, output?: string): string {
    const [out] = this.node("Cast", [input], { to: ONNX_DATA_TYPE[to] }, output ? [output] : 1);
    return out;
  }

  /** The whole model in one buffer; throws when its tensor data exceeds protobuf's 2 GB limit. */
  toBytes(opset = 17): Uint8Array {
    this.refusePending("toBytes");
    const inline = this.initializers.reduce((sum, t) => sum + (t.rawData?.byteLength ?? 0), 0);
    if (inline > PROTOBUF_LIMIT) {
      throw new Error(
        `model "${this.name}" holds ${inline} bytes of weights, over protobuf's 2 GB limit: ` +
          "write it with toFiles / writeModelFiles (external data)",
      );
    }
    return this.encode(this.initializers, opset);
  }

  /**
   * The model as `<baseName>.onnx` bytes plus, when any initializer is at least
   * `externalThreshold` bytes, a `<baseName>.onnx_data` file holding those initializers at
   * aligned offsets (TensorProto data_location EXTERNAL, external_data location/offset/length).
   */
  toFiles(baseName: string, options: ToFilesOptions = {}): ModelFiles {
    this.refusePending("toFiles");
    const { onnx: onnxBytes, layout, dataName } = this.placeExternal(baseName, options);
    if (layout.byteLength === 0) return { onnx: onnxBytes };
    return {
      onnx: onnxBytes,
      data: {
        name: dataName,
        bytes: dataChunks(layout, this.initializers),
        byteLength: layout.byteLength,
      },
    };
  }

  /**
   * Like `toFiles`, but lazy initializers may remain: those placed in the data file are produced
   * one at a time while its chunks are consumed. Lazy initializers that would stay inline must be
   * produced first (`materialize(externalThreshold)`).
   */
  toStreamingFiles(baseName: string, options: ToFilesOptions = {}): StreamingModelFiles {
    const { onnx: onnxBytes, layout, dataName } = this.placeExternal(baseName, options);
    const inlinePending = this.initializers.filter(
      (t, i) => this.pending.has(t) && !layout.placements[i],
    );
    if (inlinePending.length > 0) {
      throw new Error(
        `model "${this.name}": lazy initializer ${inlinePending[0].name} stays inline: ` +
          "call materialize(externalThreshold) before toStreamingFiles",
      );
    }
    if (layout.byteLength === 0) return { onnx: onnxBytes };
    const tensors = this.initializers;
    const pending = this.pending;
    async function* chunks(): AsyncGenerator<Uint8Array> {
      let position = 0;
      for (let i = 0; i < tensors.length; i++) {
        const placed = layout.placements[i];
        if (!placed) continue;
        if (placed.offset > position) yield new Uint8Array(placed.offset - position);
        const lazy = pending.get(tensors[i]);
        yield lazy
          ? await produceChecked(tensors[i].name, lazy)
          : (tensors[i].rawData as Uint8Array);
        position = placed.offset + placed.length;
      }
    }
    return { onnx: onnxBytes, data: { name: dataName, byteLength: layout.byteLength, chunks } };
  }

  /** Encodes the graph with initializers over the threshold pointing into the data file. */
  private placeExternal(
    baseName: string,
    options: ToFilesOptions,
  ): { onnx: Uint8Array; layout: ExternalDataLayout; dataName: string } {
    const dataName = `${baseName}.onnx_data`;
    const layout = layoutExternalData(
      this.initializers.map((t) => this.pending.get(t)?.byteLength ?? t.rawData?.byteLength ?? 0),
      options.externalThreshold ?? 1024,
      options.alignment ?? 4096,
    );
    const tensors = this.initializers.map((t, i) => {
      const placed = layout.placements[i];
      if (!placed) return t;
      return onnx.TensorProto.create({
        name: t.name,
        dims: t.dims,
        dataType: t.dataType,
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [
          { key: "location", value: dataName },
          { key: "offset", value: String(placed.offset) },
          { key: "length", value: String(placed.length) },
        ],
      });
    });
    return { onnx: this.encode(tensors, options.opset ?? 17), layout, dataName };
  }

  private refusePending(method: string): void {
    const first = this.pending.keys().next();
    if (!first.done) {
      throw new Error(
        `model "${this.name}": ${this.pending.size} lazy initializers (first ${first.value.name}) ` +
          `are not produced yet: await materialize() before ${method}, or use writeModelFiles`,
      );
    }
  }

  private encode(initializer: readonly TensorProto[], opset: number): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: "leffa-studio",
      opsetImport: [
        { domain: "", version: opset },
        ...[...this.domains].map(([domain, version]) => ({ domain, version })),
      ],
      metadataProps: [...this.metadata].map(([key, value]) => ({ key, value })),
      graph: {
        name: this.name,
        node: this.nodes,
        input: this.inputs,
        output: this.outputs,
        initializer: [...initializer],
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  private fresh(op: string): string {
    let name: string;
    do name = `${op.toLowerCase()}_${this.counter++}`;
    while (this.names.has(name));
    this.names.add(name);
    return name;
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`duplicate tensor name "${name}"`);
    this.names.add(name);
  }
}

async function produceChecked(name: string, lazy: PendingInitializer): Promise<Uint8Array> {
  const bytes = await lazy.produce();
  if (bytes.byteLength !== lazy.byteLength) {
    throw new Error(
      `lazy initializer ${name}: produced ${bytes.byteLength} bytes, expected ${lazy.byteLength}`,
    );
  }
  return bytes;
}

/** The data file as the initializers' bytes in offset order, with zero padding in between. */
function dataChunks(layout: ExternalDataLayout, tensors: readonly TensorProto[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let position = 0;
  layout.placements.forEach((placed, i) => {
    if (!placed) return;
    if (placed.offset > position) chunks.push(new Uint8Array(placed.offset - position));
    chunks.push(tensors[i].rawData as Uint8Array);
    position = placed.offset + placed.length;
  });
  return chunks;
}
