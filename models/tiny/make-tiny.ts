import type { ModelEntry, TensorSpec } from "../manifest/schema";
import { GraphBuilder, type ElementType } from "../onnx/builder";
import { fromFloat16Bits, toFloat16Bits } from "../onnx/float16";
import { isConstant, multiply, ratio, symbol, type Monomial } from "./dims";
import { planTinyModel, type TensorPlan } from "./plan";
import { mulberry32 } from "./prng";

/**
 * A tiny random-weight ONNX model that honours a manifest entry's contract: the same input and
 * output names, dtypes and ranks, fixed dims fixed, symbolic dims symbolic, output values inside
 * the contract's range, and output sizes that follow the inputs the way the real model's do
 * (see `planTinyModel`). Tests, the studio's offline runs and `npm run models -- make-tiny <id>`
 * use it where the real weights are absent.
 *
 * The graph: every input is cast to fp32; rank-4 inputs sharing the main input's batch and
 * spatial dims are concatenated along channels into one feature map; every other input is
 * averaged to a scalar and added to it. Each output then gets a head:
 * - image (rank 4): a 3×3 conv; ×k outputs through DepthToSpace(k) plus the nearest-upscaled
 *   input when channels agree (the Real-ESRGAN shape), ÷k outputs after AveragePool(k), fixed
 *   sizes after a linear Resize;
 * - tokens (rank 3, [B, h·w/k², C], the Leffa reference features): AveragePool(k), 1×1 conv,
 *   reshape to [B, C, N] and transpose;
 * - anything else: a sum of one random vector per fixed axis (a sine of the index along symbolic
 *   axes, whose sizes are read from the inputs' shapes), expanded to the output's shape, plus
 *   the inputs' mean.
 * Then values are mapped into the range: [lo, hi] = lo + (hi − lo)·sigmoid (or clipped when the
 * head adds the input back), integers floored, bools thresholded; and cast to the contract dtype.
 *
 * Weights are uniform in ±1/√fan-in from mulberry32(seed) (default seed 1): the same seed gives
 * the same bytes. They are stored fp16 (cast to fp32 in the graph) when the contract uses fp16.
 *
 * `floatType: "float32"` makes the full-precision variant a contract allows (`alsoAccepts`, the
 * Leffa graphs converted with `--dtype fp32`): those tensors become float32 and the weights are
 * stored fp32, with no fp16 anywhere in the graph (a WebGPU device without shader-f16 can run
 * it), yet rounded to the fp16 values the default variant stores: both variants compute the same
 * function up to the rounding of their fp16 tensors.
 */
export function makeTinyModel(
  entry: ModelEntry,
  opts: { seed?: number; floatType?: "float16" | "float32" } = {},
): Uint8Array {
  return new TinyModelBuilder(entry, opts.seed ?? 1, opts.floatType ?? "float16").build();
}

/** The entry with every float16 tensor that also accepts float32 made float32. */
export function fullPrecisionVariant(entry: ModelEntry): ModelEntry {
  const widen = (spec: TensorSpec): TensorSpec =>
    spec.dtype === "float16" && spec.alsoAccepts?.includes("float32")
      ? { ...spec, dtype: "float32", alsoAccepts: ["float16"] }
      : spec;
  const { contract } = entry;
  return {
    ...entry,
    contract: {
      ...contract,
      inputs: contract.inputs.map(widen),
      outputs: contract.outputs.map(widen),
    },
  };
}

/**
 * Outputs in the order the graph must list them: positioned ones (`index`, read by position like
 * SCHP's) at their index, then the rest in contract order.
 */
function graphOrder(outputs: readonly TensorPlan[]): TensorPlan[] {
  const rank = (t: TensorPlan) => t.spec.index ?? Number.POSITIVE_INFINITY;
  return [...outputs].sort((a, b) => rank(a) - rank(b));
}

const FLOAT: ElementType = "float32";
/** Longer fixed axes get no random vector of their own: the model stays small. */
const MAX_AXIS_VECTOR = 16384;

class TinyModelBuilder {
  private readonly g: GraphBuilder;
  private readonly random: () => number;
  private readonly plan;
  private readonly halfWeights: boolean;
  /** Weights rounded to fp16 values yet stored fp32 (the float32 variant of an fp16 contract). */
  private readonly roundedWeights: boolean;
  private readonly entry: ModelEntry;
  private count = 0;

  constructor(contractEntry: ModelEntry, seed: number, floatType: "float16" | "float32") {
    const { inputs, outputs } = contractEntry.contract;
    const half = [...inputs, ...outputs].some((t) => t.dtype === "float16");
    const entry = floatType === "float32" ? fullPrecisionVariant(contractEntry) : contractEntry;
    this.entry = entry;
    this.g = new GraphBuilder(`tiny-${entry.id}`);
    this.random = mulberry32(seed);
    this.plan = planTinyModel(entry);
    this.halfWeights = half && floatType === "float16";
    this.roundedWeights = half && floatType === "float32";
  }

