import onnxProto from "onnx-proto";

const { onnx } = onnxProto;

/**
 * A small ONNX graph builder: inputs and outputs with named symbolic dimensions, named
 * initializers, and nodes op by op. It writes a ModelProto (IR 8) that onnxruntime loads. The
 * converters and the tiny contract models for tests are built with it.
 */
export type ElementType = "float32" | "float16" | "int64";

/** A dimension: a fixed size, or a name such as "batch" or "height". */
export type Dim = number | string;

export type AttributeValue = number | string | readonly number[] | { readonly float: number };

const DATA_TYPE: Record<ElementType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float16: onnx.TensorProto.DataType.FLOAT16,
  int64: onnx.TensorProto.DataType.INT64,
};

function valueInfo(name: string, type: ElementType, shape: readonly Dim[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: DATA_TYPE[type],
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
  return onnx.AttributeProto.create({ name, type: T.INTS, ints: [...value] });
}

export class GraphBuilder {
  private readonly nodes: ReturnType<typeof onnx.NodeProto.create>[] = [];
  private readonly inputs: ReturnType<typeof onnx.ValueInfoProto.create>[] = [];
  private readonly outputs: ReturnType<typeof onnx.ValueInfoProto.create>[] = [];
  private readonly initializers: ReturnType<typeof onnx.TensorProto.create>[] = [];
  private readonly names = new Set<string>();
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

  /** A named constant tensor. fp32 data may be stored as fp16 by passing `as: "float16"`. */
  initializer(name: string, data: Float32Array | BigInt64Array, dims: readonly number[]): string {
    this.claim(name);
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) {
      throw new Error(`initializer ${name}: ${data.length} values for shape [${dims.join(", ")}]`);
    }
    const type: ElementType = data instanceof BigInt64Array ? "int64" : "float32";
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dims: [...dims],
        dataType: DATA_TYPE[type],
        rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      }),
    );
    return name;
  }

  /** Adds a node; returns its output names (fresh ones unless given). */
  node(
    op: string,
    inputs: readonly string[],
    attrs: Record<string, AttributeValue> = {},
    outputs: readonly string[] | number = 1,
  ): string[] {
    const outs =
      typeof outputs === "number"
        ? Array.from({ length: outputs }, () => this.fresh(op))
        : [...outputs];
    this.nodes.push(
      onnx.NodeProto.create({
        opType: op,
        input: [...inputs],
        output: outs,
        name: `${op}_${this.nodes.length}`,
        attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      }),
    );
    return outs;
  }

  toBytes(opset = 17): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: "leffa-studio",
      opsetImport: [{ domain: "", version: opset }],
      graph: {
        name: this.name,
        node: this.nodes,
        input: this.inputs,
        output: this.outputs,
        initializer: this.initializers,
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
