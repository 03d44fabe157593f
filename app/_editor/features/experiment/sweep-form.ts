import type { Lookup } from "@/nodes/core/connection";
import type { WorkflowDocument } from "@/nodes/core/document";
import type { ParamSpec } from "@/nodes/core/params";
import type { SweepValues } from "@/workers/runtime/sweep";

/** A param a sweep axis can take: a number, a choice or a seed. */
export interface SweepableParam {
  readonly nodeId: string;
  readonly param: string;
  readonly label: string;
  readonly spec: ParamSpec;
}

export function sweepableParams(doc: WorkflowDocument, lookup: Lookup): SweepableParam[] {
  return doc.nodes.flatMap((node) => {
    const def = lookup(node.type);
    if (!def || def.executable === false) return [];
    return Object.entries(def.params)
      .filter(([, spec]) => ["number", "select", "seed"].includes(spec.widget))
      .map(([param, spec]) => ({
        nodeId: node.id,
        param,
        label: `${def.title} · ${spec.label ?? param}`,
        spec,
      }));
  });
}

/** The values an axis starts with: every choice of a select, n seeds, or a range around a number. */
export function defaultValues(p: SweepableParam, current: unknown): SweepValues {
  const spec = p.spec;
  if (spec.widget === "select") return { kind: "list", values: spec.options.map((o) => o.value) };
  if (spec.widget === "seed") {
    return { kind: "seeds", count: 4, from: typeof current === "number" ? current : 0 };
  }
  if (spec.widget !== "number") return { kind: "list", values: [String(current ?? "")] };
  const value = typeof current === "number" ? current : spec.default;
  const step = spec.step ?? (spec.integer ? 1 : (spec.max - spec.min) / 10);
  const start = Math.max(spec.min, value - step);
  return { kind: "range", start, stop: Math.min(spec.max, start + 2 * step), step };
}

/** A comma-separated list as the person types it: "512, 768" → ["512", "768"]. */
export function parseList(text: string): string[] {
  return text
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

/**
 * The node whose result fills the cells when a sweep starts from `nodeId`: the first Preview or
 * Save Image downstream of it (what a person looks at), else the node itself.
 */
export function defaultOutput(doc: WorkflowDocument, nodeId: string, lookup: Lookup): string {
  const next = new Map<string, string[]>();
  for (const e of doc.edges) next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
  const seen = new Set<string>();
  const queue = [nodeId];
  while (queue.length) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const node = doc.nodes.find((n) => n.id === id);
    const def = node && lookup(node.type);
    if (id !== nodeId && def && Object.keys(def.outputs).length === 0) return id;
    queue.push(...(next.get(id) ?? []));
  }
  return nodeId;
}