  build(): Uint8Array {
    const { g, plan } = this;
    const floats = plan.inputs.map((t) => {
      const name = g.input(t.spec.name, t.spec.dtype, t.spec.shape);
      return t.spec.dtype === FLOAT ? name : g.cast(name, FLOAT);
    });
    // Weights are scaled for inputs around [-1, 1]: bring 0..255 pixels and the like there first.
    const normalized = plan.inputs.map((t, i) => this.normalize(t.spec, floats[i]));
    const primary = plan.primary === null ? null : plan.inputs[plan.primary];
    const joined = plan.inputs
      .map((t, i) => ({ t, i }))
      .filter(({ t }) => primary !== null && sameGrid(t, primary));
    const side = plan.inputs.map((_, i) => i).filter((i) => !joined.some((j) => j.i === i));

    // One scalar from every input outside the feature map, so every input reaches the outputs.
    const sideScalar = side.length
      ? this.sum(
          side.map((i) => {
            const [mean] = g.node("ReduceMean", [normalized[i]], { keepdims: 0 });
            // Tanh keeps ids and counts without a range from saturating every output.
            const [bounded] = g.node("Tanh", [mean]);
            return this.mul(bounded, this.scalar(this.uniform(1)));
          }),
        )
      : null;

    let features: string | null = null;
    let featureChannels = 0;
    if (primary && joined.length) {
      const parts = joined.map(({ i }) => normalized[i]);
      [features] = parts.length > 1 ? g.node("Concat", parts, { axis: 1 }) : [parts[0]];
      featureChannels = joined.reduce((n, { t }) => n + channels(t), 0);
      if (sideScalar) [features] = g.node("Add", [features, sideScalar]);
    }
    const primaryFloat = plan.primary === null ? null : floats[plan.primary];
    const globalScalar = features
      ? g.node("ReduceMean", [features], { keepdims: 0 })[0]
      : (sideScalar ?? this.scalar(0));

    for (const out of graphOrder(plan.outputs)) {
      let head: { value: string; residual: boolean } | null = null;
      if (features && primary && primaryFloat) {
        const context = { features, featureChannels, primary, primaryFloat };
        head =
          out.dims.length === 4
            ? this.imageHead(out, context)
            : out.dims.length === 3
              ? this.tokenHead(out, context)
              : null;
      }
      const value = head?.value ?? this.genericHead(out, globalScalar);
      this.finish(out.spec, value, head?.residual ?? false);
      g.output(out.spec.name, out.spec.dtype, out.spec.shape);
    }
    return g.toBytes();
  }

  private imageHead(out: TensorPlan, c: HeadContext): { value: string; residual: boolean } | null {
    const { g } = this;
    const [ob, oc, oh, ow] = out.dims;
    const [pb, , ph, pw] = c.primary.dims;
    if (ratio(ob, pb) !== 1 || !isConstant(oc)) return null;
    const outChannels = oc.num / oc.den;
    const rh = ratio(oh, ph);
    const rw = ratio(ow, pw);
    const residual = channels(c.primary) === outChannels;

    if (rh !== null && rh === rw && Number.isInteger(rh)) {
      const k = rh;
      let value = this.conv(c.features, c.featureChannels, outChannels * k * k, 3);
      if (k > 1) [value] = g.node("DepthToSpace", [value], { blocksize: k, mode: "DCR" });
      if (residual) {
        const [up] =
          k > 1
            ? g.node("Resize", [c.primaryFloat, "", this.floats([1, 1, k, k])], { mode: "nearest" })
            : [c.primaryFloat];
        [value] = g.node("Add", [value, up]);
      }
      return { value, residual };
    }
    let resized: string | null = null;
    if (rh !== null && rh === rw && Number.isInteger(1 / rh)) {
      const k = 1 / rh;
      [resized] = g.node("AveragePool", [c.features], { kernel_shape: [k, k], strides: [k, k] });
    } else if (isConstant(oh) && isConstant(ow)) {
      const [shape] = g.node("Shape", [c.features]);
      const [batchChannels] = g.node("Slice", [shape, this.ints([0]), this.ints([2])]);
      const [sizes] = g.node(
        "Concat",
        [batchChannels, this.ints([oh.num / oh.den, ow.num / ow.den])],
        { axis: 0 },
      );
      [resized] = g.node("Resize", [c.features, "", "", sizes], { mode: "linear" });
    } else if (rh !== null && rw !== null) {
      const scales = this.floats([1, 1, rh, rw]);
      [resized] = g.node("Resize", [c.features, "", scales], { mode: "nearest" });
    }
    if (!resized) return null;
    return { value: this.conv(resized, c.featureChannels, outChannels, 3), residual: false };
  }

