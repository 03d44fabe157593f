import {
  nodeMode,
  type NodeMode,
  type WorkflowDocument,
  type WorkflowEdge,
  type WorkflowNode,
} from "@/nodes/core/document";

/**
 * What changed between two versions of a workflow: nodes and wires added or removed, and per node
 * a type change and the parameters added, removed or changed. Layout (positions, sizes, viewport)
 * is reported apart as "moved", since it never changes what a run computes.
 */

export interface ParamChange {
  readonly key: string;
  readonly kind: "added" | "removed" | "changed";
  readonly from?: unknown;
  readonly to?: unknown;
}

export interface NodeChange {
  readonly id: string;
  /** The node's type in `b` (the newer side). */
  readonly type: string;
  readonly typeChange: { readonly from: string; readonly to: string } | null;
  /** Bypassed, muted or back to normal: it changes what a run computes, so it is a change. */
  readonly modeChange?: { readonly from: NodeMode; readonly to: NodeMode };
  readonly params: readonly ParamChange[];
}

export interface WorkflowDiff {
  readonly name: { readonly from: string; readonly to: string } | null;
  readonly nodes: {
    readonly added: readonly WorkflowNode[];
    readonly removed: readonly WorkflowNode[];
    readonly changed: readonly NodeChange[];
  };
  readonly edges: {
    readonly added: readonly WorkflowEdge[];
    readonly removed: readonly WorkflowEdge[];
  };
  /** Ids of nodes present on both sides whose position or size differ, and nothing else. */
  readonly moved: readonly string[];
}

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : 1)),
        )
      : v,
  );
}

function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function diffParams(a: Record<string, unknown>, b: Record<string, unknown>): ParamChange[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const changes: ParamChange[] = [];
  for (const key of keys) {
    const inA = Object.hasOwn(a, key);
    const inB = Object.hasOwn(b, key);
    if (inA && !inB) changes.push({ key, kind: "removed", from: a[key] });
    else if (!inA && inB) changes.push({ key, kind: "added", to: b[key] });
    else if (!sameValue(a[key], b[key])) {
      changes.push({ key, kind: "changed", from: a[key], to: b[key] });
    }
  }
  return changes;
}

/** A wire is what it connects: the same ports with a new id (after paste, say) is no change. */
function wireKey(e: WorkflowEdge): string {
  return `${e.source}\u0000${e.sourceHandle}\u0000${e.target}\u0000${e.targetHandle}`;
}

/** Differences from `a` (older) to `b` (newer). */
export function diffWorkflows(a: WorkflowDocument, b: WorkflowDocument): WorkflowDiff {
  const before = new Map(a.nodes.map((n) => [n.id, n]));
  const after = new Map(b.nodes.map((n) => [n.id, n]));

  const changed: NodeChange[] = [];
  const moved: string[] = [];
  for (const node of b.nodes) {
    const old = before.get(node.id);
    if (!old) continue;
    const params = diffParams(old.params, node.params);
    const typeChange = old.type === node.type ? null : { from: old.type, to: node.type };
    const [was, is] = [nodeMode(old), nodeMode(node)];
    const modeChange = was === is ? null : { from: was, to: is };
    if (typeChange || modeChange || params.length)
      changed.push({
        id: node.id,
        type: node.type,
        typeChange,
        ...(modeChange ? { modeChange } : {}),
        params,
      });
    else if (!sameValue(old.position, node.position) || !sameValue(old.size, node.size)) {
      moved.push(node.id);
    }
  }

  const wiresBefore = new Set(a.edges.map(wireKey));
  const wiresAfter = new Set(b.edges.map(wireKey));
  return {
    name: a.name === b.name ? null : { from: a.name, to: b.name },
    nodes: {
      added: b.nodes.filter((n) => !before.has(n.id)),
      removed: a.nodes.filter((n) => !after.has(n.id)),
      changed,
    },
    edges: {
      added: b.edges.filter((e) => !wiresBefore.has(wireKey(e))),
      removed: a.edges.filter((e) => !wiresAfter.has(wireKey(e))),
    },
    moved,
  };
}

/** True when nothing but layout differs. */
export function isContentUnchanged(diff: WorkflowDiff): boolean {
  return (
    diff.name === null &&
    diff.nodes.added.length === 0 &&
    diff.nodes.removed.length === 0 &&
    diff.nodes.changed.length === 0 &&
    diff.edges.added.length === 0 &&
    diff.edges.removed.length === 0
  );
}

/** A short value for display: strings quoted, long ones cut, objects as compact JSON. */
export function formatValue(value: unknown, max = 60): string {
  const text =
    value === undefined ? "—" : typeof value === "string" ? `"${value}"` : canonical(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
