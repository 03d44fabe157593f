import { z } from "zod";
import type { Lookup } from "../../nodes/core/connection";
import type { WorkflowDocument } from "../../nodes/core/document";
import { MAX_SEED, paramToZod, type ParamSpec } from "../../nodes/core/params";

/**
 * Parameter sweeps: one or two params of a workflow (the X and Y axes) take a list of values
 * each, and every combination is one cell — a copy of the document with those values set. The
 * cells run one after another through the same runtime and result cache, so the nodes every
 * cell shares (upstream of the swept params) run once and are served from the cache after.
 */
export const SWEEP_LIMITS = {
  /** Cells in one sweep (X values × Y values): each is a full run of what the output needs. */
  cells: 64,
  /** Axes: X, and optionally Y. */
  axes: 2,
} as const;

const SWEEPABLE = ["number", "select", "seed"] as const;

/** How an axis's values are given: a list, a numeric range, or n seeds from a first one. */
export const sweepValuesSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("list"),
    values: z.array(z.union([z.string(), z.number()])).min(1, "must list at least one value"),
  }),
  z.strictObject({
    kind: z.literal("range"),
    start: z.number().refine(Number.isFinite, "must be a finite number"),
    stop: z.number().refine(Number.isFinite, "must be a finite number"),
    step: z
      .number()
      .refine(Number.isFinite, "must be a finite number")
      .refine((s) => s > 0, "must be more than 0"),
  }),
  z.strictObject({
    kind: z.literal("seeds"),
    count: z.number().int().min(1, "must be at least 1"),
    from: z.number().int().min(0).max(MAX_SEED).default(0),
  }),
]);

export const sweepAxisSchema = z.strictObject({
  nodeId: z.string().min(1),
  param: z.string().min(1),
  values: sweepValuesSchema,
});

export const sweepSpecSchema = z.strictObject({
  axes: z
    .array(sweepAxisSchema)
    .min(1, "needs at least one axis")
    .max(SWEEP_LIMITS.axes, `at most ${SWEEP_LIMITS.axes} axes (X and Y)`),
  /** The node whose result fills each cell; the cells run only what it needs. */
  output: z.string().min(1),
});

export type SweepValues = z.infer<typeof sweepValuesSchema>;
export type SweepAxis = z.infer<typeof sweepAxisSchema>;
export type SweepSpec = z.infer<typeof sweepSpecSchema>;

export class SweepError extends Error {
  override readonly name = "SweepError";
}

/** How many values an axis has, computed without listing them (a huge range is not built). */
export function valueCount(values: SweepValues): number {
  switch (values.kind) {
    case "list":
      return values.values.length;
    case "seeds":
      return values.count;
    case "range":
      // A small tolerance so 0, 0.1 … 1 counts 11 values despite binary fractions.
      return values.stop < values.start
        ? 0
        : Math.floor((values.stop - values.start) / values.step + 1e-9) + 1;
  }
}

function listValues(values: SweepValues): (string | number)[] {
  switch (values.kind) {
    case "list":
      return values.values;
    case "seeds":
      return Array.from({ length: values.count }, (_, i) => (values.from + i) % (MAX_SEED + 1));
    case "range": {
      const n = valueCount(values);
      // Rounded to the step's decimals: 0.1 + 0.2 should read 0.3, not 0.30000000000000004.
      const decimals = Math.min(10, (String(values.step).split(".")[1] ?? "").length);
      return Array.from({ length: n }, (_, i) =>
        Number((values.start + i * values.step).toFixed(decimals)),
      );
    }
  }
}

/** A list entry as the param takes it: numbers typed as text ("512") become numbers. */
function coerce(spec: ParamSpec, value: string | number): unknown {
  if (spec.widget === "select") return String(value);
  if (typeof value === "number") return value;
  const trimmed = value.trim();
  return trimmed === "" ? value : Number(trimmed);
}

export interface ResolvedAxis {
  readonly nodeId: string;
  readonly param: string;
  /** "Resize · width": what the grid's axis label says. */
  readonly label: string;
  readonly values: readonly unknown[];
  /** How each value reads on the axis (a select shows its option's label). */
  readonly valueLabels: readonly string[];
}