  private tokenHead(out: TensorPlan, c: HeadContext): { value: string; residual: boolean } | null {
    const { g } = this;
    const [ob, on, oc] = out.dims;
    const [pb, , ph, pw] = c.primary.dims;
    if (ratio(ob, pb) !== 1 || !isConstant(oc)) return null;
    const area = ratio(on, multiply(ph, pw));
    const k = area === null ? NaN : Math.round(Math.sqrt(1 / area));
    if (area === null || k * k * area !== 1) return null;
    const outChannels = oc.num / oc.den;
    const pooled =
      k > 1
        ? g.node("AveragePool", [c.features], { kernel_shape: [k, k], strides: [k, k] })[0]
        : c.features;
    const mixed = this.conv(pooled, c.featureChannels, outChannels, 1);
    const [flat] = g.node("Reshape", [mixed, this.ints([0, outChannels, -1])]);
    const [tokens] = g.node("Transpose", [flat], { perm: [0, 2, 1] });
    return { value: tokens, residual: false };
  }

  private genericHead(out: TensorPlan, globalScalar: string): string {
    const { g } = this;
    const rank = out.dims.length;
    const vectors: string[] = [];
    const dimTensors = out.dims.map((m) => this.dimTensor(m));
    out.dims.forEach((m, axis) => {
      if (!isConstant(m)) {
        vectors.push(this.wave(dimTensors[axis], axis, rank));
        return;
      }
      const size = m.num / m.den;
      if (size > MAX_AXIS_VECTOR) return;
      const shape = Array.from({ length: rank }, (_, a) => (a === axis ? size : 1));
      vectors.push(this.weight(this.uniform(size), shape));
    });
    const pattern = vectors.length ? this.sum(vectors) : this.scalar(this.uniform(1)[0]);
    const [shape] = rank ? g.node("Concat", dimTensors, { axis: 0 }) : [this.ints([])];
    const [expanded] = g.node("Expand", [pattern, shape]);
    const [value] = g.node("Add", [
      expanded,
      this.mul(globalScalar, this.scalar(this.uniform(1)[0])),
    ]);
    return value;
  }

  /** The input mapped from its contract range (or uint8's 0..255) to [-1, 1]. */
  private normalize(spec: TensorSpec, value: string): string {
    const [lo, hi] = spec.range ?? (spec.dtype === "uint8" ? [0, 255] : [-1, 1]);
    if (lo === -1 && hi === 1) return value;
    const [centred] = this.g.node("Sub", [value, this.scalar((lo + hi) / 2)]);
    return this.mul(centred, this.scalar(2 / (hi - lo || 1)));
  }

  /**
   * sin(slope · index) along one axis whose size is only known at run time (a random vector can't
   * be stored for it), shaped [1, …, n, …, 1], so outputs vary along every axis.
   */
  private wave(size: string, axis: number, rank: number): string {
    const { g } = this;
    const [limit] = g.node("Squeeze", [size]);
    const [index] = g.node("Range", [this.intScalar(0), limit, this.intScalar(1)]);
    const slope = this.scalar(0.5 + this.random());
    const [wave] = g.node("Sin", [this.mul(g.cast(index, FLOAT), slope)]);
    const others = Array.from({ length: rank }, (_, a) => a).filter((a) => a !== axis);
    return others.length ? g.node("Unsqueeze", [wave, this.ints(others)])[0] : wave;
  }

  /** Maps an fp32 head into the contract's range and dtype, naming the result after the output. */
  private finish(spec: TensorSpec, value: string, residual: boolean): void {
    const { g } = this;
    let v = value;
    if (spec.dtype === "bool") {
      g.node("Greater", [v, this.scalar(0)], {}, [spec.name]);
      return;
    }
    const integer = spec.dtype !== "float32" && spec.dtype !== "float16";
    if (spec.range) {
      const [lo, hi] = spec.range;
      if (residual && !integer) {
        [v] = g.node("Clip", [v, this.scalar(lo), this.scalar(hi)]);
      } else {
        const span = integer ? Math.floor(hi) - Math.ceil(lo) + 1 : hi - lo;
        const [unit] = g.node("Sigmoid", [v]);
        [v] = g.node("Add", [
          this.mul(unit, this.scalar(span)),
          this.scalar(integer ? Math.ceil(lo) : lo),
        ]);
        if (integer) [v] = g.node("Min", [g.node("Floor", [v])[0], this.scalar(Math.floor(hi))]);
      }
    } else if (integer) {
      [v] = g.node("Floor", [v]);
    }
    if (spec.dtype === FLOAT) g.node("Identity", [v], {}, [spec.name]);
    else g.cast(v, spec.dtype, spec.name);
  }

  /** A 1-D int64 tensor holding one output dim: a constant, or computed from an input's shape. */
  private dimTensor(m: Monomial): string {
    const { g } = this;
    if (isConstant(m)) return this.ints([m.num / m.den]);
    let value: string | null = null;
    for (const [name, power] of Object.entries(m.powers)) {
      const source = this.symbolSource(name);
      for (let p = 0; p < Math.abs(power); p++) {
        if (value === null && power > 0) value = source;
        else if (value === null) throw new Error(`dimension with only negative powers: ${name}`);
        else [value] = g.node(power > 0 ? "Mul" : "Div", [value, source]);
      }
    }
    if (value === null) throw new Error("unreachable: a symbolic dim with no symbols");
    if (m.num !== 1) [value] = g.node("Mul", [value, this.ints([m.num])]);
    if (m.den !== 1) [value] = g.node("Div", [value, this.ints([m.den])]);
    return value;
  }

  /** The size of a base symbol, read from the first input axis that is a multiple of it. */
  private symbolSource(name: string): string {
    const { g } = this;
    for (const t of this.plan.inputs) {
      const axis = t.dims.findIndex((m) => ratio(m, symbol(name)) !== null);
      if (axis < 0) continue;
      const r = ratio(t.dims[axis], symbol(name)) as number;
      const [shape] = g.node("Shape", [t.spec.name]);
      let [value] = g.node("Slice", [shape, this.ints([axis]), this.ints([axis + 1])]);
      const [num, den] = r >= 1 ? [1, r] : [Math.round(1 / r), 1];
      if (num !== 1) [value] = g.node("Mul", [value, this.ints([num])]);
      if (den !== 1) [value] = g.node("Div", [value, this.ints([den])]);
      return value;
    }
    throw new Error(`model "${this.entry.id}": no input gives the size of "${name}"`);
  }

  private conv(x: string, inChannels: number, outChannels: number, kernel: number): string {
    const fanIn = inChannels * kernel * kernel;
    const w = this.weight(this.uniform(outChannels * fanIn, 1 / Math.sqrt(fanIn)), [
      outChannels,
      inChannels,
      kernel,
      kernel,
    ]);
    const b = this.weight(this.uniform(outChannels, 0.1), [outChannels]);
    const pad = (kernel - 1) / 2;
    return this.g.node("Conv", [x, w, b], { pads: [pad, pad, pad, pad] })[0];
  }

  /** A random fp32 weight (stored fp16 for fp16 contracts), ready to use as fp32. */
  private weight(values: Float32Array, dims: readonly number[]): string {
    if (this.roundedWeights) values = fromFloat16Bits(toFloat16Bits(values));
    const name = this.g.initializer(`tiny_w${this.count++}`, values, dims, {
      as: this.halfWeights ? "float16" : undefined,
    });
    return this.halfWeights ? this.g.cast(name, FLOAT) : name;
  }

  private uniform(count: number, amplitude = 1): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = (this.random() * 2 - 1) * amplitude;
    return out;
  }

  private scalar(value: number | Float32Array): string {
    const data = typeof value === "number" ? new Float32Array([value]) : value;
    return this.g.initializer(`tiny_c${this.count++}`, data, []);
  }

  private floats(values: readonly number[]): string {
    return this.g.initializer(`tiny_f${this.count++}`, new Float32Array(values), [values.length]);
  }

  private ints(values: readonly number[]): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    return this.g.initializer(`tiny_i${this.count++}`, data, [values.length]);
  }

  private intScalar(value: number): string {
    return this.g.initializer(`tiny_i${this.count++}`, new BigInt64Array([BigInt(value)]), []);
  }

  private mul(a: string, b: string): string {
    return this.g.node("Mul", [a, b])[0];
  }

  private sum(names: readonly string[]): string {
    return names.length === 1 ? names[0] : this.g.node("Sum", [...names])[0];
  }
}

interface HeadContext {
  readonly features: string;
  readonly featureChannels: number;
  readonly primary: TensorPlan;
  readonly primaryFloat: string;
}

function channels(t: TensorPlan): number {
  return t.dims[1].num / t.dims[1].den;
}

/** Rank-4 inputs with the main input's batch and spatial dims and fixed channels join its map. */
function sameGrid(t: TensorPlan, primary: TensorPlan): boolean {
  if (t.dims.length !== 4 || !isConstant(t.dims[1])) return false;
  return [0, 2, 3].every((a) => ratio(t.dims[a], primary.dims[a]) === 1);
}