export interface SweepCell {
  /** Column (X value) and row (Y value; 0 with one axis). */
  readonly x: number;
  readonly y: number;
  readonly doc: WorkflowDocument;
}

export interface SweepPlan {
  readonly axes: readonly ResolvedAxis[];
  readonly output: string;
  /** Row by row: y = 0 first. */
  readonly cells: readonly SweepCell[];
}

/** The param an axis sweeps, or a SweepError saying why it cannot be swept. */
function axisParam(doc: WorkflowDocument, axis: SweepAxis, lookup: Lookup) {
  const node = doc.nodes.find((n) => n.id === axis.nodeId);
  if (!node) throw new SweepError(`the workflow has no node "${axis.nodeId}"`);
  const def = lookup(node.type);
  if (!def) throw new SweepError(`node "${axis.nodeId}" is of an unknown type "${node.type}"`);
  const spec = def.params[axis.param];
  if (!spec) throw new SweepError(`${def.title} has no param "${axis.param}"`);
  if (!(SWEEPABLE as readonly string[]).includes(spec.widget)) {
    throw new SweepError(
      `${def.title} · ${spec.label ?? axis.param} cannot be swept: only number, choice and seed params can`,
    );
  }
  return { def, spec };
}

/**
 * Checks a sweep against the workflow and lists its cells. Refused with a SweepError naming the
 * problem: an unknown node or param, a param that is not a number, choice or seed, a value the
 * param does not take, the same param on both axes, an output node that does not exist, or
 * more cells than SWEEP_LIMITS.cells — counted before any value is listed.
 */
export function expandSweep(doc: WorkflowDocument, raw: unknown, lookup: Lookup): SweepPlan {
  const parsed = sweepSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SweepError(`sweep ${issue.path.join(".") || "spec"}: ${issue.message}`);
  }
  const spec = parsed.data;
  if (!doc.nodes.some((n) => n.id === spec.output)) {
    throw new SweepError(`the workflow has no node "${spec.output}" to show in the cells`);
  }
  const [x, y] = spec.axes;
  if (y && x.nodeId === y.nodeId && x.param === y.param) {
    throw new SweepError("X and Y sweep the same param: pick another one for Y");
  }
  const counts = spec.axes.map((a) => valueCount(a.values));
  const cells = counts.reduce((a, b) => a * b, 1);
  if (counts.some((c) => c === 0)) throw new SweepError("an axis has no values (is stop < start?)");
  if (cells > SWEEP_LIMITS.cells) {
    throw new SweepError(
      `a sweep of ${cells.toLocaleString("en-US")} cells (${counts.join(" × ")}) is over the limit of ${SWEEP_LIMITS.cells} cells`,
    );
  }

  const axes: ResolvedAxis[] = spec.axes.map((axis) => {
    const { def, spec: param } = axisParam(doc, axis, lookup);
    const schema = paramToZod(param);
    const values = listValues(axis.values).map((raw) => {
      const value = coerce(param, raw);
      const ok = schema.safeParse(value);
      if (!ok.success) {
        throw new SweepError(
          `${def.title} · ${param.label ?? axis.param}: ${JSON.stringify(raw)} ${ok.error.issues[0].message}`,
        );
      }
      return ok.data;
    });
    const valueLabels = values.map((v) =>
      param.widget === "select"
        ? (param.options.find((o) => o.value === v)?.label ?? String(v))
        : String(v),
    );
    return {
      nodeId: axis.nodeId,
      param: axis.param,
      label: `${def.title} · ${param.label ?? axis.param}`,
      values,
      valueLabels,
    };
  });

  const [ax, ay] = axes;
  const list: SweepCell[] = [];
  for (let j = 0; j < (ay?.values.length ?? 1); j++) {
    for (let i = 0; i < ax.values.length; i++) {
      const set = [[ax, ax.values[i]] as const, ...(ay ? [[ay, ay.values[j]] as const] : [])];
      list.push({
        x: i,
        y: j,
        doc: {
          ...doc,
          nodes: doc.nodes.map((n) => {
            const changes = set.filter(([a]) => a.nodeId === n.id);
            if (!changes.length) return n;
            const params = { ...n.params };
            for (const [a, v] of changes) params[a.param] = v;
            return { ...n, params };
          }),
        },
      });
    }
  }
  return { axes, output: spec.output, cells: list };
}
